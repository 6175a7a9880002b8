import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../engine/random.ts';
import { buildFtsQuery, MAX_TERMS, parseSearchText } from './search-query.ts';
import { openSqlite } from './sqlite-driver.ts';

describe('buildFtsQuery', () => {
  it.each([
    ['metal', '"metal"'],
    ['metallic clang', '"metallic" AND "clang"'],
    ['  metallic\t\nclang  ', '"metallic" AND "clang"'],
    ['door*', '"door"*'],
    ['door**', '"door"*'],
    ['door* slam', '"door"* AND "slam"'],
    ['"door slam" wood*', '"door slam" AND "wood"*'],
    ['"door sl"*', '"door sl"*'],
    // An unmatched quote is dropped; the words after it stay words.
    ['metallic "clang', '"metallic" AND "clang"'],
    ['"a" "b', '"a" AND "b"'],
    ['he said "hi"there', '"he" AND "said" AND "hi" AND "there"'],
    // FTS5 operators are only words here.
    ['AND OR NOT', '"AND" AND "OR" AND "NOT"'],
    ['rock AND roll', '"rock" AND "AND" AND "roll"'],
    ['NEAR(a b)', '"NEAR(a" AND "b)"'],
    ['prompt:door', '"prompt:door"'],
    ['^start +plus', '"^start" AND "+plus"'],
    ['-metal', '"-metal"'],
    ['sci-fi', '"sci-fi"'],
    // Terms with no letter or digit would be empty phrases, which match nothing: dropped.
    ['door -', '"door"'],
    ['door * - ""', '"door"'],
    ['café', '"café"'],
    ['日本 音', '"日本" AND "音"'],
    ['tab\u0000nul', '"tab" AND "nul"'],
  ])('%j → %s', (input, expected) => {
    expect(buildFtsQuery(input)).toBe(expected);
  });

  it.each(['', '   ', '"', '""', '*', '-', '- * "', '🔔', '()', '\u0000'])('%j has nothing to search for → null', (input) => {
    expect(buildFtsQuery(input)).toBeNull();
  });

  it('keeps a word-internal star inside the quotes, where the tokenizer treats it as a separator', () => {
    expect(parseSearchText('do*or')).toEqual([{ text: 'do*or', prefix: false }]);
  });

  it(`keeps at most ${MAX_TERMS} terms`, () => {
    const terms = parseSearchText(Array.from({ length: 50 }, (_, i) => `w${i}`).join(' '));
    expect(terms).toHaveLength(MAX_TERMS);
    expect(terms.at(-1)).toEqual({ text: `w${MAX_TERMS - 1}`, prefix: false });
  });

  describe('on a real FTS5 table', () => {
    const db = openSqlite(':memory:');
    db.exec(`CREATE VIRTUAL TABLE f USING fts5 (a, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3')`);
    const docs = ['metallic clang in a café', 'heavy wooden door slam', 'doorbell ringing', 'sci-fi laser AND blaster', 'rock and roll'];
    docs.forEach((text, i) => db.prepare('INSERT INTO f (rowid, a) VALUES (?, ?)').run(i + 1, text));
    const match = (input: string) => {
      const query = buildFtsQuery(input);
      return query === null ? null : db.prepare<number>('SELECT rowid FROM f WHERE f MATCH ? ORDER BY rowid').pluck().all(query);
    };

    it('matches what a sound designer expects', () => {
      expect(match('metallic "clang')).toEqual([1]);
      expect(match('CAFE')).toEqual([1]);
      expect(match('door*')).toEqual([2, 3]);
      expect(match('do*')).toEqual([2, 3]);
      expect(match('"door slam"')).toEqual([2]);
      expect(match('"slam door"')).toEqual([]);
      expect(match('sci-fi')).toEqual([4]);
      expect(match('and')).toEqual([4, 5]);
      expect(match('AND OR NOT')).toEqual([]);
      expect(match('door -')).toEqual([2]);
    });

    it('never throws, whatever is typed (5000 random strings of FTS5 syntax)', () => {
      const rng = new SeededRandom(5);
      const pieces = ['"', '*', '-', '+', '^', ':', '(', ')', ' ', 'AND', 'OR', 'NOT', 'NEAR', 'door', 'é', ',', "'", '\\', '{', '}', '\u0000', '🔔', 'a'];
      for (let n = 0; n < 5000; n++) {
        const length = 1 + Math.floor(rng.nextFloat64() * 12);
        const input = Array.from({ length }, () => pieces[Math.floor(rng.nextFloat64() * pieces.length)]).join('');
        expect(() => match(input), JSON.stringify(input)).not.toThrow();
      }
    });
  });
});
