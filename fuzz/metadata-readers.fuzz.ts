/**
 * A seeded, bounded fuzzer for the WAV metadata readers (src/main/library/wav-metadata.ts and the
 * chunk readers under it): readRecipe (iXML), readBext, readListInfo, readSmplLoops,
 * readCueMarkers, listWavChunks, and readSidecar for the `.json` beside a take. Inputs are takes as
 * LOA Studio writes them, mutated byte by byte, and their iXML mutated as text with the markup
 * that made the old regex reader quadratic (`<USER `, `<![CDATA[`, NUL runs, entities), sometimes
 * repeated to hundreds of kilobytes.
 *
 * What counts as a finding: an error other than AudioDecodeError (which only bytes that are not
 * RIFF/WAVE may cause), a case slower than SLOW_MS, or a recipe read back that its own validator
 * would refuse. Replays from (seed, case); --save <dir> keeps a finding's bytes for a fixture in
 * fuzz/metadata-findings/.
 *
 *   npm run fuzz:metadata -- [--seed <n>] [--seconds <s>] [--cases <n>] [--case <i>] [--save <dir>]
 */
import { AudioDecodeError } from '../src/shared/errors.ts';
import type { Recipe } from '../src/shared/library/recipe.ts';
import { readCueMarkers } from '../src/main/audio/wav-cues.ts';
import { encodeWav, listWavChunks, readSmplLoops, type WavChunk } from '../src/main/audio/wav.ts';
import { makeRecipe } from '../src/main/library/make-recipe.ts';
import { parseRecipe, readBext, readListInfo, readRecipe, readSidecar, recipeChunks, sidecarJson } from '../src/main/library/wav-metadata.ts';
import { hexPreview, mutate } from './audio-mutate.ts';
import { fuzzLoop, isEntryModule, runFuzzCli, type FuzzOptions, type FuzzReport } from './fuzz-runner.ts';
import { FuzzRandom } from './prng.ts';

/** CPU time per case: linear readers answer a 300 KB chunk in milliseconds; the old quadratic ones took a minute. */
const SLOW_MS = 500;

export interface MetadataFinding {
  seed: number;
  index: number;
  kind: 'wav' | 'sidecar';
  problem: string;
  preview: string;
  bytes: Uint8Array;
}

export type MetadataFuzzReport = FuzzReport<MetadataFinding>;
export type MetadataFuzzOptions = FuzzOptions;

const utf8 = new TextEncoder();
const MODEL = { bundleId: 'tiny-random', bundleName: 'Tiny', bundleHash: 'ab'.repeat(32), provider: 'cpu', sampleRate: 16000 } as const;

function recipeFor(prompt: string, seed: number, loop: boolean): Recipe {
  const samples = Float32Array.from({ length: 1600 }, (_, i) => 0.3 * Math.sin(i / 9));
  const params = { prompt, negativePrompt: 'Low quality.', seconds: 1, steps: 4, scheduler: 'ddim' as const, guidance: 2, seed, takes: 1 };
  const take = { index: 0, seed, samples, score: null, ...(loop ? { loop: { start: 10, end: 1500 } } : {}) };
  return makeRecipe({ kind: 'generate', params }, take as never, MODEL as never, undefined, new Date('2026-01-02T03:04:05Z'));
}

/** Takes as LOA Studio writes them: recipe chunks (bext, iXML, LIST/INFO), a loop, odd sizes. */
export function metadataSeeds(): Array<{ recipe: Recipe; bytes: Uint8Array; chunks: WavChunk[] }> {
  return [recipeFor('glass shattering on concrete', 7, false), recipeFor('CDATA end ]]> and <&> "quotes" 🎸 verre brisé\r\nsecond line', 12, true), recipeFor('x', 1, false)].map((recipe) => {
    const chunks = recipeChunks(recipe, { takeId: 'take-1' });
    const samples = Float32Array.from({ length: recipe.samples }, (_, i) => 0.3 * Math.sin(i / 9));
    return { recipe, chunks, bytes: encodeWav([samples], 16000, 'float32', { chunks, ...(recipe.loop ? { loop: recipe.loop } : {}) }) };
  });
}

const XML_TOKENS = [
  '<USER>',
  '</USER>',
  '<USER ',
  '<![CDATA[',
  ']]>',
  '&amp;',
  '&lt;',
  '&#x1F600;',
  '&#0;',
  '&#1114112;',
  '&bogus;',
  '&',
  '<!--',
  '-->',
  '<BWFXML>',
  '</BWFXML>',
  '<?xml version="1.0"?>',
  '<!DOCTYPE x [<!ENTITY a "aaaa">]>',
  '&a;',
  '\0',
  '\uFFFE',
  '\uD800',
  '"',
  '{',
  '}',
  '<',
  '>',
];

/** The iXML body mutated as text: tokens inserted, sometimes one repeated to 100–300 KB. */
function mutateIxml(rng: FuzzRandom, xml: string): string {
  let s = xml;
  for (let n = rng.range(1, 6); n > 0; n--) {
    const at = rng.int(s.length + 1);
    const token = rng.pick(XML_TOKENS);
    const repeat = rng.chance(0.1) ? Math.ceil(rng.range(100_000, 300_000) / token.length) : rng.chance(0.3) ? rng.range(2, 50) : 1;
    s = rng.chance(0.2) ? s.slice(0, at) + token.repeat(repeat) : s.slice(0, at) + token.repeat(repeat) + s.slice(at + rng.int(8));
  }
  return s;
}

/** A take with thousands to a million empty chunks before its own: the readers must not list them all. */
function chunkFlood(rng: FuzzRandom, take: Uint8Array): Uint8Array {
  const count = rng.chance(0.2) ? rng.range(100_000, 1_000_000) : rng.range(1, 20_000);
  const out = new Uint8Array(take.length + 8 * count);
  out.set(take.subarray(0, 12));
  const id = rng.pick(['JUNK', 'LIST', 'iXML', 'data', '\0\0\0\0']);
  for (let i = 0, p = 12; i < count; i++, p += 8) for (let k = 0; k < 4; k++) out[p + k] = id.charCodeAt(k);
  out.set(take.subarray(12), 12 + 8 * count);
  return out;
}

/** The input of case `index`: a WAV (byte or iXML mutant) or a sidecar text mutant. */
export function metadataCase(seed: number, index: number, seeds = metadataSeeds()): { kind: 'wav' | 'sidecar'; bytes: Uint8Array } {
  const rng = FuzzRandom.forCase(seed, index);
  const base = rng.pick(seeds);
  const mode = rng.int(10);
  if (mode < 4) return { kind: 'wav', bytes: mutate(rng, base.bytes, rng.pick(seeds).bytes, 4) };
  if (mode === 7) return { kind: 'wav', bytes: chunkFlood(rng, base.bytes) };
  if (mode < 7) {
    const chunks = base.chunks.map((c) => (c.id === 'iXML' ? { id: 'iXML', body: utf8.encode(mutateIxml(rng, new TextDecoder().decode(c.body))) } : c));
    const wav = encodeWav([new Float32Array(160)], 16000, 'float32', { chunks });
    return { kind: 'wav', bytes: rng.chance(0.3) ? mutate(rng, wav, base.bytes, 2) : wav };
  }
  return { kind: 'sidecar', bytes: mutate(rng, utf8.encode(sidecarJson(base.recipe)), utf8.encode('{"loaStudio":1,"recipe":null}'), 4) };
}

const describe = (error: unknown) => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));

/** Every reader on one input; the problems it shows. */
export function checkMetadataInput(kind: 'wav' | 'sidecar', bytes: Uint8Array): string[] {
  const problems: string[] = [];
  const started = process.cpuUsage(); // CPU time: other work on the machine does not make a case slow
  if (kind === 'sidecar') {
    try {
      const recipe = readSidecar(new TextDecoder().decode(bytes));
      if (recipe && JSON.stringify(parseRecipe(JSON.parse(JSON.stringify(recipe)))) !== JSON.stringify(recipe)) problems.push('readSidecar returned a recipe its validator changes');
    } catch (error) {
      problems.push(`readSidecar threw ${describe(error)}`);
    }
  } else {
    const isRiff = bytes.length >= 12 && String.fromCharCode(...bytes.subarray(0, 4)) === 'RIFF' && String.fromCharCode(...bytes.subarray(8, 12)) === 'WAVE';
    const readers: Array<[string, () => unknown]> = [
      ['listWavChunks', () => listWavChunks(bytes)],
      ['readRecipe', () => readRecipe(bytes)],
      ['readBext', () => readBext(bytes)],
      ['readListInfo', () => readListInfo(bytes)],
      ['readSmplLoops', () => readSmplLoops(bytes)],
      ['readCueMarkers', () => readCueMarkers(bytes)],
    ];
    for (const [name, read] of readers) {
      try {
        const out = read();
        if (name === 'readRecipe' && out !== null) {
          const again = parseRecipe(JSON.parse(JSON.stringify(out)));
          if (JSON.stringify(again) !== JSON.stringify(out)) problems.push('readRecipe returned a recipe its validator changes');
        }
      } catch (error) {
        if (!(error instanceof AudioDecodeError) || isRiff) problems.push(`${name} threw ${describe(error)}`);
      }
    }
  }
  const used = process.cpuUsage(started);
  const ms = (used.user + used.system) / 1000;
  if (ms > SLOW_MS) problems.push(`took ${ms.toFixed(0)} ms of CPU`);
  return problems;
}

export function fuzzMetadataReaders(options: MetadataFuzzOptions): Promise<MetadataFuzzReport> {
  const { seed } = options;
  return fuzzLoop(options, {
    title: 'metadata readers',
    yieldEvery: 50, // the readers are synchronous: stay interruptible
    open: () => metadataSeeds(),
    runCase(index, seeds) {
      const input = metadataCase(seed, index, seeds);
      return {
        label: input.kind,
        problems: checkMetadataInput(input.kind, input.bytes),
        finding: (problem) => ({ seed, index, kind: input.kind, problem, preview: hexPreview(input.bytes), bytes: input.bytes }),
      };
    },
  });
}

if (isEntryModule(import.meta.url)) {
  runFuzzCli('metadata', fuzzMetadataReaders, {
    save: { field: 'bytes', file: (finding) => `metadata-${finding.seed}-${finding.index}.${finding.kind === 'wav' ? 'wav' : 'json'}` },
  });
}
