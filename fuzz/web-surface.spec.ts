/**
 * The browser-mode fuzzer as part of `npm test`: a short seeded run (a few seconds) must find
 * nothing. The seed is fixed so a failure here replays exactly with
 * `npm run fuzz:web -- --seed <seed> --case <index>`; `npm run fuzz` runs it for a minute on a new seed.
 * Every finding so far is a regression test in src/main/web/hostile-requests.spec.ts.
 */
import { describe, expect, it } from 'vitest';
import { fuzzWebSurface, generateCase } from './web-surface.fuzz.ts';

const SEED = 20261203;

describe('web surface fuzzer', () => {
  it('generates the same case from the same seed and index', () => {
    expect(generateCase(SEED, 17, 5173, 'tok')).toEqual(generateCase(SEED, 17, 5173, 'tok'));
    expect(generateCase(SEED, 17, 5173, 'tok')).not.toEqual(generateCase(SEED, 18, 5173, 'tok'));
  });

  it('finds nothing in a short seeded run against the real server', async () => {
    const report = await fuzzWebSurface({ seed: SEED, timeMs: 5_000, cases: 400 });
    expect(report.cases).toBeGreaterThan(20);
    expect(report.findings).toEqual([]);
  }, 60_000);
});
