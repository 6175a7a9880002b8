/**
 * The WAV metadata fuzzer as part of `npm test`: a short seeded run must find nothing; a failure
 * replays with `npm run fuzz:metadata -- --seed <seed> --case <index>`.
 */
import { describe, expect, it } from 'vitest';
import { readRecipe } from '../src/main/library/wav-metadata.ts';
import { fuzzMetadataReaders, metadataCase, metadataSeeds } from './metadata-readers.fuzz.ts';

const SEED = 20261203;

describe('metadata reader fuzzer', () => {
  it('starts from takes whose recipes read back', () => {
    for (const seed of metadataSeeds()) expect(readRecipe(seed.bytes)).toEqual(seed.recipe);
  });

  it('generates the same case from the same seed and index, hostile floods included', () => {
    expect(metadataCase(SEED, 5)).toEqual(metadataCase(SEED, 5));
    const sizes = Array.from({ length: 200 }, (_, i) => metadataCase(SEED, i).bytes.length);
    expect(sizes.some((n) => n > 100_000)).toBe(true);
  });

  it('finds nothing in a short seeded run', async () => {
    const report = await fuzzMetadataReaders({ seed: SEED, timeMs: 15_000, cases: 300 });
    expect(report.cases).toBeGreaterThanOrEqual(50);
    expect(report.findings.map(({ bytes: _bytes, ...finding }) => finding)).toEqual([]);
  }, 60_000);
});
