/** What went wrong and what to do next, from any thrown value (a LoaError carries both); pure. */
export interface ErrorText {
  message: string;
  hint: string;
}

export function errorText(error: unknown): ErrorText {
  const e = (typeof error === 'object' && error !== null ? error : {}) as { message?: unknown; hint?: unknown };
  return {
    message: typeof e.message === 'string' && e.message ? e.message : String(error),
    hint: typeof e.hint === 'string' ? e.hint : '',
  };
}
