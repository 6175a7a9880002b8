import { describe, expect, it } from 'vitest';
import { rateForSemitones, reversedChannels } from './varispeed.svelte.ts';

describe('varispeed audition', () => {
  it('plays like tape: +12 semitones is twice the speed, −12 half, 0 unchanged', () => {
    expect(rateForSemitones(12)).toBe(2);
    expect(rateForSemitones(-12)).toBe(0.5);
    expect(rateForSemitones(0)).toBe(1);
    expect(rateForSemitones(7)).toBeCloseTo(1.4983, 4);
  });

  it('reverses the whole take, or only the region, without touching the original', () => {
    const take = Float32Array.from([1, 2, 3, 4, 5]);
    expect(Array.from(reversedChannels([take])[0])).toEqual([5, 4, 3, 2, 1]);
    expect(Array.from(reversedChannels([take], 1, 4)[0])).toEqual([4, 3, 2]);
    expect(Array.from(take)).toEqual([1, 2, 3, 4, 5]);
  });
});
