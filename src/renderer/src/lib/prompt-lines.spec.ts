import { describe, expect, it } from 'vitest';
import { promptLines } from './prompt-lines.ts';

describe('promptLines', () => {
  it('keeps the non-empty lines, trimmed, in order, repeats included', () => {
    expect(promptLines('  rain on a tin roof \n\n door slam\r\nrain on a tin roof\n   \n')).toEqual(['rain on a tin roof', 'door slam', 'rain on a tin roof']);
  });

  it('is one prompt for a single line and none for blank text', () => {
    expect(promptLines('glass shattering, close mic')).toEqual(['glass shattering, close mic']);
    expect(promptLines(' \n \n')).toEqual([]);
  });
});
