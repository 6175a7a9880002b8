import { describe, expect, it } from 'vitest';
import { applyGuidance, concatRows, row } from './tensor-ops.ts';

describe('classifier-free guidance layout', () => {
  it('reads the negative (unconditional) half first: u + g·(c − u)', () => {
    const u = [1, 2, 3];
    const c = [2, 0, 3];
    const guided = applyGuidance(new Float32Array([...u, ...c]), 3.5);
    expect(Array.from(guided)).toEqual([1 + 3.5 * 1, 2 + 3.5 * -2, 3]);
  });

  it('guidance 1 returns the conditional prediction', () => {
    const guided = applyGuidance(new Float32Array([5, -1, 0.25, 7]), 1);
    expect(Array.from(guided)).toEqual([0.25, 7]);
  });

  it('concatRows and row round-trip a batch', () => {
    const a = new Float32Array([1, 2]);
    const b = new Float32Array([3, 4]);
    const both = concatRows([a, b]);
    expect(Array.from(both)).toEqual([1, 2, 3, 4]);
    expect(Array.from(row(both, 2, 1))).toEqual([3, 4]);
    const ids = concatRows([new BigInt64Array([1n]), new BigInt64Array([2n, 3n])]);
    expect(Array.from(ids)).toEqual([1n, 2n, 3n]);
  });
});
