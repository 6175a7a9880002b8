import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../engine/random.ts';
import { FTS_TOKENIZE } from './schema.ts';
import { buildFtsSearch, MAX_TERMS, parseSearch, parseSearchText } from './search-query.ts';
import { openSqlite } from './sqlite-driver.ts';

describe('buildFtsSearch', () => {
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
    // OR in capitals joins its neighbours, tighter than the implied AND; AND is implied.
    ['slam OR creak', '("slam" OR "creak")'],
    ['door slam OR creak', '"door" AND ("slam" OR "creak")'],
    ['a OR b OR c d', '("a" OR "b" OR "c") AND "d"'],
    ['rock AND roll', '"rock" AND "roll"'],
    ['OR door', '"door"'],
    ['door OR', '"door"'],
    ['door OR OR slam', '("door" OR "slam")'],
    // NOT in capitals and a leading minus leave out what follows.
    ['door -bell', '("door") NOT "bell"'],
    ['door NOT bell', '("door") NOT "bell"'],
    ['door -bell -"wind chime"', '("door") NOT ("bell" OR "wind chime")'],
    ['slam OR creak -rain', '(("slam" OR "creak")) NOT "rain"'],
    ['door OR -bell', '("door") NOT "bell"'],
    // Lowercase operators and FTS5's other syntax are only words here.
    ['rock or roll', '"rock" AND "or" AND "roll"'],
    ['NEAR(a b)', '"NEAR(a" AND "b)"'],
    ['prompt:door', '"prompt:door"'],
    ['^start +plus', '"^start" AND "+plus"'],
    ['sci-fi', '"sci-fi"'],
    // Terms with no letter or digit would be empty phrases, which match nothing: dropped.
    ['door -', '"door"'],
    ['door * - ""', '"door"'],
    ['door NOT', '"door"'],
    ['café', '"café"'],
    ['日本 音', '"日本" AND "音"'],
    ['tab\u0000nul', '"tab" AND "nul"'],
  ])('%j → %s', (input, expected) => {
    expect(buildFtsSearch(input)).toEqual({ match: expected, exclude: null });
  });

  it.each([
    ['-rain', '"rain"'],
    ['NOT rain', '"rain"'],
    ['--rain', '"rain"'],
    ['-rain -"tin roof"', '("rain" OR "tin roof")'],
    ['-door*', '"door"*'],
  ])('%j has only words to leave out → exclude %s', (input, expected) => {
    expect(buildFtsSearch(input)).toEqual({ match: null, exclude: expected });
  });

  it.each(['', '   ', '"', '""', '*', '-', '- * "', '🔔', '()', '\u0000', 'AND OR NOT', 'OR', '-"'])('%j has nothing to search for → null', (input) => {
    expect(buildFtsSearch(input)).toBeNull();
  });

  it('keeps a word-internal star inside the quotes, where the tokenizer treats it as a separator', () => {
    expect(parseSearchText('do*or')).toEqual([{ text: 'do*or', prefix: false }]);
  });

  it(`keeps at most ${MAX_TERMS} terms`, () => {
    const terms = parseSearchText(Array.from({ length: 50 }, (_, i) => `w${i}`).join(' '));
    expect(terms).toHaveLength(MAX_TERMS);
    expect(terms.at(-1)).toEqual({ text: `w${MAX_TERMS - 1}`, prefix: false });
    expect(parseSearch(Array.from({ length: 50 }, (_, i) => `-w${i}`).join(' ')).none).toHaveLength(MAX_TERMS);
  });

  describe("on a real FTS5 table with the library's tokenizer", () => {
    const db = openSqlite(':memory:');
    db.exec(`CREATE VIRTUAL TABLE f USING fts5 (a, tokenize = '${FTS_TOKENIZE}', prefix = '2 3')`);
    const docs = ['metallic clang in a café', 'heavy wooden door slam', 'doorbell ringing', 'sci-fi laser AND blaster', 'rock and roll', 'old doors creaking', 'rain on a tin roof'];
    docs.forEach((text, i) => db.prepare('INSERT INTO f (rowid, a) VALUES (?, ?)').run(i + 1, text));
    const rows = (input: string) => {
      const query = buildFtsSearch(input);
      if (query === null) return null;
      if (query.match !== null) return db.prepare<number>('SELECT rowid FROM f WHERE f MATCH ? ORDER BY rowid').pluck().all(query.match);
      return db.prepare<number>('SELECT rowid FROM f WHERE rowid NOT IN (SELECT rowid FROM f WHERE f MATCH ?) ORDER BY rowid').pluck().all(query.exclude);
    };

    it('matches what a sound designer expects', () => {
      expect(rows('metallic "clang')).toEqual([1]);
      expect(rows('CAFE')).toEqual([1]);
      expect(rows('door*')).toEqual([2, 3, 6]);
      expect(rows('do*')).toEqual([2, 3, 6]);
      expect(rows('"door slam"')).toEqual([2]);
      expect(rows('"slam door"')).toEqual([]);
      expect(rows('sci-fi')).toEqual([4]);
      expect(rows('and')).toEqual([4, 5]);
      expect(rows('AND OR NOT')).toBeNull();
      expect(rows('door -')).toEqual([2, 6]);
    });

    it('stems (doors → door, creak → creaking), and knows OR, NOT / -, phrases and prefixes', () => {
      expect(rows('doors')).toEqual([2, 6]);
      expect(rows('door')).toEqual([2, 6]);
      expect(rows('creak')).toEqual([6]);
      expect(rows('slam OR creak')).toEqual([2, 6]);
      expect(rows('slam OR creak -old')).toEqual([2]);
      expect(rows('door NOT slam')).toEqual([6]);
      expect(rows('-rain')).toEqual([1, 2, 3, 4, 5, 6]);
      expect(rows('-rain -door*')).toEqual([1, 4, 5]);
      expect(rows('"tin roofs"')).toEqual([7]);
      expect(rows('-"tin roof"')).toEqual([1, 2, 3, 4, 5, 6]);
      expect(rows('ring*')).toEqual([3]);
    });

    it('never throws, whatever is typed (5000 random strings of FTS5 syntax)', () => {
      const rng = new SeededRandom(5);
      const pieces = ['"', '*', '-', '+', '^', ':', '(', ')', ' ', 'AND', 'OR', 'NOT', 'NEAR', 'door', 'é', ',', "'", '\\', '{', '}', '\u0000', '🔔', 'a'];
      for (let n = 0; n < 5000; n++) {
        const length = 1 + Math.floor(rng.nextFloat64() * 12);
        const input = Array.from({ length }, () => pieces[Math.floor(rng.nextFloat64() * pieces.length)]).join('');
        expect(() => rows(input), JSON.stringify(input)).not.toThrow();
      }
    });
  });
});
