/**
 * float32 → IEEE 754 binary16, rounding to nearest, ties to even (what a CUDA `__float2half_rn`
 * or numpy's `astype(float16)` does), except that finite values beyond the half range saturate to
 * ±65504 instead of becoming ±∞: an fp16 graph must never meet an infinity a float32 graph did not
 * have (GPT-2's finfo(float32).min mask bias, for example, stays a finite large negative).
 * ±∞ and NaN keep their meaning. Conversions count what they clamped and what became zero, so a
 * build can say whether a checkpoint fits in half precision at all.
 */

/** Largest finite half: (2 − 2⁻¹⁰)·2¹⁵. */
export const FLOAT16_MAX = 65504;
const HALF_MAX_BITS = 0x7bff;

export interface Float16Stats {
  /** Finite values whose magnitude rounds past 65504 (clamped to ±65504). */
  saturated: number;
  /** Non-zero values below half of the smallest subnormal (2⁻²⁵) that became ±0. */
  flushedToZero: number;
}

export function emptyFloat16Stats(): Float16Stats {
  return { saturated: 0, flushedToZero: 0 };
}

/** The half bits of a float32 given by its bits; counts into `stats`. */
export function float32BitsToFloat16Bits(bits: number, stats?: Float16Stats): number {
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  const mantissa = bits & 0x7fffff;
  if (exponent === 0xff) return mantissa === 0 ? sign | 0x7c00 : sign | 0x7e00 | (mantissa >>> 13); // ±∞, NaN (quiet)
  const e = exponent - 127;
  if (e > 15) {
    if (stats) stats.saturated++;
    return sign | HALF_MAX_BITS;
  }
  if (e >= -14) {
    // Normal half: drop 13 mantissa bits, round to nearest even; a carry moves into the exponent.
    const kept = mantissa >>> 13;
    const rest = mantissa & 0x1fff;
    let half = ((e + 15) << 10) | kept;
    if (rest > 0x1000 || (rest === 0x1000 && (kept & 1) === 1)) half++;
    if (half >= 0x7c00) {
      // Rounded up past 65504 (|x| ≥ 65520): IEEE gives ∞, we clamp.
      if (stats) stats.saturated++;
      return sign | HALF_MAX_BITS;
    }
    return sign | half;
  }
  if (exponent === 0 && mantissa === 0) return sign;
  // Subnormal half: value = q·2⁻²⁴ with the full 24-bit significand shifted right by −e−1.
  const shift = -e - 1;
  if (shift > 24 || exponent === 0) {
    if (stats) stats.flushedToZero++;
    return sign;
  }
  const significand = mantissa | 0x800000;
  const q = significand >>> shift;
  const rest = significand & ((1 << shift) - 1);
  const halfway = 1 << (shift - 1);
  const rounded = q + (rest > halfway || (rest === halfway && (q & 1) === 1) ? 1 : 0);
  if (rounded === 0 && stats) stats.flushedToZero++;
  return sign | rounded;
}

const scratch = new Float32Array(1);
const scratchBits = new Uint32Array(scratch.buffer);

/** A number (rounded to float32 first) as half bits. */
export function float32ToFloat16Bits(value: number, stats?: Float16Stats): number {
  scratch[0] = value;
  return float32BitsToFloat16Bits(scratchBits[0], stats);
}

/** Half bits back to a number (exact). */
export function float16BitsToNumber(half: number): number {
  const sign = half & 0x8000 ? -1 : 1;
  const exponent = (half >>> 10) & 0x1f;
  const mantissa = half & 0x3ff;
  if (exponent === 0x1f) return mantissa === 0 ? sign * Infinity : NaN;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

/** float32 values (as their little-endian bits) to half bits, element by element. */
export function float32ArrayToFloat16(source: Uint32Array, stats?: Float16Stats): Uint16Array {
  const out = new Uint16Array(source.length);
  for (let i = 0; i < source.length; i++) out[i] = float32BitsToFloat16Bits(source[i], stats);
  return out;
}

/** bfloat16 bits to half bits: bfloat16 is float32's upper half, so widen and convert. */
export function bfloat16ArrayToFloat16(source: Uint16Array, stats?: Float16Stats): Uint16Array {
  const out = new Uint16Array(source.length);
  for (let i = 0; i < source.length; i++) out[i] = float32BitsToFloat16Bits((source[i] << 16) >>> 0, stats);
  return out;
}

/** float64 values to half bits (through float32: the double rounding can differ by one ulp at exact ties). */
export function float64ArrayToFloat16(source: Float64Array, stats?: Float16Stats): Uint16Array {
  const out = new Uint16Array(source.length);
  for (let i = 0; i < source.length; i++) out[i] = float32ToFloat16Bits(source[i], stats);
  return out;
}
