/** A suggested word added to a comma-separated list (the prompt, a take's tags) the way a person would type it; pure. */

/** The comma-separated parts of `list`, trimmed and lowercased: which words it already has. */
export function commaParts(list: string): Set<string> {
  return new Set(list.split(',').map((p) => p.trim().toLowerCase()));
}

/** `list` with `word` appended after a comma, unless one of its comma-separated parts already is that word. */
export function withWord(list: string, word: string): string {
  const trimmed = list.trim().replace(/,+$/, '').trim();
  if (!trimmed) return word;
  return commaParts(trimmed).has(word.trim().toLowerCase()) ? trimmed : `${trimmed}, ${word}`;
}
