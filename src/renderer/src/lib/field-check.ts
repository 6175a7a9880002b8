/**
 * What is wrong with a typed number, in words for the field: the range comes from the table main's
 * validators use (generate-params.ts, transform-params.ts), and the check is main's own
 * numberInRange, so the editor can never accept what main refuses, nor quietly clamp it.
 */
import { numberInRange, rangeText, type NumberRange } from '../../../shared/engine/generate-params.ts';

/** A field the user left empty or typed nothing numeric into (Svelte's number binding gives null). */
function isBlank(value: unknown): boolean {
  return value === null || value === undefined || (typeof value === 'string' && value.trim() === '') || (typeof value === 'number' && Number.isNaN(value));
}

/** null when `value` is in range; otherwise "Takes must be a whole number from 1 to 16 (not 1000)." */
export function rangeProblem(label: string, value: unknown, range: NumberRange): string | null {
  if (isBlank(value)) return `${label} must be ${rangeText(range)}.`;
  try {
    numberInRange(label, value, range);
    return null;
  } catch {
    return `${label} must be ${rangeText(range)} (not ${String(value)}).`;
  }
}

/** Like rangeProblem, but an empty field is allowed: it means "pick one for me" (a random seed). */
export function optionalRangeProblem(label: string, value: unknown, range: NumberRange): string | null {
  return isBlank(value) ? null : rangeProblem(label, value, range);
}

/** The problems of a form's fields, keyed by field; only the fields with one. */
export function problemsOf<K extends string>(checks: Record<K, string | null>): Partial<Record<K, string>> {
  const out: Partial<Record<K, string>> = {};
  for (const key of Object.keys(checks) as K[]) {
    const problem = checks[key];
    if (problem) out[key] = problem;
  }
  return out;
}
