/**
 * The bundle loader fuzzer as part of `npm test`: a short seeded run must find nothing; a failure
 * replays with `npm run fuzz:manifest -- --seed <seed> --case <index>`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkBundle, fuzzManifestLoader, manifestCase, writeFuzzBundle } from './manifest-loader.fuzz.ts';

const SEED = 20261203;
const root = mkdtempSync(join(tmpdir(), 'loa-fuzz-manifest-spec-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('manifest loader fuzzer', () => {
  it('starts from a bundle the loader accepts', async () => {
    writeFuzzBundle(join(root, 'seed'));
    expect(await checkBundle(join(root, 'seed'))).toEqual([]);
  });

  it('generates the same case from the same seed and index', () => {
    expect(manifestCase(SEED, 9, join(root, 'a'))).toEqual(manifestCase(SEED, 9, join(root, 'b')));
  });

  it('finds nothing in a short seeded run', async () => {
    const report = await fuzzManifestLoader({ seed: SEED, timeMs: 15_000, cases: 80 });
    expect(report.cases).toBeGreaterThanOrEqual(10);
    expect(report.findings).toEqual([]);
  }, 60_000);
});
