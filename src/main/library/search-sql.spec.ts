import { describe, expect, it } from 'vitest';
import { InvalidRequestError } from '../../shared/errors.ts';
import { searchSql } from './search-sql.ts';

describe('searchSql', () => {
  it('answers a plain text search from the full-text index alone', () => {
    expect(searchSql({ text: 'door*', limit: 10, offset: 20 })).toEqual({
      count: { sql: 'SELECT count(*) FROM takes_fts WHERE takes_fts MATCH ?', params: ['"door"*'] },
      page: { sql: 'SELECT rowid FROM takes_fts WHERE takes_fts MATCH ? ORDER BY bm25(takes_fts, 1.0, 2.0, 1.0), rowid DESC LIMIT ? OFFSET ?', params: ['"door"*', 10, 20] },
    });
  });

  it('joins takes for filters and for sorts other than relevance, binding every value', () => {
    const { count, page } = searchSql({
      text: 'door',
      rating: 3,
      favourite: true,
      modelId: 'm',
      from: new Date('2025-01-01T00:00:00Z'),
      to: new Date('2025-02-01T00:00:00Z'),
      minDuration: 1,
      maxDuration: 2,
      tags: [' Foley ', 'foley', 'x'],
    });
    expect(count.sql).toBe(
      'SELECT count(*) FROM takes_fts CROSS JOIN takes t ON t.seq = takes_fts.rowid WHERE takes_fts MATCH ? AND t.deleted_at IS NULL' +
        ' AND t.rating >= ? AND t.favourite = ? AND t.model_id = ? AND t.created_at >= ? AND t.created_at < ? AND t.duration_s >= ? AND t.duration_s <= ?' +
        ' AND t.seq IN (SELECT take_seq FROM tags WHERE tag = ?) AND t.seq IN (SELECT take_seq FROM tags WHERE tag = ?)',
    );
    expect(count.params).toEqual(['"door"', 3, 1, 'm', '2025-01-01T00:00:00.000Z', '2025-02-01T00:00:00.000Z', 1, 2, 'Foley', 'x']);
    expect(page.sql).toMatch(/ORDER BY bm25\(takes_fts, 1\.0, 2\.0, 1\.0\), t\.seq DESC LIMIT \? OFFSET \?$/);
    expect(page.params).toEqual([...count.params, 100, 0]);
    expect(searchSql({ text: 'door', sort: 'newest' }).page.sql).toMatch(/CROSS JOIN .* ORDER BY t\.created_at DESC, t\.seq DESC/);
  });

  it('lists live takes newest first without text; relevance without text means newest', () => {
    expect(searchSql({}).page).toEqual({ sql: 'SELECT t.seq FROM takes t WHERE t.deleted_at IS NULL ORDER BY t.created_at DESC, t.seq DESC LIMIT ? OFFSET ?', params: [100, 0] });
    expect(searchSql({ sort: 'relevance' }).page.sql).toContain('ORDER BY t.created_at DESC, t.seq DESC');
    expect(searchSql({ text: '- * "' }).page.sql).not.toContain('MATCH');
    expect(searchSql({ sort: 'rating' }).page.sql).toContain('ORDER BY t.rating DESC, t.created_at DESC, t.seq DESC');
  });

  it.each([
    [{ rating: 6 }, 'rating'],
    [{ rating: 2.5 }, 'rating'],
    [{ from: new Date('x') }, 'from'],
    [{ to: '2025-01-01' as never }, 'to'],
    [{ minDuration: -1 }, 'minDuration'],
    [{ maxDuration: Number.NaN }, 'maxDuration'],
    [{ limit: 0 }, 'limit'],
    [{ limit: 1001 }, 'limit'],
    [{ offset: -1 }, 'offset'],
    [{ sort: 'random' as never }, 'sort'],
    [{ tags: [3 as never] }, 'tags'],
  ])('rejects %j with an InvalidRequestError on %s', (options, field) => {
    expect(() => searchSql(options)).toThrow(InvalidRequestError);
    expect(() => searchSql(options)).toThrow(expect.objectContaining({ field }));
  });
});
