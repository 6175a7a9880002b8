import { describe, expect, it } from 'vitest';
import { computePeaks } from '../studio/peaks.ts';
import { decodePeaks, encodePeaks } from '../../shared/library/peaks-blob.ts';

describe('peaks blob', () => {
  it('stores one signed byte per value, mins rounded down and maxes up', () => {
    const blob = encodePeaks([-0.5, 0.5, 0, 0, -1, 1, 0.001, 0.002]);
    expect(Array.from(new Int8Array(blob.buffer))).toEqual([-64, 64, 0, 0, -127, 127, 0, 1]);
    expect(decodePeaks(blob)).toEqual([-64 / 127, 64 / 127, 0, 0, -1, 1, 0, 1 / 127]);
  });

  it('never draws an envelope inside the real one, and is within 1/127 of it', () => {
    const samples = new Float32Array(48_000).map((_, i) => 0.9 * Math.sin(i / 37) * Math.exp(-i / 20_000));
    const peaks = computePeaks(samples);
    const stored = decodePeaks(encodePeaks(peaks));
    expect(encodePeaks(peaks).byteLength).toBe(4000);
    stored.forEach((p, i) => {
      expect(Math.abs(p - peaks[i])).toBeLessThanOrEqual(1 / 127 + 1e-12);
      if (i % 2 === 0) expect(p).toBeLessThanOrEqual(peaks[i]);
      else expect(p).toBeGreaterThanOrEqual(peaks[i]);
    });
  });

  it('round-trips stored values exactly, clamps beyond full scale, reads NaN as 0', () => {
    const once = decodePeaks(encodePeaks([-0.3, 0.7, -0.01, 0.99]));
    expect(decodePeaks(encodePeaks(once))).toEqual(once);
    expect(decodePeaks(encodePeaks([-1.5, 2, Number.NaN, Number.NaN]))).toEqual([-1, 1, 0, 0]);
  });

  it('refuses an odd number of values', () => {
    expect(() => encodePeaks([0.1])).toThrow(RangeError);
  });

  it('reads a blob whose bytes start at an odd offset', () => {
    const backing = new Uint8Array(5);
    backing.set([0, 0x81, 0x7f, 0, 0]);
    expect(decodePeaks(backing.subarray(1, 3))).toEqual([-1, 1]);
  });
});
