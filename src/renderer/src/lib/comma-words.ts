/** A suggested word added to a comma-separated list (the prompt, a take's tags) the way a person would type it; pure. */

/** `list` with `word` appended after a comma, unless one of its comma-separated parts already is that word. */
export function withWord(list: string, word: string): string {
  const trimmed = list.trim().replace(/,+$/, '').trim();
  if (!trimmed) return word;
  const parts = trimmed.split(',').map((p) => p.trim().toLowerCase());
  return parts.includes(word.trim().toLowerCase()) ? trimmed : `${trimmed}, ${word}`;
}
