// Turns a user's audio file into a reference clip for the engine: decode (any accepted format),
// keep the first MAX_REFERENCE_SECONDS, downmix to mono, resample to the model's rate with
// libsamplerate's medium sinc (stopband below −100 dB, ~3× faster than its best: BENCHMARKS.md). Trimming comes before the downmix and the resampler so a long file costs only
// the part that is used.
import { open, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { AudioDecodeError, InvalidRequestError, LoaError } from '../../shared/errors.ts';
import { decodeAudio, DEFAULT_DECODE_LIMITS, type DecodeLimits } from './decode-audio.ts';
import { resampleSinc } from './resample-best.ts';

/** Longer clips are cut to their first ten minutes: more says nothing new about a sound and costs memory and time. */
export const MAX_REFERENCE_SECONDS = 600;
/** Shorter clips are refused: under 0.1 s there is no timbre to follow, only a click. */
export const MIN_REFERENCE_SECONDS = 0.1;

export interface ReferenceClip {
  /** Mono, at `sampleRate`. */
  samples: Float32Array;
  sampleRate: number;
  sourceRate: number;
  sourceChannels: number;
  sourceFormat: string;
  durationSeconds: number;
  /** What the user should know about the file and what was done to it, one sentence each. */
  notices: string[];
}

/** The mean of the channels' first `frames` samples (equal weights: no channel layout is assumed). */
export function downmixToMono(channels: Float32Array[], frames: number = channels[0]?.length ?? 0): Float32Array {
  const out = new Float32Array(frames);
  for (const c of channels) for (let i = 0; i < frames; i++) out[i] += c[i];
  if (channels.length > 1) for (let i = 0; i < frames; i++) out[i] /= channels.length;
  return out;
}

function checkTargetRate(targetRate: number): void {
  if (!Number.isInteger(targetRate) || targetRate < 8000 || targetRate > 192_000) {
    throw new InvalidRequestError(
      'targetRate',
      `The reference sample rate must be a whole number of Hz from 8000 to 192000, got ${targetRate}.`,
      "Use the model's sample rate (16000 for AudioLDM 2).",
    );
  }
}

const minutes = (seconds: number): string => `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;

/**
 * Decodes `input.bytes` (format told by content; `input.name` only words the messages) and returns
 * a mono clip at `targetRate`, at most MAX_REFERENCE_SECONDS long. Throws AudioDecodeError for a
 * file it cannot read, InvalidRequestError for a clip shorter than MIN_REFERENCE_SECONDS.
 */
export async function importReference(
  input: { bytes: Uint8Array; name?: string },
  targetRate: number,
  limits: Partial<DecodeLimits> = {},
  onProgress?: (fraction: number) => void,
): Promise<ReferenceClip> {
  checkTargetRate(targetRate);
  const decoded = await decodeAudio(input.bytes, input.name, limits);
  const notices = [...decoded.notices];
  const sourceRate = decoded.sampleRate;
  const sourceFrames = decoded.channels[0].length;
  const keep = Math.min(sourceFrames, Math.floor(MAX_REFERENCE_SECONDS * sourceRate));
  if (keep < sourceFrames) {
    notices.push(`The clip is ${minutes(sourceFrames / sourceRate)} long: only its first ${MAX_REFERENCE_SECONDS / 60} minutes are used as the reference.`);
  }
  // Resampling is most of the time a long clip takes: it reports how far it has got.
  const samples = await resampleSinc(downmixToMono(decoded.channels, keep), sourceRate, targetRate, { quality: 'medium', onProgress });
  onProgress?.(1);
  const durationSeconds = samples.length / targetRate;
  if (durationSeconds < MIN_REFERENCE_SECONDS) {
    const label = input.name ? `"${basename(input.name)}"` : 'The clip';
    throw new InvalidRequestError(
      'reference',
      `${label} is only ${(durationSeconds * 1000).toFixed(0)} ms long; a reference needs at least ${MIN_REFERENCE_SECONDS * 1000} ms of sound.`,
      'Choose a longer clip (a second or more works best).',
    );
  }
  return {
    samples,
    sampleRate: targetRate,
    sourceRate,
    sourceChannels: decoded.channels.length,
    sourceFormat: decoded.format,
    durationSeconds,
    notices,
  };
}

function ioError(path: string, error: unknown): LoaError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return new LoaError('IO_FAILED', `Cannot import ${path}: the file does not exist.`, 'Check the path, or choose the file again.');
  if (code === 'EACCES' || code === 'EPERM')
    return new LoaError('IO_FAILED', `Cannot import ${path}: permission denied.`, 'Copy the file somewhere you can read it (e.g. your Documents folder) and import the copy.');
  return new LoaError('IO_FAILED', `Cannot import ${path}: ${(error as Error).message}.`, 'Check that the file is readable, then try again.');
}

/** Reads exactly `size` bytes (what stat saw), so a file that grows meanwhile cannot make us read more. */
async function readAtMost(path: string, size: number): Promise<Uint8Array> {
  const handle = await open(path, 'r');
  try {
    const bytes = new Uint8Array(size);
    let at = 0;
    while (at < size) {
      const { bytesRead } = await handle.read(bytes, at, size - at, at);
      if (bytesRead === 0) break;
      at += bytesRead;
    }
    return bytes.subarray(0, at);
  } finally {
    await handle.close();
  }
}

/**
 * importReference for a file on disk. Checks it is a regular file under the size limit before
 * reading a byte; errors name the file.
 */
export async function importReferenceFile(path: string, targetRate: number, limits: Partial<DecodeLimits> = {}, onProgress?: (fraction: number) => void): Promise<ReferenceClip> {
  checkTargetRate(targetRate);
  const maxFileBytes = limits.maxFileBytes ?? DEFAULT_DECODE_LIMITS.maxFileBytes;
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    throw ioError(path, error);
  }
  if (info.isDirectory()) throw new LoaError('IO_FAILED', `Cannot import ${path}: it is a folder, not an audio file.`, 'Choose an audio file inside the folder.');
  // A FIFO or device would block or never end; only plain files are read.
  if (!info.isFile()) throw new LoaError('IO_FAILED', `Cannot import ${path}: it is not a regular file.`, 'Choose an audio file.');
  if (info.size > maxFileBytes) {
    throw new AudioDecodeError(
      `"${basename(path)}" is ${(info.size / 2 ** 30).toFixed(1)} GiB; audio files over ${(maxFileBytes / 2 ** 30).toFixed(1)} GiB are not read.`,
      'Cut the part you need (a reference uses at most 10 minutes) in an audio editor and import that.',
    );
  }
  let bytes;
  try {
    bytes = await readAtMost(path, info.size);
  } catch (error) {
    throw ioError(path, error);
  }
  return importReference({ bytes, name: basename(path) }, targetRate, limits, onProgress);
}
