/** A suggested word added to the prompt the way a person would type it; pure. */

/** `prompt` with `word` appended after a comma, unless one of its comma-separated parts already is that word. */
export function withWord(prompt: string, word: string): string {
  const trimmed = prompt.trim().replace(/,+$/, '').trim();
  if (!trimmed) return word;
  const parts = trimmed.split(',').map((p) => p.trim().toLowerCase());
  return parts.includes(word.trim().toLowerCase()) ? trimmed : `${trimmed}, ${word}`;
}
