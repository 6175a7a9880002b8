/**
 * A seeded, bounded fuzzer for the audio decoders (src/main/audio/decode-audio.ts: our WAV reader
 * and the WASM builds of libFLAC, libvorbis, libopus and mpg123) and, for some cases, the whole
 * reference import (decode, downmix, resample). Inputs are byte mutants of small valid files of
 * every format (fuzz/audio-corpus/ and WAVs made here).
 *
 * What counts as a finding: any error that is not our AudioDecodeError (a raw TypeError,
 * RangeError, a WASM trap that escaped), a result that breaks the decoder's promise (no channel,
 * channels of different lengths, a non-finite sample, a sample rate outside what we read), a case
 * slower than SLOW_MS, or an uncaught exception / unhandled rejection while it ran. Each case
 * draws from its own generator, so a finding replays alone from its seed and case number; with
 * --save <dir> its bytes are written there to become a fixture in fuzz/audio-findings/.
 *
 *   npm run fuzz:audio -- [--seed <n>] [--seconds <s>] [--cases <n>] [--case <i>] [--save <dir>]
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { AudioDecodeError } from '../src/shared/errors.ts';
import { decodeAudio, MAX_SAMPLE_RATE, MIN_SAMPLE_RATE, type DecodeLimits } from '../src/main/audio/decode-audio.ts';
import { importReference } from '../src/main/audio/reference-import.ts';
import { encodeWav } from '../src/main/audio/wav.ts';
import { hexPreview, mutate } from './audio-mutate.ts';
import { fuzzLoop, isEntryModule, runFuzzCli, type FuzzOptions, type FuzzReport } from './fuzz-runner.ts';
import { FuzzRandom } from './prng.ts';

/** Small limits keep every case fast; the limit checks themselves are part of what is fuzzed. */
export const FUZZ_LIMITS: DecodeLimits = { maxFileBytes: 1 << 20, maxDecodedBytes: 32 << 20 };
/** A case using more CPU than this is a finding: a small file decodes in milliseconds. */
const SLOW_MS = 3000;

export interface AudioFinding {
  seed: number;
  index: number;
  seedFile: string;
  problem: string;
  preview: string;
  bytes: Uint8Array;
}

export type AudioFuzzReport = FuzzReport<AudioFinding>;
export type AudioFuzzOptions = FuzzOptions;

const tone = (n: number, rate: number, hz: number) => Float32Array.from({ length: n }, (_, i) => 0.5 * Math.sin((2 * Math.PI * hz * i) / rate));

/** MPEG-1 Layer II frames with no bits allocated (valid silence): the decoder reads .mp2 too. */
function mp2Seed(): Uint8Array {
  const frame = 626;
  const out = new Uint8Array(frame * 12);
  for (let f = 0; f < 12; f++) out.set([0xff, 0xfd, 0xa0, 0x00], f * frame);
  return out;
}

/** The seed inputs: every container the decoder reads, small. */
export function audioSeeds(): Array<{ name: string; bytes: Uint8Array }> {
  const dir = resolve(import.meta.dirname, 'audio-corpus');
  const files = readdirSync(dir)
    .sort()
    .map((name) => ({ name, bytes: new Uint8Array(readFileSync(join(dir, name))) }));
  return [
    { name: 'pcm16-8k-mono.wav', bytes: encodeWav([tone(2400, 8000, 1000)], 8000, 'pcm16') },
    { name: 'float32-44k-stereo.wav', bytes: encodeWav([tone(4410, 44100, 440), tone(4410, 44100, 660)], 44100, 'float32', { loop: { start: 10, end: 4000 } }) },
    { name: 'pcm24-48k-mono.wav', bytes: encodeWav([tone(4800, 48000, 3000)], 48000, 'pcm24', { chunks: [{ id: 'LIST', body: new TextEncoder().encode('INFOINAM\x04\x00\x00\x00abc\x00') }] }) },
    { name: 'silence.mp2', bytes: mp2Seed() },
    ...files,
  ];
}

/** What the decoder promises about a result; the first broken promise, or null. */
function brokenPromise(out: { sampleRate: number; channels: Float32Array[]; notices: string[] }): string | null {
  if (!Number.isInteger(out.sampleRate) || out.sampleRate < MIN_SAMPLE_RATE || out.sampleRate > MAX_SAMPLE_RATE) return `sample rate ${out.sampleRate} outside ${MIN_SAMPLE_RATE}..${MAX_SAMPLE_RATE}`;
  if (out.channels.length < 1 || out.channels.length > 255) return `${out.channels.length} channels`;
  const n = out.channels[0].length;
  if (n < 1) return 'no samples';
  for (const [c, channel] of out.channels.entries()) {
    if (channel.length !== n) return `channel ${c} has ${channel.length} samples, channel 0 has ${n}`;
    for (let i = 0; i < channel.length; i++) if (!Number.isFinite(channel[i])) return `channel ${c} sample ${i} is ${channel[i]}`;
  }
  if (!out.notices.every((s) => typeof s === 'string' && s.length > 0)) return 'a notice that is not a sentence';
  return null;
}

/** The input of case `index`: a mutant of one seed (sometimes spliced with another). */
export function audioCase(seed: number, index: number, seeds = audioSeeds()): { seedFile: string; bytes: Uint8Array; fullImport: boolean } {
  const rng = FuzzRandom.forCase(seed, index);
  const base = rng.pick(seeds);
  const other = rng.pick(seeds);
  return { seedFile: base.name, bytes: mutate(rng, base.bytes, other.bytes, 5), fullImport: rng.chance(0.1) };
}

/** Runs one input through the decoder (and maybe the whole import); the problems it shows. */
export async function checkAudioInput(bytes: Uint8Array, name: string, fullImport: boolean): Promise<string[]> {
  const problems: string[] = [];
  const started = process.cpuUsage(); // CPU time: other work on the machine does not make a case slow
  try {
    const decoded = await decodeAudio(bytes, name, FUZZ_LIMITS);
    const broken = brokenPromise(decoded);
    if (broken) problems.push(`decodeAudio returned a result that breaks its promise: ${broken}`);
    if (fullImport && !broken) {
      try {
        const clip = await importReference({ bytes, name }, 16000, FUZZ_LIMITS);
        const bad = clip.samples.findIndex((v) => !Number.isFinite(v));
        if (bad >= 0) problems.push(`importReference returned a non-finite sample at ${bad}`);
      } catch (error) {
        if (!(error instanceof AudioDecodeError) && !(error instanceof Error && error.name === 'InvalidRequestError')) {
          problems.push(`importReference threw ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
        }
      }
    }
  } catch (error) {
    if (!(error instanceof AudioDecodeError)) problems.push(`decodeAudio threw ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
    else if (!error.hint) problems.push('an AudioDecodeError without a hint');
  }
  const used = process.cpuUsage(started);
  const ms = (used.user + used.system) / 1000;
  if (ms > SLOW_MS) problems.push(`took ${ms.toFixed(0)} ms of CPU`);
  return problems;
}

export function fuzzAudioDecoders(options: AudioFuzzOptions): Promise<AudioFuzzReport> {
  const { seed } = options;
  return fuzzLoop(options, {
    title: 'audio decoders',
    catchCrashes: true,
    // The WASM decoders print every damaged frame ("MPG123_ERR", "OPUS_INVALID_PACKET") to the
    // console; thousands of those would bury the report. Restored when the run ends.
    quietConsole: true,
    open: () => audioSeeds(),
    async runCase(index, seeds, context) {
      const input = audioCase(seed, index, seeds);
      const problems = await checkAudioInput(input.bytes, input.seedFile, input.fullImport);
      await new Promise((settle) => setImmediate(settle)); // let a stray rejection surface inside its case
      problems.push(...context.crashes());
      return {
        label: `from ${input.seedFile}`,
        problems,
        finding: (problem) => ({ seed, index, seedFile: input.seedFile, problem, preview: hexPreview(input.bytes), bytes: input.bytes }),
      };
    },
  });
}

if (isEntryModule(import.meta.url)) {
  runFuzzCli('audio', fuzzAudioDecoders, { save: { field: 'bytes', file: (finding) => `audio-${finding.seed}-${finding.index}.bin` } });
}
