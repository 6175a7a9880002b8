import { describe, expect, it } from 'vitest';
import { takeIdInFileName } from './take-file-name.ts';

describe('takeIdInFileName', () => {
  it("reads the id at the end of a library take's name, in any case and any folder", () => {
    const id = '0123456789abcdef0123456789abcdef';
    expect(takeIdInFileName(`glass-shattering_42_${id}.wav`)).toBe(id);
    expect(takeIdInFileName(`Generations/2026-12-03/rain_7_${id.toUpperCase()}.WAV`)).toBe(id);
  });

  it('is null for any other name', () => {
    expect(takeIdInFileName('glass_42.wav')).toBeNull();
    expect(takeIdInFileName('x_0123456789abcdef0123456789abcdeg.wav')).toBeNull();
    expect(takeIdInFileName('x_0123456789abcdef0123456789abcdef.flac')).toBeNull();
  });
});
