import { describe, expect, it } from 'vitest';
import { activeFilters, EMPTY_FILTERS, formatTakeCount, libraryQuery, parseTags, queryKey, searchAsYouType } from './library-query.ts';

describe('library search form', () => {
  it('parses comma-separated tags', () => {
    expect(parseTags('Door, metal ,,door,  big   hall ')).toEqual(['Door', 'metal', 'big hall']);
    expect(parseTags(' , ')).toEqual([]);
  });

  it('treats the word being typed as a prefix', () => {
    expect(searchAsYouType('glas')).toBe('glas*');
    expect(searchAsYouType('metal door')).toBe('metal door*');
    expect(searchAsYouType('metal door ')).toBe('metal door');
    expect(searchAsYouType('door*')).toBe('door*');
    expect(searchAsYouType('"metal door"')).toBe('"metal door"');
    expect(searchAsYouType('"metal do')).toBe('"metal do');
    expect(searchAsYouType('clang!')).toBe('clang!');
    expect(searchAsYouType('   ')).toBe('');
    // An operator being typed is no word: "slam OR" must not search for words starting with "OR".
    expect(searchAsYouType('slam OR')).toBe('slam OR');
    expect(searchAsYouType('slam OR creak')).toBe('slam OR creak*');
    expect(searchAsYouType('door NOT')).toBe('door NOT');
    expect(searchAsYouType('-rain')).toBe('-rain*');
    expect(searchAsYouType('ORGAN')).toBe('ORGAN*');
  });

  it('sends words as text and a description as soundsLike', () => {
    expect(libraryQuery({ ...EMPTY_FILTERS, text: 'rain' }, 0, 50)).toEqual({ offset: 0, limit: 50, text: 'rain*', sort: 'relevance' });
    expect(libraryQuery({ ...EMPTY_FILTERS, text: ' metallic clang ', mode: 'sounds' }, 50, 50)).toEqual({
      offset: 50,
      limit: 50,
      soundsLike: 'metallic clang',
      sort: 'relevance',
    });
    expect(libraryQuery(EMPTY_FILTERS, 0, 50)).toEqual({ offset: 0, limit: 50, sort: 'newest' });
    expect(libraryQuery({ ...EMPTY_FILTERS, text: 'rain', sort: 'oldest' }, 0, 50).sort).toBe('oldest');
  });

  it('adds the filters, swapping reversed ranges and ignoring bad numbers', () => {
    const q = libraryQuery(
      {
        ...EMPTY_FILTERS,
        minRating: 4,
        favouritesOnly: true,
        modelId: ' audioldm2-full ',
        from: '2026-03-09',
        to: '2026-03-01',
        minDuration: '10',
        maxDuration: '2.5',
        tags: 'foley, door',
      },
      0,
      50,
    );
    expect(q).toEqual({
      offset: 0,
      limit: 50,
      rating: 4,
      favourite: true,
      modelId: 'audioldm2-full',
      from: '2026-03-01',
      to: '2026-03-09',
      minDuration: 2.5,
      maxDuration: 10,
      tags: ['foley', 'door'],
      sort: 'newest',
    });
    const bad = libraryQuery({ ...EMPTY_FILTERS, minDuration: 'abc', maxDuration: '-1', from: '9 March' }, 0, 10);
    expect(bad).toEqual({ offset: 0, limit: 10, sort: 'newest' });
  });

  it('keys a search by what it asks, not by its page', () => {
    expect(queryKey({ ...EMPTY_FILTERS, text: 'rain' })).toBe(queryKey({ ...EMPTY_FILTERS, text: '  rain' }));
    expect(queryKey({ ...EMPTY_FILTERS, text: 'rain' })).not.toBe(queryKey({ ...EMPTY_FILTERS, text: 'rain ' })); // a finished word: no prefix
    expect(queryKey({ ...EMPTY_FILTERS, text: 'rain' })).not.toBe(queryKey({ ...EMPTY_FILTERS, text: 'rain', mode: 'sounds' }));
    expect(activeFilters(EMPTY_FILTERS)).toBe(0);
    expect(activeFilters({ ...EMPTY_FILTERS, text: 'x', minRating: 3, tags: 'a', from: '2026-01-01', to: '2026-01-02' })).toBe(3);
  });

  it('counts takes the way a person reads them', () => {
    expect(formatTakeCount(0)).toBe('No takes');
    expect(formatTakeCount(1)).toBe('1 take');
    expect(formatTakeCount(1234)).toBe('1,234 takes');
    expect(formatTakeCount(100_000)).toBe('100,000 takes');
  });
});
