/** The prompt editor's batch mode: one prompt per line, each its own job; pure. */

/** More than this in one go is more likely a paste gone wrong than a plan. */
export const MAX_BATCH_PROMPTS = 50;

/** The non-empty lines of `text`, trimmed, in order (a repeated line is a repeated job). */
export function promptLines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
}
