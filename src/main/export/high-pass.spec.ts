import { describe, expect, it } from 'vitest';
import { HIGH_PASS_HZ, highPass } from './high-pass.ts';

const RATE = 48_000;

function sine(hz: number, seconds: number, amplitude = 0.5, offset = 0): Float32Array {
  const x = new Float32Array(Math.round(seconds * RATE));
  for (let i = 0; i < x.length; i++) x[i] = offset + amplitude * Math.sin((2 * Math.PI * hz * i) / RATE);
  return x;
}

/** RMS over the last `seconds` (after the filter has settled). */
function tailRms(x: Float32Array, seconds: number): number {
  const n = Math.round(seconds * RATE);
  let sum = 0;
  for (let i = x.length - n; i < x.length; i++) sum += x[i] * x[i];
  return Math.sqrt(sum / n);
}

function mean(x: Float32Array, from: number): number {
  let sum = 0;
  for (let i = from; i < x.length; i++) sum += x[i];
  return sum / (x.length - from);
}

const db = (ratio: number) => 20 * Math.log10(ratio);

describe('highPass (export DC removal / gentle high-pass)', () => {
  it('removes a DC offset, with no thump at the start', () => {
    const y = highPass(sine(1000, 1, 0.3, 0.2), RATE);
    expect(Math.abs(mean(y, RATE / 2))).toBeLessThan(1e-4);
    // The filter starts settled on the first sample's level, so the offset never shows as a step.
    expect(Math.abs(y[0])).toBeLessThan(1e-6);
    // Peaks stay near the sine's own 0.3 (a filter starting from rest would swing to the full 0.5).
    expect(Math.max(...y.subarray(0, 2000).map(Math.abs))).toBeLessThan(0.35);
  });

  it('attenuates a 20 Hz sine (2nd-order Butterworth at 30 Hz: −7.8 dB)', () => {
    const x = sine(20, 3);
    const gain = db(tailRms(highPass(x, RATE), 1) / tailRms(x, 1));
    const expected = db(1 / Math.sqrt(1 + (HIGH_PASS_HZ / 20) ** 4));
    expect(gain).toBeLessThan(-6);
    expect(gain).toBeCloseTo(expected, 1);
  });

  it('leaves a 1 kHz sine unchanged within 0.1 dB', () => {
    const x = sine(1000, 1);
    const gain = db(tailRms(highPass(x, RATE), 0.5) / tailRms(x, 0.5));
    expect(Math.abs(gain)).toBeLessThan(0.1);
  });

  it('keeps a loop seamless: a periodic signal filtered as a loop has no step at the wrap', () => {
    // 0.5 s of 40 Hz (20 whole periods) with an offset: the wrap from last to first sample stays one sample step.
    const x = sine(40, 0.5, 0.5, 0.1);
    const y = highPass(x, RATE, { periodic: true });
    const step = Math.abs(y[0] - y[y.length - 1]);
    const typical = Math.abs(y[1] - y[0]);
    expect(step).toBeLessThan(typical * 2 + 1e-6);
    expect(Math.abs(mean(y, 0))).toBeLessThan(1e-3);
  });

  it('refuses a cutoff that does not fit the rate', () => {
    expect(() => highPass(new Float32Array(4), 40, { cutoffHz: 30 })).toThrow(RangeError);
  });
});
