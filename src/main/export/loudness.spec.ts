import { describe, expect, it } from 'vitest';
import { integratedLoudness, kWeightingFilters } from './loudness.ts';

function sine(freq: number, dbfs: number, seconds: number, rate: number): Float32Array {
  const amp = 10 ** (dbfs / 20);
  const x = new Float32Array(Math.round(seconds * rate));
  for (let i = 0; i < x.length; i++) x[i] = amp * Math.sin((2 * Math.PI * freq * i) / rate);
  return x;
}

describe('kWeightingFilters', () => {
  it('reproduces the 48 kHz coefficients tabulated in ITU-R BS.1770-4 (tables 1 and 2) to 1e-6', () => {
    const { shelf, highPass } = kWeightingFilters(48000);
    const table = {
      shelfB: [1.53512485958697, -2.69169618940638, 1.19839281085285],
      shelfA: [1, -1.69065929318241, 0.73248077421585],
      highPassB: [1, -2, 1],
      highPassA: [1, -1.99004745483398, 0.99007225036621],
    };
    const close = (got: number[], want: number[]): void => got.forEach((v, i) => expect(Math.abs(v - want[i])).toBeLessThan(1e-6));
    close(shelf.b, table.shelfB);
    close(shelf.a, table.shelfA);
    close(highPass.b, table.highPassB);
    close(highPass.a, table.highPassA);
  });

  it('derives different, stable coefficients at 16 kHz (poles inside the unit circle)', () => {
    const { shelf, highPass } = kWeightingFilters(16000);
    expect(shelf.a[1]).not.toBeCloseTo(-1.69065929318241, 3);
    for (const { a } of [shelf, highPass]) {
      // A biquad is stable iff |a2| < 1 and |a1| < 1 + a2 (Jury criterion).
      expect(Math.abs(a[2])).toBeLessThan(1);
      expect(Math.abs(a[1])).toBeLessThan(1 + a[2]);
    }
  });
});

describe('integratedLoudness', () => {
  it('a 997 Hz sine at 0 dBFS peak, mono, 48 kHz, 10 s → −3.01 LUFS', () => {
    expect(integratedLoudness([sine(997, 0, 10, 48000)], 48000)).toBeCloseTo(-3.01, 1);
    expect(Math.abs(integratedLoudness([sine(997, 0, 10, 48000)], 48000) + 3.01)).toBeLessThan(0.05);
  });

  it('the same sine in both stereo channels → 0.0 LUFS (ITU-R BS.2217 reference)', () => {
    const x = sine(997, 0, 10, 48000);
    expect(Math.abs(integratedLoudness([x, x], 48000))).toBeLessThan(0.05);
  });

  it('a −20 dBFS sine → −23.01 LUFS', () => {
    expect(Math.abs(integratedLoudness([sine(997, -20, 10, 48000)], 48000) + 23.01)).toBeLessThan(0.05);
  });

  it.each([16000, 44100, 22050, 96000])('a 0 dBFS 997 Hz sine at %i Hz → −3.01 ± 0.1 LUFS', (rate) => {
    expect(Math.abs(integratedLoudness([sine(997, 0, 10, rate)], rate) + 3.01)).toBeLessThan(0.1);
  });

  it('silence and signals below the −70 LUFS absolute gate → −Infinity', () => {
    expect(integratedLoudness([new Float32Array(48000 * 2)], 48000)).toBe(-Infinity);
    expect(integratedLoudness([sine(997, -75, 5, 48000)], 48000)).toBe(-Infinity);
    expect(integratedLoudness([new Float32Array(0)], 48000)).toBe(-Infinity);
  });

  it('the relative gate ignores a quiet half (5 s at −20 dBFS then 5 s at −60 dBFS)', () => {
    const loud = sine(997, -20, 5, 48000);
    const quiet = sine(997, -60, 5, 48000);
    const x = new Float32Array(loud.length + quiet.length);
    x.set(loud);
    x.set(quiet, loud.length);
    // Blocks 0–46 are all loud, 47–49 straddle the edge (¾, ½, ¼ loud) and pass; the 47 quiet
    // blocks (−63 LUFS) pass the absolute gate but not the relative one (≈ −36 LUFS). So
    // L = −23.01 + 10·log10((47 + 1.5) / 50) = −23.14; without gating it would be ≈ −26.0.
    const expected = -23.01 + 10 * Math.log10(48.5 / 50);
    expect(Math.abs(integratedLoudness([x], 48000) - expected)).toBeLessThan(0.05);
  });

  it('loudness scales with gain: +6.02 dB of gain → +6.02 LU', () => {
    const a = integratedLoudness([sine(440, -30, 3, 44100)], 44100);
    const b = integratedLoudness([sine(440, -30 + 20 * Math.log10(2), 3, 44100)], 44100);
    expect(b - a).toBeCloseTo(6.0206, 3);
  });

  it('applies channel weights (BS.1770-4 table 3): a surround channel at G = 1.41 adds 1.49 LU', () => {
    const x = sine(997, -20, 4, 48000);
    const silent = new Float32Array(x.length);
    const front = integratedLoudness([x, silent], 48000);
    const surround = integratedLoudness([silent, x], 48000, [1, 1.41]);
    expect(surround - front).toBeCloseTo(10 * Math.log10(1.41), 4);
  });

  it('measures a clip shorter than one 400 ms block as a single block', () => {
    const full = integratedLoudness([sine(997, -20, 10, 48000)], 48000);
    const short = integratedLoudness([sine(997, -20, 0.25, 48000)], 48000);
    expect(Math.abs(short - full)).toBeLessThan(0.1);
  });

  it('matches an independent numpy/scipy BS.1770 computation on gated noise (−20.06825 LUFS)', () => {
    // 7 s of LCG noise at 44.1 kHz in three sections (×1, ×0.05, ×0.6). Reference: scipy.signal.lfilter
    // with the libebur128 coefficients, 17640-sample blocks every 4410 samples, both gates in numpy.
    let s = 12345;
    const rnd = (): number => {
      s = (s * 1103515245 + 12345) % 2147483648;
      return s / 2147483648 - 0.5;
    };
    const n = 44100 * 7;
    const x = new Float32Array(n);
    for (let i = 0; i < n; i++) x[i] = rnd() * 0.3 * (i < n / 3 ? 1 : i < (2 * n) / 3 ? 0.05 : 0.6);
    expect(Math.abs(integratedLoudness([x], 44100) - -20.06825)).toBeLessThan(1e-4);
  });

  it('rejects channels of different lengths and a wrong number of weights', () => {
    expect(() => integratedLoudness([new Float32Array(4), new Float32Array(5)], 48000)).toThrow(RangeError);
    expect(() => integratedLoudness([new Float32Array(4)], 48000, [1, 1])).toThrow(RangeError);
  });
});
