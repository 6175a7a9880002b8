// Seeded, portable random numbers for the engine (initial latents, DDIM η > 0 noise). The same
// seed gives the same numbers on every machine and Node version, so a seed saved with a sound
// regenerates it. Math.random is never used.
//
// Algorithm
//  1. Seed: a non-negative safe integer s (0 ≤ s ≤ 2^53 − 1).
//  2. SplitMix64 (Steele, Lea & Flood 2014; Vigna's reference splitmix64.c), all arithmetic mod 2^64:
//       state += 0x9E3779B97F4A7C15
//       z = state
//       z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
//       z = (z ^ (z >> 27)) * 0x94D049BB133111EB
//       output z ^ (z >> 31)
//     starting from state = s. Two outputs z1, z2 fill the xoshiro state as
//       s0 = low32(z1), s1 = high32(z1), s2 = low32(z2), s3 = high32(z2).
//     (SplitMix64 is a bijection of its counter, so z1 and z2 cannot both be 0: the state is never
//     all zero.)
//  3. xoshiro128** 1.1 (Blackman & Vigna 2018, xoshiro128starstar.c), 32-bit words:
//       result = rotl(s1 · 5, 7) · 9
//       t = s1 << 9
//       s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = rotl(s3, 11)
//  4. nextFloat64 = ((a >>> 5) · 2^26 + (b >>> 6)) / 2^53 for two consecutive outputs a, b:
//     53 random bits, uniform on [0, 1).
//  5. standardNormal: Box–Muller on u1 = 1 − nextFloat64() ∈ (0, 1], u2 = nextFloat64():
//       r = √(−2 ln u1); returns r·cos(2π u2), and the next call returns the cached r·sin(2π u2).
//     V8's Math.log/cos/sin are fdlibm ports, deterministic across platforms; the spec pins golden
//     values so any change shows up.

export interface Rng {
  nextUint32(): number;
  nextFloat64(): number;
  standardNormal(): number;
  fillNormal(n: number): Float32Array;
}

const MASK64 = (1n << 64n) - 1n;

/** The first `count` SplitMix64 outputs from `seed` (BigInt, used only while seeding). */
export function splitMix64(seed: bigint, count: number): bigint[] {
  let state = seed & MASK64;
  const out: bigint[] = [];
  for (let i = 0; i < count; i++) {
    state = (state + 0x9e3779b97f4a7c15n) & MASK64;
    let z = state;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64;
    out.push(z ^ (z >> 31n));
  }
  return out;
}

const rotl = (x: number, k: number): number => ((x << k) | (x >>> (32 - k))) >>> 0;

export class SeededRandom implements Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spare: number | null = null;

  constructor(seed: number) {
    if (!Number.isSafeInteger(seed) || seed < 0) {
      throw new RangeError(`Seed must be an integer from 0 to 2^53 − 1, got ${String(seed)}`);
    }
    const [z1, z2] = splitMix64(BigInt(seed), 2);
    this.s0 = Number(z1 & 0xffffffffn);
    this.s1 = Number(z1 >> 32n);
    this.s2 = Number(z2 & 0xffffffffn);
    this.s3 = Number(z2 >> 32n);
  }

  /** Start from an explicit xoshiro128** state (for checking against the reference C code). */
  static fromState(state: readonly [number, number, number, number]): SeededRandom {
    if (state.every((w) => w >>> 0 === 0)) throw new RangeError('xoshiro128** state must not be all zero');
    const rng = new SeededRandom(0);
    [rng.s0, rng.s1, rng.s2, rng.s3] = state.map((w) => w >>> 0);
    return rng;
  }

  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.s1 << 9) >>> 0;
    this.s2 = (this.s2 ^ this.s0) >>> 0;
    this.s3 = (this.s3 ^ this.s1) >>> 0;
    this.s1 = (this.s1 ^ this.s2) >>> 0;
    this.s0 = (this.s0 ^ this.s3) >>> 0;
    this.s2 = (this.s2 ^ t) >>> 0;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  nextFloat64(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992; // (hi·2^26 + lo) / 2^53
  }

  standardNormal(): number {
    if (this.spare !== null) {
      const z = this.spare;
      this.spare = null;
      return z;
    }
    const u1 = 1 - this.nextFloat64();
    const u2 = this.nextFloat64();
    const r = Math.sqrt(-2 * Math.log(u1));
    const theta = 2 * Math.PI * u2;
    this.spare = r * Math.sin(theta);
    return r * Math.cos(theta);
  }

  fillNormal(n: number): Float32Array {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`fillNormal: n must be a non-negative integer, got ${n}`);
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = this.standardNormal();
    return out;
  }
}
