import { describe, expect, it } from 'vitest';
import { RealFft } from './fft.ts';

function naiveDft(x: number[]): { re: number[]; im: number[] } {
  const n = x.length;
  const re: number[] = [];
  const im: number[] = [];
  for (let k = 0; k <= n / 2; k++) {
    let sr = 0;
    let si = 0;
    for (let t = 0; t < n; t++) {
      sr += x[t] * Math.cos((2 * Math.PI * k * t) / n);
      si -= x[t] * Math.sin((2 * Math.PI * k * t) / n);
    }
    re.push(sr);
    im.push(si);
  }
  return { re, im };
}

describe('RealFft', () => {
  it.each([2, 4, 8, 64, 1024])('matches a direct DFT for N = %i', (n) => {
    const x = Array.from({ length: n }, (_, i) => Math.sin(i * 0.37) + 0.3 * Math.cos(i * 1.91) + (i % 3) * 0.1);
    const fft = new RealFft(n);
    const re = new Float64Array(n / 2 + 1);
    const im = new Float64Array(n / 2 + 1);
    fft.forward(x, re, im);
    const want = naiveDft(x);
    for (let k = 0; k <= n / 2; k++) {
      expect(re[k]).toBeCloseTo(want.re[k], 9);
      expect(im[k]).toBeCloseTo(want.im[k], 9);
    }
  });

  it('puts a cosine on its bin: N = 16, 3 cycles, amplitude 2 → X[3] = 16', () => {
    const fft = new RealFft(16);
    const re = new Float64Array(9);
    const im = new Float64Array(9);
    fft.forward(
      Array.from({ length: 16 }, (_, i) => 2 * Math.cos((2 * Math.PI * 3 * i) / 16)),
      re,
      im,
    );
    expect(re[3]).toBeCloseTo(16, 12);
    expect(Math.hypot(re[2], im[2], re[4], im[4], re[0], re[8])).toBeLessThan(1e-12);
  });

  it('rejects sizes that are not powers of two', () => {
    expect(() => new RealFft(1000)).toThrow(RangeError);
    expect(() => new RealFft(1)).toThrow(RangeError);
  });
});
