import { describe, expect, it } from 'vitest';
import { cachedMiniWavePath, miniWavePath, peakColumns } from './mini-peaks.ts';

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

describe('mini waveform path', () => {
  /** The path's points as [x, y] pairs. */
  const points = (d: string) =>
    d
      .replace(/^M|Z$/g, '')
      .split('L')
      .map((p) => p.split(' ').map(Number));

  it('traces the max envelope left to right and the min envelope back, in the box', () => {
    // Two columns: the first swings to +1/−0.5, the second to +0.5/−1.
    const d = miniWavePath([-0.5, 1, -1, 0.5], 10, 20, 2);
    expect(d.startsWith('M') && d.endsWith('Z')).toBe(true);
    expect(points(d)).toEqual([
      [0, 0],
      [5, 0],
      [5, 5],
      [10, 5], // tops: y = 10 − max·10
      [10, 20],
      [5, 20],
      [5, 15],
      [0, 15], // bottoms, right to left: y = 10 − min·10
    ]);
  });

  it('draws silence as a line of the minimum thickness, centred', () => {
    const ys = points(miniWavePath([0, 0], 8, 30, 1)).map(([, y]) => y);
    expect(ys).toEqual([14.5, 14.5, 15.5, 15.5]);
  });

  it('clips peaks beyond full scale to the box and defaults to two columns per pixel', () => {
    const pts = points(miniWavePath([-3, 3], 4, 10));
    expect(pts).toHaveLength(4 * 8);
    for (const [x, y] of pts) {
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThanOrEqual(4);
      expect(y).toBeGreaterThanOrEqual(0);
      expect(y).toBeLessThanOrEqual(10);
    }
  });
});

describe('mini waveform path cache', () => {
  it('answers the same path as miniWavePath, per peaks array and size', () => {
    const peaks = [-0.5, 0.5, -0.2, 0.9, -1, 0.1];
    const first = cachedMiniWavePath(peaks, 30, 10);
    expect(first).toBe(miniWavePath(peaks, 30, 10));
    expect(cachedMiniWavePath(peaks, 30, 10)).toBe(first);
    expect(cachedMiniWavePath(peaks, 60, 10)).toBe(miniWavePath(peaks, 60, 10));
    // Another take with equal numbers is another array: its own entry, the same drawing.
    expect(cachedMiniWavePath([...peaks], 30, 10)).toBe(first);
    expect(cachedMiniWavePath([0, 0], 30, 10)).toBe(miniWavePath([0, 0], 30, 10));
  });
});
