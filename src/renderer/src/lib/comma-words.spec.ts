import { describe, expect, it } from 'vitest';
import { commaParts, withWord } from './comma-words.ts';

describe('withWord', () => {
  it('starts an empty prompt with the word, and appends after a comma otherwise', () => {
    expect(withWord('', 'rain')).toBe('rain');
    expect(withWord('   ', 'rain')).toBe('rain');
    expect(withWord('heavy storm', 'rain')).toBe('heavy storm, rain');
    expect(withWord('heavy storm, ', 'thunder')).toBe('heavy storm, thunder');
  });

  it('adds a word only once (whole comma-separated parts, any case)', () => {
    expect(withWord('Rain, wind', 'rain')).toBe('Rain, wind');
    expect(withWord('rain on a tin roof', 'rain')).toBe('rain on a tin roof, rain');
  });

  it('lists the parts a prompt already has, trimmed and lowercased', () => {
    expect([...commaParts(' Rain, heavy STORM ,')]).toEqual(['rain', 'heavy storm', '']);
  });
});
