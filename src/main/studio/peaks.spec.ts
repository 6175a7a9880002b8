import { describe, expect, it } from 'vitest';
import { decodePeaks, encodePeaks } from '../../shared/library/peaks-blob.ts';
import { computePeaks, PEAK_PAIRS, peaksForWire, reducePeaks, ROW_PEAK_PAIRS } from './peaks.ts';

describe('computePeaks', () => {
  it('gives one min/max pair per bin, interleaved', () => {
    const samples = Float32Array.from([0.1, -0.5, 0.25, 0.75, -0.125, 0]);
    expect(computePeaks(samples, 3)).toEqual([-0.5, 0.1, 0.25, 0.75, -0.125, 0]);
  });

  it('makes ~2000 pairs by default from a long take, covering every sample', () => {
    const samples = new Float32Array(16000 * 600); // a 10-minute take at 16 kHz
    samples[0] = -1;
    samples[samples.length - 1] = 0.5;
    samples[4_800_000] = 0.9;
    const peaks = computePeaks(samples);
    expect(peaks.length).toBe(2 * PEAK_PAIRS);
    expect(peaks[0]).toBe(-1);
    expect(peaks[peaks.length - 1]).toBe(0.5);
    expect(peaks[2 * 1000 + 1]).toBe(0.9); // sample 4.8 M sits in bin 1000 of 2000
    expect(Math.max(...peaks)).toBe(0.9);
  });

  it('rounds outward to 1/1000 so the envelope never shrinks', () => {
    const peaks = computePeaks(Float32Array.from([0.12341, -0.12341]), 1);
    expect(peaks).toEqual([-0.124, 0.124]);
    expect(Object.is(computePeaks(Float32Array.from([-0.0001, 0.0001]), 1)[1], 0.001)).toBe(true);
    expect(Object.is(computePeaks(new Float32Array(4), 2)[0], 0)).toBe(true); // no -0 in JSON
  });

  it('gives one pair per sample for very short audio, nothing for none, and skips NaN', () => {
    expect(computePeaks(Float32Array.from([0.5, -0.5]), 2000)).toEqual([0.5, 0.5, -0.5, -0.5]);
    expect(computePeaks(new Float32Array(0))).toEqual([]);
    expect(computePeaks(Float32Array.from([NaN, 0.2, NaN, NaN]), 2)).toEqual([0.2, 0.2, 0, 0]);
  });

  it('refuses a nonsensical pair count', () => {
    expect(() => computePeaks(new Float32Array(10), 0)).toThrow(RangeError);
  });
});

describe('reducePeaks', () => {
  it('keeps the envelope: each coarse pair is the min of mins and the max of maxes it covers', () => {
    const fine = [-0.1, 0.2, -0.5, 0.1, -0.2, 0.9, -0.3, 0.3];
    expect(reducePeaks(fine, 2)).toEqual([-0.5, 0.2, -0.3, 0.9]);
    expect(reducePeaks(fine, 1)).toEqual([-0.5, 0.9]);
    expect(reducePeaks(fine, 8)).toEqual(fine);
    const full = computePeaks(Float32Array.from({ length: 48000 }, (_, i) => Math.sin(i / 50) * (i / 48000)));
    const row = reducePeaks(full, ROW_PEAK_PAIRS);
    expect(row).toHaveLength(2 * ROW_PEAK_PAIRS);
    expect(Math.max(...row)).toBe(Math.max(...full));
    expect(Math.min(...row)).toBe(Math.min(...full));
  });
});

describe('peaksForWire', () => {
  it('rounds stored k/127 peaks outward to 1/1000: never inside the envelope, short in JSON', () => {
    const stored = decodePeaks(encodePeaks([-0.5, 0.3, 0, 0.001, -1, 1]));
    const wire = peaksForWire(stored);
    expect(wire).toEqual([-0.504, 0.308, 0, 0.008, -1, 1]);
    wire.forEach((v, i) => (i % 2 === 0 ? expect(v).toBeLessThanOrEqual(stored[i]) : expect(v).toBeGreaterThanOrEqual(stored[i])));
    expect(wire.every((v, i) => Math.abs(v - stored[i]) < 0.001)).toBe(true);
    expect(JSON.stringify(wire).length).toBeLessThan(JSON.stringify(stored).length / 2);
  });
});
