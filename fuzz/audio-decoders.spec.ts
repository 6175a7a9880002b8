/**
 * The audio decoder fuzzer as part of `npm test`: a short seeded run (a few seconds) must find
 * nothing. The seed is fixed, so a failure replays exactly with
 * `npm run fuzz:audio -- --seed <seed> --case <index>`; `npm run fuzz` runs it longer on a new seed.
 * Findings become fixtures in fuzz/audio-findings/, read back by fuzz/audio-findings.spec.ts.
 */
import { describe, expect, it } from 'vitest';
import { decodeAudio } from '../src/main/audio/decode-audio.ts';
import { audioCase, audioSeeds, fuzzAudioDecoders } from './audio-decoders.fuzz.ts';

const SEED = 20261203;

describe('audio decoder fuzzer', () => {
  it('starts from a valid file of every format the decoder reads', async () => {
    const formats = new Set<string>();
    for (const { bytes, name } of audioSeeds()) formats.add((await decodeAudio(bytes, name)).format.replace(/^wav-.*/, 'wav'));
    expect([...formats].sort()).toEqual(['flac', 'mp2', 'mp3', 'ogg-opus', 'ogg-vorbis', 'wav']);
  });

  it('generates the same case from the same seed and index', () => {
    expect(audioCase(SEED, 17)).toEqual(audioCase(SEED, 17));
    expect(audioCase(SEED, 17).bytes).not.toEqual(audioCase(SEED, 18).bytes);
  });

  it('finds nothing in a short seeded run', async () => {
    // Bounded by count (deterministic), with a time cap for a very busy machine.
    const report = await fuzzAudioDecoders({ seed: SEED, timeMs: 20_000, cases: 60 });
    expect(report.cases).toBeGreaterThanOrEqual(10);
    expect(report.findings.map(({ bytes: _bytes, ...finding }) => finding)).toEqual([]);
  }, 60_000);
});
