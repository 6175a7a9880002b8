/**
 * Turns what a user types in the library's search box into an FTS5 MATCH expression that can
 * never be a syntax error. FTS5's query language (sqlite.org/fts5.html §3) gives meaning to
 * `"`, `*`, `^`, `:`, `+`, `-`, parentheses and the bare words AND, OR, NOT and NEAR; a sound
 * designer typing `metallic "clang` or `AND OR NOT` means none of that. So every term becomes a
 * quoted FTS5 string (only `"` is special inside one, and it is doubled), the terms are ANDed,
 * and one operator survives: a trailing `*` on a word (or a closed "phrase") is a prefix search.
 */

/** A term of the user's text: a word or a "quoted phrase", optionally a prefix (`door*`). */
export interface SearchTerm {
  text: string;
  prefix: boolean;
}

/** Beyond this many terms the rest are ignored: a pasted paragraph should not cost a second. */
export const MAX_TERMS = 32;

// unicode61 (FTS5's tokenizer here) makes tokens of letters, numbers and private-use characters
// and treats everything else as a separator. A term with none of these is an empty phrase, which
// matches no row at all, so ANDing it in would hide every result (`door -` must still find doors).
const TOKEN_CHAR = /[\p{L}\p{N}\p{Co}]/u;
// Control characters (a NUL from a paste, a tab) separate terms like spaces do.
const CONTROL = /\p{Cc}/gu;

/**
 * Splits the user's text into terms. A `"` with a partner opens a phrase; a lone `"` is ignored.
 * Trailing `*`s make the word (or closed phrase) a prefix. Terms without a letter or digit are
 * dropped, and at most MAX_TERMS are kept.
 */
export function parseSearchText(input: string): SearchTerm[] {
  const text = input.replace(CONTROL, ' ');
  const terms: SearchTerm[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (/\s/u.test(c)) {
      i++;
    } else if (c === '"') {
      const close = text.indexOf('"', i + 1);
      if (close < 0) {
        i++; // an unmatched quote: the words after it are plain words
        continue;
      }
      let end = close + 1;
      while (text[end] === '*') end++;
      terms.push({ text: text.slice(i + 1, close), prefix: end > close + 1 });
      i = end;
    } else {
      let end = i;
      while (end < text.length && text[end] !== '"' && !/\s/u.test(text[end])) end++;
      const word = text.slice(i, end);
      const stem = word.replace(/\*+$/, '');
      terms.push({ text: stem, prefix: stem.length < word.length });
      i = end;
    }
  }
  return terms.filter((t) => TOKEN_CHAR.test(t.text)).slice(0, MAX_TERMS);
}

/** One term as an FTS5 string: quoted, inner quotes doubled, `*` after the closing quote for a prefix. */
export function quoteTerm(term: SearchTerm): string {
  return `"${term.text.replaceAll('"', '""')}"${term.prefix ? '*' : ''}`;
}

/**
 * The MATCH expression for the user's text, or null when it has nothing to search for (empty,
 * only punctuation): then the caller lists without a text condition.
 */
export function buildFtsQuery(input: string): string | null {
  const terms = parseSearchText(input);
  return terms.length === 0 ? null : terms.map(quoteTerm).join(' AND ');
}
