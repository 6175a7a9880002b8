// Runs a WASM streaming decoder (FLAC, Vorbis, Opus, MPEG) over a file's bytes, a slice at a
// time, so the memory limit is checked as the audio grows and damage keeps what came before it.
import { AudioDecodeError } from '../../shared/errors.ts';
import { DAMAGED_HINT, formatDuration, noAudio, tooLong, type Context } from './decode-context.ts';

interface DecodedChunk {
  channelData: Float32Array[];
  samplesDecoded: number;
  sampleRate: number;
  errors: { message: string }[];
}

export interface StreamingDecoder {
  ready: Promise<void>;
  decode(data: Uint8Array): DecodedChunk | Promise<DecodedChunk>;
  flush?(): Promise<DecodedChunk>;
  free(): void;
}

/** Input is fed in slices this big, so the memory limit is checked every few seconds of audio. */
const FEED_BYTES = 1 << 16;

/**
 * Feeds `bytes` to a streaming decoder slice by slice, checking the decoded size against the limit
 * as it grows. Keeps the first stream's rate and channel count; stops (with a notice) where a
 * chained stream changes them, or where the decoder gives up after some audio.
 */
export async function decodeStream(decoder: StreamingDecoder, bytes: Uint8Array, name: string, ctx: Context): Promise<{ sampleRate: number; channels: Float32Array[] }> {
  const parts: Float32Array[][] = [];
  let frames = 0;
  let sampleRate = 0;
  let channelCount = 0;
  let damagedFrames = 0;
  let stop = false;
  const take = (chunk: DecodedChunk): void => {
    damagedFrames += chunk.errors.length;
    if (chunk.channelData.length === 0) return;
    const n = Math.min(chunk.samplesDecoded, ...chunk.channelData.map((c) => c.length));
    if (!(n > 0)) return; // without samples, a chunk's rate and channel fields are not meaningful
    if (frames === 0) {
      sampleRate = chunk.sampleRate;
      channelCount = chunk.channelData.length;
    } else if (chunk.sampleRate !== sampleRate || chunk.channelData.length !== channelCount) {
      ctx.notices.push(`The file changes its sample rate or channel count at ${formatDuration(frames / sampleRate)} (several recordings joined into one file): only the first part was read.`);
      stop = true;
      return;
    }
    if ((frames + n) * channelCount * 4 > ctx.limits.maxDecodedBytes) throw tooLong(ctx, frames + n, sampleRate, channelCount, false);
    parts.push(chunk.channelData.map((c) => c.subarray(0, n)));
    frames += n;
  };
  await decoder.ready;
  try {
    for (let p = 0; p < bytes.length && !stop; p += FEED_BYTES) take(await decoder.decode(bytes.subarray(p, p + FEED_BYTES)));
    if (!stop && decoder.flush) take(await decoder.flush());
  } catch (e) {
    if (e instanceof AudioDecodeError) throw e;
    // The WASM wrappers throw plain errors (e.g. a DataView RangeError) on some damaged input.
    if (frames === 0) {
      throw new AudioDecodeError(`${ctx.label} is damaged: the ${name} decoder could not read it (${(e as Error).message}).`, DAMAGED_HINT);
    }
    ctx.notices.push(`The file is damaged after ${formatDuration(frames / sampleRate)}: only the audio before that point was read.`);
  } finally {
    // After a WASM trap the instance's memory is in an unknown state and freeing it can trap again;
    // the instance is dropped either way, and the first failure has already been reported.
    try {
      decoder.free();
    } catch {
      // nothing to add: see above
    }
  }
  if (frames === 0) {
    throw damagedFrames > 0
      ? new AudioDecodeError(`${ctx.label} is damaged: the ${name} decoder found no readable audio in it.`, DAMAGED_HINT)
      : noAudio(ctx, `the ${name} decoder found no audio frames after its header (the file is empty, cut short or damaged)`);
  }
  if (damagedFrames > 0) {
    ctx.notices.push(`The ${name} decoder skipped ${damagedFrames} damaged frame${damagedFrames === 1 ? '' : 's'}: expect a gap or a click there.`);
  }
  const channels = Array.from({ length: channelCount }, () => new Float32Array(frames));
  let at = 0;
  for (const part of parts) {
    part.forEach((c, i) => channels[i].set(c, at));
    at += part[0].length;
  }
  return { sampleRate, channels };
}
