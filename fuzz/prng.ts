/**
 * The fuzzers' seeded randomness: our own xoshiro128** (src/main/engine/random.ts), never
 * Math.random, so a run is reproducible from its seed and one case from (seed, case index).
 * Shared by every fuzzer in fuzz/.
 */
import { SeededRandom } from '../src/main/engine/random.ts';

export class FuzzRandom {
  private readonly rng: SeededRandom;

  constructor(readonly seed: number) {
    this.rng = new SeededRandom(seed);
  }

  /** The generator for case `index` of a run: replaying one case needs no other. */
  static forCase(seed: number, index: number): FuzzRandom {
    // Mixed so that neighbouring (seed, index) pairs do not start from related states.
    return new FuzzRandom(((seed * 0x9e3779b1) ^ (index * 0x85ebca6b) ^ index) >>> 0);
  }

  /** Uniform on [0, n). */
  int(n: number): number {
    return Math.floor(this.rng.nextFloat64() * n);
  }

  /** Uniform on [min, max]. */
  range(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }

  chance(p: number): boolean {
    return this.rng.nextFloat64() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.rng.nextUint32() & 0xff;
    return out;
  }

  /** A length that is usually small and sometimes large: most bugs live at the edges. */
  size(max: number): number {
    return this.chance(0.8) ? this.int(Math.min(max, 16) + 1) : this.int(max + 1);
  }
}
