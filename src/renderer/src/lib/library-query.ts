/**
 * The library panel's search form as data, and the LibraryQuery it asks main for; pure.
 * Words go to full-text search (`text`), a description in "sounds like" mode to CLAP ranking
 * (`soundsLike`); the filters narrow either.
 */
import type { LibraryQuery } from '../../../shared/studio/studio-api.ts';

export type LibrarySort = NonNullable<LibraryQuery['sort']>;

export interface LibraryFilters {
  text: string;
  /** 'words': full-text over prompt, tags and notes; 'sounds': rank by what the audio sounds like. */
  mode: 'words' | 'sounds';
  /** 0 = any rating. */
  minRating: number;
  favouritesOnly: boolean;
  modelId: string;
  /** `YYYY-MM-DD` (an <input type=date> value) or ''. */
  from: string;
  to: string;
  /** Seconds as typed; '' = no bound. */
  minDuration: string;
  maxDuration: string;
  /** Comma-separated, as typed. */
  tags: string;
  /** 'auto': best match while searching, newest otherwise. */
  sort: LibrarySort | 'auto';
}

export const EMPTY_FILTERS: LibraryFilters = {
  text: '',
  mode: 'words',
  minRating: 0,
  favouritesOnly: false,
  modelId: '',
  from: '',
  to: '',
  minDuration: '',
  maxDuration: '',
  tags: '',
  sort: 'auto',
};

/** "Door, metal ,,door" → ["Door", "metal"]: trimmed, empty ones dropped, duplicates (any case) once. */
export function parseTags(input: string): string[] {
  const seen = new Set<string>();
  const tags: string[] = [];
  for (const raw of input.split(',')) {
    const tag = raw.trim().replace(/\s+/g, ' ');
    const key = tag.toLowerCase();
    if (!tag || seen.has(key)) continue;
    seen.add(key);
    tags.push(tag);
  }
  return tags;
}

/**
 * Search as you type: the word being typed is a prefix (`glas` finds glass), unless it is
 * already one, ends a "phrase", is an operator (`slam OR`), or the text ends in a space (the word
 * is finished). The rest of the syntax (OR, -word, NOT) is the server's (search-query.ts).
 */
export function searchAsYouType(text: string): string {
  const trimmed = text.trim();
  if (!trimmed || /\s$/.test(text) || /["*]$/.test(trimmed)) return trimmed;
  if ((trimmed.match(/"/g)?.length ?? 0) % 2 === 1) return trimmed; // inside an open phrase
  if (/(^|\s)-*(OR|AND|NOT)$/.test(trimmed)) return trimmed; // an operator, not a word being typed
  return /[\p{L}\p{N}]$/u.test(trimmed) ? `${trimmed}*` : trimmed;
}

function seconds(value: string): number | undefined {
  if (value.trim() === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The query for one page of results. Reversed ranges (max below min, to before from) are swapped. */
export function libraryQuery(filters: LibraryFilters, offset: number, limit: number): LibraryQuery {
  const query: LibraryQuery = { offset, limit };
  const text = filters.text.trim();
  if (text) {
    if (filters.mode === 'sounds') query.soundsLike = text;
    else query.text = searchAsYouType(filters.text);
  }
  if (filters.minRating > 0) query.rating = Math.min(5, Math.round(filters.minRating));
  if (filters.favouritesOnly) query.favourite = true;
  if (filters.modelId.trim()) query.modelId = filters.modelId.trim();

  let from = ISO_DAY.test(filters.from) ? filters.from : undefined;
  let to = ISO_DAY.test(filters.to) ? filters.to : undefined;
  if (from && to && from > to) [from, to] = [to, from];
  if (from) query.from = from;
  if (to) query.to = to;

  let min = seconds(filters.minDuration);
  let max = seconds(filters.maxDuration);
  if (min !== undefined && max !== undefined && min > max) [min, max] = [max, min];
  if (min !== undefined) query.minDuration = min;
  if (max !== undefined) query.maxDuration = max;

  const tags = parseTags(filters.tags);
  if (tags.length) query.tags = tags;
  query.sort = filters.sort === 'auto' ? (text ? 'relevance' : 'newest') : filters.sort;
  return query;
}

/** Identity of a search regardless of paging: two forms with the same key show the same list. */
export function queryKey(filters: LibraryFilters): string {
  const { offset: _offset, limit: _limit, ...rest } = libraryQuery(filters, 0, 0);
  return JSON.stringify(rest);
}

/** How many filters (beyond the search text) narrow the list, for the "Clear filters" button. */
export function activeFilters(filters: LibraryFilters): number {
  const q = libraryQuery(filters, 0, 0);
  return [q.rating, q.favourite, q.modelId, q.from ?? q.to, q.minDuration ?? q.maxDuration, q.tags].filter((v) => v !== undefined).length;
}

/** "1,234 takes", "1 take", "No takes". */
export function formatTakeCount(total: number): string {
  if (total <= 0) return 'No takes';
  return `${total.toLocaleString('en-US')} take${total === 1 ? '' : 's'}`;
}
