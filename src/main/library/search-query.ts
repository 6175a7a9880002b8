/**
 * Turns what a user types in the library's search box into FTS5 MATCH expressions that can never
 * be a syntax error. The search box speaks the syntax people know from web and sample-library
 * search, and nothing else:
 *
 *   door slam          both words (AND is implied; a bare `AND` is ignored)
 *   slam OR creak      either word (`OR` in capitals; binds tighter than the implied AND)
 *   -rain, NOT rain    takes without the word (a leading `-`, or `NOT` in capitals)
 *   "door slam"        the words next to each other, in that order (a phrase; `-"…"` excludes it)
 *   door*              a prefix (also after a closed phrase: `"door sl"*`)
 *
 * Stemming is the index's (the porter tokenizer, schema v3): `doors` finds "door", `slammed` "slam".
 * Everything else FTS5 gives meaning to (`^`, `:`, `+`, parentheses, NEAR, lowercase or/not) is
 * plain text: every term becomes a quoted FTS5 string (only `"` is special inside one, and it is
 * doubled), and the only operators in the output are the AND, OR, NOT and parentheses written here.
 */

/** A term of the user's text: a word or a "quoted phrase", optionally a prefix (`door*`). */
export interface SearchTerm {
  text: string;
  prefix: boolean;
}

/** The parsed query: groups of alternatives that must all match, and terms that must not. */
export interface ParsedSearch {
  /** Every group must match; a group matches when one of its terms does (`slam OR creak`). */
  all: SearchTerm[][];
  /** No take matching any of these is listed (`-rain`, `NOT rain`). */
  none: SearchTerm[];
}

/**
 * What library-db runs: `match` is a MATCH expression the takes must satisfy (null: no positive
 * term), `exclude` one they must not (only when there is no positive term to hang a NOT on).
 */
export interface FtsSearch {
  match: string | null;
  exclude: string | null;
}

/** Beyond this many terms the rest are ignored: a pasted paragraph should not cost a second. */
export const MAX_TERMS = 32;

// unicode61 (under porter, FTS5's tokenizer here) makes tokens of letters, numbers and private-use
// characters and treats everything else as a separator. A term with none of these is an empty
// phrase, which matches no row at all, so ANDing it in would hide every result (`door -` must
// still find doors).
const TOKEN_CHAR = /[\p{L}\p{N}\p{Co}]/u;
// Control characters (a NUL from a paste, a tab) separate terms like spaces do.
const CONTROL = /\p{Cc}/gu;

type Token = { kind: 'term'; term: SearchTerm; negated: boolean } | { kind: 'or' } | { kind: 'not' };

/** The text split into terms and operators, left to right. */
function tokenize(input: string): Token[] {
  const text = input.replace(CONTROL, ' ');
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (/\s/u.test(c)) {
      i++;
      continue;
    }
    // Leading minus signs negate what follows: a word, or a closed phrase.
    let start = i;
    while (text[start] === '-') start++;
    const negated = start > i;
    if (text[start] === '"') {
      const close = text.indexOf('"', start + 1);
      if (close >= 0) {
        let end = close + 1;
        while (text[end] === '*') end++;
        tokens.push({ kind: 'term', term: { text: text.slice(start + 1, close), prefix: end > close + 1 }, negated });
        i = end;
        continue;
      }
      // An unmatched quote: the words after it are plain words.
      i = start + 1;
      continue;
    }
    let end = start;
    while (end < text.length && text[end] !== '"' && !/\s/u.test(text[end])) end++;
    const word = text.slice(start, end);
    i = end;
    if (!negated && word === 'OR') tokens.push({ kind: 'or' });
    else if (!negated && word === 'NOT') tokens.push({ kind: 'not' });
    else if (!negated && word === 'AND')
      continue; // implied anyway
    else {
      const stem = word.replace(/\*+$/, '');
      tokens.push({ kind: 'term', term: { text: stem, prefix: stem.length < word.length }, negated });
    }
  }
  return tokens;
}

/**
 * Splits the user's text into what must match and what must not. Terms without a letter or digit
 * are dropped (with an operator that pointed at them), an `OR` with no term on one side is
 * ignored, and at most MAX_TERMS terms are kept.
 */
export function parseSearch(input: string): ParsedSearch {
  const all: SearchTerm[][] = [];
  const none: SearchTerm[] = [];
  let count = 0;
  let pendingOr = false;
  let pendingNot = false;
  // Whether the last thing kept was a positive term (so an OR may join the next one to it).
  let lastPositive = false;
  for (const token of tokenize(input)) {
    if (token.kind === 'or') {
      pendingOr = lastPositive;
      continue;
    }
    if (token.kind === 'not') {
      pendingNot = true;
      continue;
    }
    const negated = token.negated || pendingNot;
    pendingNot = false;
    if (!TOKEN_CHAR.test(token.term.text)) continue;
    if (count >= MAX_TERMS) break;
    count++;
    if (negated) {
      none.push(token.term);
      pendingOr = false;
      lastPositive = false;
    } else {
      if (pendingOr && all.length > 0) all[all.length - 1].push(token.term);
      else all.push([token.term]);
      pendingOr = false;
      lastPositive = true;
    }
  }
  return { all, none };
}

/** The positive terms, in order (what the old parser returned; the tests of tokenising use it). */
export function parseSearchText(input: string): SearchTerm[] {
  return parseSearch(input).all.flat();
}

/** One term as an FTS5 string: quoted, inner quotes doubled, `*` after the closing quote for a prefix. */
export function quoteTerm(term: SearchTerm): string {
  return `"${term.text.replaceAll('"', '""')}"${term.prefix ? '*' : ''}`;
}

const anyOf = (terms: SearchTerm[]): string => (terms.length === 1 ? quoteTerm(terms[0]) : `(${terms.map(quoteTerm).join(' OR ')})`);

/**
 * The FTS5 expressions for the user's text, or null when it has nothing to search for (empty,
 * only punctuation or operators): then the caller lists without a text condition. FTS5's NOT is
 * binary, so `-rain` alone comes back as `exclude` for the caller to subtract from every take.
 */
export function buildFtsSearch(input: string): FtsSearch | null {
  const { all, none } = parseSearch(input);
  if (all.length === 0 && none.length === 0) return null;
  const positive = all.length === 0 ? null : all.map(anyOf).join(' AND ');
  const negative = none.length === 0 ? null : anyOf(none);
  if (positive === null) return { match: null, exclude: negative };
  return { match: negative === null ? positive : `(${positive}) NOT ${negative}`, exclude: null };
}
