/**
 * Every finding of the metadata fuzzer, kept as a fixture in fuzz/metadata-findings/ (gzipped when
 * large) and read back here through every reader: none may throw, be slow, or return a recipe its
 * validator would change.
 *   seed3-case1500-ixml-entity-flood.wav: a take whose iXML grew to 551 KiB of `&amp;` (seed 3,
 *     case 1500); parsing it took over a second of a busy machine. iXML chunks over 512 KiB are now
 *     refused unread (ixml-user.ts MAX_IXML_BYTES).
 *   junk-chunk-flood-1m.wav: a take behind a million empty `JUNK` chunks (8 MB; the flood mutation
 *     of the metadata fuzzer). listWavChunks listed them all: 50 MB of them took 10 s of CPU and
 *     1.1 GB on the service's thread. A RIFF level is now walked for at most MAX_WAV_CHUNKS chunks.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readRecipe } from '../src/main/library/wav-metadata.ts';
import { checkMetadataInput } from './metadata-readers.fuzz.ts';

const DIR = join(import.meta.dirname, 'metadata-findings');

describe('metadata fuzzer findings', () => {
  for (const name of readdirSync(DIR).sort()) {
    it(`${name} reads without a problem`, () => {
      const raw = readFileSync(join(DIR, name));
      const bytes = new Uint8Array(name.endsWith('.gz') ? gunzipSync(raw) : raw);
      expect(checkMetadataInput(/\.json(\.gz)?$/.test(name) ? 'sidecar' : 'wav', bytes)).toEqual([]);
      const cpu = process.cpuUsage();
      readRecipe(bytes);
      const used = process.cpuUsage(cpu);
      expect((used.user + used.system) / 1000).toBeLessThan(100);
    });
  }
});
