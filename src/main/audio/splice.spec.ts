import { describe, expect, it } from 'vitest';
import { appendContinuation, equalPowerCurves, replaceSpan, rotate } from './splice.ts';

const ramp = (n: number, from = 0) => Float32Array.from({ length: n }, (_, i) => from + i);

describe('equal-power crossfades', () => {
  it('keep cos² + sin² = 1 at every sample and run from the old signal to the new', () => {
    const { fadeOut, fadeIn } = equalPowerCurves(800);
    for (let i = 0; i < 800; i++) expect(fadeOut[i] ** 2 + fadeIn[i] ** 2).toBeCloseTo(1, 6);
    expect(fadeOut[0]).toBeGreaterThan(0.9999);
    expect(fadeIn[799]).toBeGreaterThan(0.9999);
    expect(fadeOut[400]).toBeLessThan(fadeOut[399]);
  });

  it('appendContinuation: reference untouched before the fade, crossfaded in it, then the new samples', () => {
    const ref = ramp(10, 100);
    const gen = ramp(20, 1000); // its sample 6 lines up with the reference's end
    const out = appendContinuation(ref, gen, 6, 5, 4);
    expect(out.length).toBe(15);
    expect(Array.from(out.subarray(0, 6))).toEqual([100, 101, 102, 103, 104, 105]);
    const { fadeOut, fadeIn } = equalPowerCurves(4);
    for (let i = 0; i < 4; i++) expect(out[6 + i]).toBeCloseTo(ref[6 + i] * fadeOut[i] + gen[2 + i] * fadeIn[i], 3);
    expect(Array.from(out.subarray(10))).toEqual([1006, 1007, 1008, 1009, 1010]);
    expect(() => appendContinuation(ref, gen, 18, 5, 4)).toThrow(RangeError);
  });

  it('replaceSpan: bit-identical outside [from, to), fades inside its edges, shrinks fades on short spans', () => {
    const base = ramp(100);
    const other = ramp(100, 1000);
    const out = replaceSpan(base, other, 20, 60, 5);
    expect(Array.from(out.subarray(0, 20))).toEqual(Array.from(base.subarray(0, 20)));
    expect(Array.from(out.subarray(60))).toEqual(Array.from(base.subarray(60)));
    expect(Array.from(out.subarray(25, 55))).toEqual(Array.from(other.subarray(25, 55)));
    expect(out[20]).toBeLessThan(other[20]);
    expect(out[20]).toBeGreaterThan(base[20]);
    const short = replaceSpan(base, other, 10, 13, 50); // fade shrinks to 1 sample each side
    expect(short[11]).toBe(other[11]);
    expect(() => replaceSpan(base, other, 50, 40, 5)).toThrow(RangeError);
  });

  it('rotate shifts circularly and undoes itself', () => {
    const x = ramp(7);
    expect(Array.from(rotate(x, 3))).toEqual([3, 4, 5, 6, 0, 1, 2]);
    expect(Array.from(rotate(rotate(x, 3), 4))).toEqual(Array.from(x));
    expect(Array.from(rotate(x, -1))).toEqual([6, 0, 1, 2, 3, 4, 5]);
  });
});
