// What every decoder in decode-audio.ts shares: the limits on what is read, the context of one
// decode (the file's label and the notices so far), and the errors worded the same for each format.
import { AudioDecodeError } from '../../shared/errors.ts';
import { MAX_WAV_SAMPLE_RATE } from './wav.ts';

export interface DecodeLimits {
  /** Larger inputs are refused before decoding starts. */
  maxFileBytes: number;
  /** Decoded float32 audio (all channels) may not grow past this. */
  maxDecodedBytes: number;
}

/** 2 GiB: also the most Node's readFile returns in one buffer. */
export const MAX_AUDIO_FILE_BYTES = 2 ** 31;
/** 2 GiB of float32 samples: e.g. 1 h 41 min of 44.1 kHz stereo. */
export const MAX_DECODED_BYTES = 2 ** 31;
export const DEFAULT_DECODE_LIMITS: DecodeLimits = { maxFileBytes: MAX_AUDIO_FILE_BYTES, maxDecodedBytes: MAX_DECODED_BYTES };

/**
 * Sample rates LOA Studio reads. Below 1 kHz there is no sound to speak of (a header saying 2 Hz is
 * damage or a trick), and the resampler cannot bridge more than a 256× ratio (libsamplerate's
 * SRC_MAX_RATIO); 1 kHz to a 192 kHz target stays inside it. Above 768 kHz no converter records.
 */
export const MIN_SAMPLE_RATE = 1000;
export const MAX_SAMPLE_RATE = MAX_WAV_SAMPLE_RATE;

export const DAMAGED_HINT = 'Open the file in an audio editor or player to check it, then export it again as WAV or FLAC.';
export const TOO_LONG_HINT = 'Cut the part you need (a reference uses at most 10 minutes) in an audio editor and import that.';

export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(2)} s`;
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = Math.floor(seconds % 60);
  return h > 0 ? `${h} h ${m} min` : `${m} min ${s} s`;
}

export function formatBytes(bytes: number): string {
  if (bytes >= 2 ** 30) return `${(bytes / 2 ** 30).toFixed(1)} GiB`;
  if (bytes >= 2 ** 20) return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

/** Where decoding stands, shared by every format so the checks read the same. */
export interface Context {
  label: string;
  limits: DecodeLimits;
  notices: string[];
}

export function tooLong(ctx: Context, frames: number, rate: number, channels: number, exact: boolean): AudioDecodeError {
  const bytes = frames * channels * 4;
  const need = exact ? `would need ${formatBytes(bytes)}` : `would need more than ${formatBytes(bytes)}`;
  return new AudioDecodeError(
    `${ctx.label} is too long to open: ${exact ? '' : 'over '}${formatDuration(frames / rate)} at ${rate} Hz in ${channels} channel${channels === 1 ? '' : 's'} ${need} of memory (the limit is ${formatBytes(ctx.limits.maxDecodedBytes)}).`,
    TOO_LONG_HINT,
  );
}

export function noAudio(ctx: Context, why: string): AudioDecodeError {
  return new AudioDecodeError(`${ctx.label} holds no audio: ${why}.`, 'Record or export the clip again, then import the new file.');
}

/** Refuses a sample rate outside MIN_SAMPLE_RATE..MAX_SAMPLE_RATE, before anything is decoded or resampled. */
export function checkSampleRate(ctx: Context, rate: number): void {
  if (Number.isInteger(rate) && rate >= MIN_SAMPLE_RATE && rate <= MAX_SAMPLE_RATE) return;
  throw new AudioDecodeError(
    `${ctx.label} gives its sample rate as ${rate} Hz; LOA Studio reads audio from ${MIN_SAMPLE_RATE} Hz to ${MAX_SAMPLE_RATE} Hz (a rate outside that means a damaged header, or data that is not sound).`,
    'If the file plays correctly in other players, export it again as WAV at 16 kHz or higher (any audio editor can), then import that.',
  );
}
