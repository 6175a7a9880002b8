/**
 * Builds the SQL for a library search from the user's filters: a count and a page of seqs that
 * share one WHERE clause, every value bound as a parameter. Pure; library-db.ts runs it.
 */
import { InvalidRequestError } from '../../shared/errors.ts';
import type { SearchOptions, SearchSort } from './library-types.ts';
import { buildFtsSearch } from './search-query.ts';
import { normaliseTags } from './take-rows.ts';

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;
const SORTS: readonly SearchSort[] = ['newest', 'oldest', 'rating', 'relevance'];

/** A statement and its parameters. */
export interface Query {
  sql: string;
  params: Array<string | number>;
}

export interface SearchSql {
  /** One row, one column: how many takes match. */
  count: Query;
  /** The page's seqs in order (LIMIT and OFFSET included). */
  page: Query;
}

function wholeNumber(field: string, value: unknown, min: number, max: number): number {
  if (!Number.isInteger(value) || (value as number) < min || (value as number) > max) {
    throw new InvalidRequestError(field, `${field} must be a whole number from ${min} to ${max}, got ${JSON.stringify(value)}.`);
  }
  return value as number;
}

function seconds(field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new InvalidRequestError(field, `${field} must be a number of seconds, got ${JSON.stringify(value)}.`);
  return value;
}

function time(field: string, value: unknown): string {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) throw new InvalidRequestError(field, `${field} must be a valid date.`);
  return value.toISOString();
}

// Ties (takes of one job share a second) fall back to insertion order, so pages never overlap.
const ORDER: Record<Exclude<SearchSort, 'relevance'>, string> = {
  newest: 't.created_at DESC, t.seq DESC',
  oldest: 't.created_at ASC, t.seq ASC',
  rating: 't.rating DESC, t.created_at DESC, t.seq DESC',
};
// BM25 column weights for prompt, tags, notes: a tag is a label the user chose on purpose.
// Equal scores: the most recently added first.
const BM25 = 'bm25(takes_fts, 1.0, 2.0, 1.0)';

/** The filters other than text, as conditions on `takes t`. */
function filterConditions(options: SearchOptions): Query[] {
  const conditions: Query[] = [];
  const add = (sql: string, value: string | number) => conditions.push({ sql, params: [value] });
  if (options.rating !== undefined) add('t.rating >= ?', wholeNumber('rating', options.rating, 0, 5));
  if (options.favourite !== undefined) add('t.favourite = ?', options.favourite ? 1 : 0);
  if (options.modelId !== undefined) add('t.model_id = ?', String(options.modelId));
  if (options.from !== undefined) add('t.created_at >= ?', time('from', options.from));
  if (options.to !== undefined) add('t.created_at < ?', time('to', options.to));
  if (options.minDuration !== undefined) add('t.duration_s >= ?', seconds('minDuration', options.minDuration));
  if (options.maxDuration !== undefined) add('t.duration_s <= ?', seconds('maxDuration', options.maxDuration));
  // A set of seqs per tag, checked against the covering index without reading takes rows.
  for (const tag of normaliseTags(options.tags ?? [])) add('t.seq IN (SELECT take_seq FROM tags WHERE tag = ?)', tag);
  return conditions;
}

/**
 * Live (not trashed) takes matching every given filter. Throws InvalidRequestError for a bad
 * value. Text that has nothing to search for (only punctuation) is no text condition.
 */
export function searchSql(options: SearchOptions): SearchSql {
  const text = options.text === undefined ? null : buildFtsSearch(String(options.text));
  const fts = text?.match ?? null;
  const filters = filterConditions(options);
  // Only words to leave out (`-rain`): every live take but those. The index holds live takes only.
  if (text?.exclude) filters.push({ sql: 't.seq NOT IN (SELECT rowid FROM takes_fts WHERE takes_fts MATCH ?)', params: [text.exclude] });
  const sort = options.sort ?? (fts === null ? 'newest' : 'relevance');
  if (!SORTS.includes(sort)) throw new InvalidRequestError('sort', `sort must be one of ${SORTS.join(', ')}, got ${JSON.stringify(sort)}.`);
  const { limit, offset } = checkPaging(options);

  if (fts !== null && filters.length === 0 && sort === 'relevance') {
    // The full-text index holds live takes only, so a plain text search never reads takes rows.
    return {
      count: { sql: 'SELECT count(*) FROM takes_fts WHERE takes_fts MATCH ?', params: [fts] },
      page: { sql: `SELECT rowid FROM takes_fts WHERE takes_fts MATCH ? ORDER BY ${BM25}, rowid DESC LIMIT ? OFFSET ?`, params: [fts, limit, offset] },
    };
  }
  const where = ['t.deleted_at IS NULL', ...filters.map((c) => c.sql)];
  const params = filters.flatMap((c) => c.params);
  // With text, the index yields the matching rowids and each is looked up in takes by primary
  // key (CROSS JOIN pins that order for SQLite's planner).
  let from = 'FROM takes t';
  if (fts !== null) {
    from = 'FROM takes_fts CROSS JOIN takes t ON t.seq = takes_fts.rowid';
    where.unshift('takes_fts MATCH ?');
    params.unshift(fts);
  }
  from += ` WHERE ${where.join(' AND ')}`;
  // Relevance needs text; without it the newest come first.
  const orderBy = sort !== 'relevance' ? ORDER[sort] : fts === null ? ORDER.newest : `${BM25}, t.seq DESC`;
  return {
    count: { sql: `SELECT count(*) ${from}`, params },
    page: { sql: `SELECT t.seq ${from} ORDER BY ${orderBy} LIMIT ? OFFSET ?`, params: [...params, limit, offset] },
  };
}

/** Page size 1–MAX_LIMIT (default DEFAULT_LIMIT) and a non-negative offset. */
export function checkPaging(options: { limit?: number; offset?: number }): { limit: number; offset: number } {
  return {
    limit: wholeNumber('limit', options.limit ?? DEFAULT_LIMIT, 1, MAX_LIMIT),
    offset: wholeNumber('offset', options.offset ?? 0, 0, Number.MAX_SAFE_INTEGER),
  };
}

/** `k` for the nearest-takes searches. */
export function checkCount(field: string, k: unknown): number {
  if (!Number.isInteger(k) || (k as number) < 1 || (k as number) > 1000) throw new InvalidRequestError(field, `${field} must be a whole number from 1 to 1000, got ${JSON.stringify(k)}.`);
  return k as number;
}

export function checkIds(ids: unknown): string[] {
  if (!Array.isArray(ids) || !ids.every((id) => typeof id === 'string')) throw new InvalidRequestError('takeIds', 'takeIds must be a list of take ids.');
  return ids;
}
