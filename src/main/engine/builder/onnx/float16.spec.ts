/**
 * float32 → float16 is checked exhaustively against its own definition: every finite half round-trips,
 * every midpoint between neighbouring halves goes to the even one, and values beside a midpoint go
 * to the nearer one (the cases a truncating or ties-away converter gets wrong).
 */
import { describe, expect, it } from 'vitest';
import { bfloat16ArrayToFloat16, emptyFloat16Stats, FLOAT16_MAX, float16BitsToNumber, float32ArrayToFloat16, float32ToFloat16Bits } from './float16.ts';

const bitsOf = (x: number) => new Uint32Array(new Float32Array([x]).buffer)[0];
const nextUp = (x: number) => new Float32Array(new Uint32Array([bitsOf(x) + 1]).buffer)[0];
const nextDown = (x: number) => new Float32Array(new Uint32Array([bitsOf(x) - 1]).buffer)[0];

describe('float32 → float16, round to nearest even', () => {
  it('round-trips every finite half exactly', () => {
    for (let h = 0; h < 0x10000; h++) {
      if ((h & 0x7c00) === 0x7c00) continue;
      expect(float32ToFloat16Bits(float16BitsToNumber(h))).toBe(h);
    }
  });

  it('sends each midpoint to the even neighbour and values beside it to the nearer one', () => {
    for (let h = 0; h < 0x7bff; h++) {
      const low = float16BitsToNumber(h);
      const mid = (low + float16BitsToNumber(h + 1)) / 2; // exact in float32
      const even = h % 2 === 0 ? h : h + 1;
      expect(float32ToFloat16Bits(mid)).toBe(even);
      expect(float32ToFloat16Bits(-mid)).toBe(even | 0x8000);
      expect(float32ToFloat16Bits(nextDown(mid))).toBe(h);
      expect(float32ToFloat16Bits(nextUp(mid))).toBe(h + 1);
    }
  });

  it('matches known encodings', () => {
    expect(float32ToFloat16Bits(1)).toBe(0x3c00);
    expect(float32ToFloat16Bits(-2)).toBe(0xc000);
    expect(float32ToFloat16Bits(0.1)).toBe(0x2e66);
    expect(float32ToFloat16Bits(2 ** -24)).toBe(0x0001);
    expect(float32ToFloat16Bits(2 ** -14)).toBe(0x0400);
    expect(float32ToFloat16Bits(-0)).toBe(0x8000);
    expect(float32ToFloat16Bits(Infinity)).toBe(0x7c00);
    expect(float32ToFloat16Bits(-Infinity)).toBe(0xfc00);
    expect(float32ToFloat16Bits(NaN) & 0x7e00).toBe(0x7e00);
  });

  it('saturates finite values beyond the half range to ±65504 and counts them', () => {
    const stats = emptyFloat16Stats();
    expect(float32ToFloat16Bits(65504, stats)).toBe(0x7bff);
    expect(float32ToFloat16Bits(nextDown(65520), stats)).toBe(0x7bff); // rounds down: not saturated
    expect(stats.saturated).toBe(0);
    expect(float16BitsToNumber(float32ToFloat16Bits(65520, stats))).toBe(FLOAT16_MAX); // IEEE would give ∞
    expect(float16BitsToNumber(float32ToFloat16Bits(-3.4028234663852886e38, stats))).toBe(-FLOAT16_MAX);
    expect(float16BitsToNumber(float32ToFloat16Bits(1e6, stats))).toBe(FLOAT16_MAX);
    expect(stats.saturated).toBe(3);
  });

  it('counts non-zero values that underflow to zero', () => {
    const stats = emptyFloat16Stats();
    expect(float32ToFloat16Bits(2 ** -25, stats)).toBe(0); // a tie with 0: to even
    expect(float32ToFloat16Bits(nextUp(2 ** -25), stats)).toBe(1);
    expect(float32ToFloat16Bits(-1e-12, stats)).toBe(0x8000);
    expect(float32ToFloat16Bits(1e-45, stats)).toBe(0); // a float32 subnormal
    expect(stats.flushedToZero).toBe(3);
  });

  it('converts arrays of float32 and bfloat16 bits', () => {
    const values = new Float32Array([1, -0.5, 70000, 3.140625]);
    const stats = emptyFloat16Stats();
    const half = float32ArrayToFloat16(new Uint32Array(values.buffer), stats);
    expect([...half].map(float16BitsToNumber)).toEqual([1, -0.5, 65504, 3.140625]);
    expect(stats.saturated).toBe(1);
    const bf16 = new Uint16Array([...new Uint32Array(values.buffer)].map((b) => b >>> 16));
    expect([...bfloat16ArrayToFloat16(bf16)].map(float16BitsToNumber)).toEqual([1, -0.5, 65504, 3.140625]);
  });
});
