import { describe, expect, it } from 'vitest';
import { resample, resampledLength } from './resample.ts';

const sine = (n: number, rate: number, hz: number, amp = 1): Float32Array => Float32Array.from({ length: n }, (_, i) => amp * Math.sin((2 * Math.PI * hz * i) / rate));

/** Least-squares amplitude and phase of a tone at `hz` over y[from..to). */
function fitTone(y: Float32Array, rate: number, hz: number, from: number, to: number): { amp: number; residual: number } {
  let ss = 0;
  let sc = 0;
  let cc = 0;
  let ys = 0;
  let yc = 0;
  for (let i = from; i < to; i++) {
    const s = Math.sin((2 * Math.PI * hz * i) / rate);
    const c = Math.cos((2 * Math.PI * hz * i) / rate);
    ss += s * s;
    sc += s * c;
    cc += c * c;
    ys += y[i] * s;
    yc += y[i] * c;
  }
  const det = ss * cc - sc * sc;
  const a = (ys * cc - yc * sc) / det;
  const b = (yc * ss - ys * sc) / det;
  let res = 0;
  for (let i = from; i < to; i++) {
    const fit = a * Math.sin((2 * Math.PI * hz * i) / rate) + b * Math.cos((2 * Math.PI * hz * i) / rate);
    res = Math.max(res, Math.abs(y[i] - fit));
  }
  return { amp: Math.hypot(a, b), residual: res };
}

const rms = (y: Float32Array, from: number, to: number): number => {
  let s = 0;
  for (let i = from; i < to; i++) s += y[i] * y[i];
  return Math.sqrt(s / (to - from));
};

describe('resample', () => {
  it('output length is ⌈n·to/from⌉', () => {
    expect(resampledLength(16000, 16000, 48000)).toBe(48000);
    expect(resampledLength(163840, 16000, 48000)).toBe(491520); // 10.24 s for CLAP
    expect(resampledLength(10, 48000, 16000)).toBe(4); // instants 0, 3, 6, 9
    expect(resampledLength(9, 48000, 16000)).toBe(3);
    expect(resampledLength(441, 44100, 48000)).toBe(480);
    expect(resampledLength(1, 44100, 48000)).toBe(2); // instants 0 and 0.91875
    expect(resampledLength(0, 16000, 48000)).toBe(0);
    expect(resample(new Float32Array(1000), 44100, 16000).length).toBe(363); // ⌈362.8…⌉
  });

  it('16 kHz → 48 kHz: a 1 kHz sine keeps its amplitude (< 1e−3 error), frequency and phase', () => {
    const y = resample(sine(16000, 16000, 1000, 0.5), 16000, 48000);
    expect(y.length).toBe(48000);
    // Away from the edges, y[m] must be the same continuous sine sampled at m/48000 s.
    const edge = 600;
    let maxErr = 0;
    for (let m = edge; m < y.length - edge; m++) {
      maxErr = Math.max(maxErr, Math.abs(y[m] - 0.5 * Math.sin((2 * Math.PI * 1000 * m) / 48000)));
    }
    expect(maxErr).toBeLessThan(1e-3 * 0.5);
    const fit = fitTone(y, 48000, 1000, edge, y.length - edge);
    expect(Math.abs(fit.amp - 0.5)).toBeLessThan(1e-3 * 0.5);
    expect(fit.residual).toBeLessThan(1e-4);
  });

  it('48 kHz → 16 kHz and 44.1 kHz → 48 kHz keep a 1 kHz sine too', () => {
    for (const [from, to] of [
      [48000, 16000],
      [44100, 48000],
      [48000, 44100],
    ]) {
      const y = resample(sine(from, from, 1000), from, to);
      const edge = Math.ceil(to / 50);
      const fit = fitTone(y, to, 1000, edge, y.length - edge);
      expect(Math.abs(fit.amp - 1)).toBeLessThan(1e-3);
      expect(fit.residual).toBeLessThan(1e-3);
    }
  });

  it('48 kHz → 16 kHz attenuates tones above the new 8 kHz Nyquist by more than 80 dB', () => {
    for (const hz of [8200, 9000, 12000, 20000]) {
      const y = resample(sine(48000, 48000, hz), 48000, 16000);
      const edge = 400;
      const db = 20 * Math.log10(rms(y, edge, y.length - edge) / Math.SQRT1_2);
      expect(db).toBeLessThan(-80);
    }
    // …while a tone inside the 0.9·Nyquist passband passes at full level.
    const y = resample(sine(48000, 48000, 7000), 48000, 16000);
    expect(fitTone(y, 16000, 7000, 400, y.length - 400).amp).toBeCloseTo(1, 3);
  });

  it('DC is preserved exactly away from the edges', () => {
    const x = new Float32Array(4000).fill(0.25);
    for (const [from, to] of [
      [16000, 48000],
      [48000, 16000],
      [44100, 48000],
    ]) {
      const y = resample(x, from, to);
      const edge = 300;
      let maxErr = 0;
      for (let m = edge; m < y.length - edge; m++) maxErr = Math.max(maxErr, Math.abs(y[m] - 0.25));
      expect(maxErr).toBeLessThan(1e-7);
    }
  });

  it('is deterministic, copies on equal rates, and checks its arguments', () => {
    const x = sine(1000, 16000, 440);
    expect(resample(x, 16000, 48000)).toEqual(resample(x, 16000, 48000));
    const same = resample(x, 16000, 16000);
    expect(same).toEqual(x);
    expect(same).not.toBe(x);
    expect(resample(new Float32Array(0), 16000, 48000).length).toBe(0);
    expect(() => resample(x, 0, 48000)).toThrow(RangeError);
    expect(() => resample(x, 16000, 44100.5)).toThrow(RangeError);
  });

  it('medium quality (80 dB design) still attenuates a 9 kHz tone by more than 80 dB at 48 → 16 kHz', () => {
    const y = resample(sine(48000, 48000, 9000), 48000, 16000, 'medium');
    expect(20 * Math.log10(rms(y, 400, y.length - 400) / Math.SQRT1_2)).toBeLessThan(-80);
  });
});
