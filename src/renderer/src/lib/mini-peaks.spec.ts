import { describe, expect, it } from 'vitest';
import { peakColumns } from './mini-peaks.ts';

describe('mini waveform columns', () => {
  it('keeps the extremes of the pairs each column covers', () => {
    const peaks = [-0.1, 0.2, -0.5, 0.1, 0, 0.9, -0.3, 0.3];
    expect([...peakColumns(peaks, 2)].map((v) => Math.round(v * 10) / 10)).toEqual([-0.5, 0.2, -0.3, 0.9]);
  });
  it('stretches fewer pairs than columns, and draws silence for none', () => {
    expect([...peakColumns([-1, 1], 3)]).toEqual([-1, 1, -1, 1, -1, 1]);
    expect([...peakColumns([], 2)]).toEqual([0, 0, 0, 0]);
  });
});
