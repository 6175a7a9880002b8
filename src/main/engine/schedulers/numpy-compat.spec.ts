import { describe, expect, it } from 'vitest';
import { arangeFloat, linspace, roundHalfEven } from './numpy-compat.ts';

describe('numpy-compat', () => {
  it('linspace matches np.linspace, with the end point exact', () => {
    expect(Array.from(linspace(0, 999, 3))).toEqual([0, 499.5, 999]);
    expect(Array.from(linspace(2, 2, 1))).toEqual([2]);
    const r = linspace(Math.sqrt(0.0015), Math.sqrt(0.0195), 1000);
    expect(r[999]).toBe(Math.sqrt(0.0195));
  });

  it('roundHalfEven is np.round (banker’s rounding)', () => {
    expect([499.5, 498.5, 0.5, 1.5, 2.4999, -0.5, -1.5].map(roundHalfEven)).toEqual([500, 498, 0, 2, 2, 0, -2]);
  });

  it('arangeFloat reproduces NumPy’s extra element for T/n steps that do not divide evenly', () => {
    // np.arange(1000, 0, -1000/61) has 62 entries, the last ≈ −5.7e−13.
    const a = arangeFloat(1000, 0, -1000 / 61);
    expect(a.length).toBe(62);
    expect(Math.abs(a[61])).toBeLessThan(1e-9);
    expect(arangeFloat(1000, 0, -1000 / 10).length).toBe(10);
    expect(arangeFloat(0, 1, -1).length).toBe(0);
  });
});
