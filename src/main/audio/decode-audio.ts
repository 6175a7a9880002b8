// Decodes an audio file's bytes into float channels, whatever the container: WAV (our own reader),
// FLAC, Ogg Vorbis, Ogg Opus and MPEG audio (WASM builds of libFLAC, libvorbis, libopus and
// mpg123). The container is told by its first bytes, never by the file name: users rename files,
// and a wrong extension should cost a notice, not an import. Everything a user could hand us is
// checked before anything big is allocated; damage decodes what it can and says so in `notices`.
import { FLACDecoder } from '@wasm-audio-decoders/flac';
import { OggVorbisDecoder } from '@wasm-audio-decoders/ogg-vorbis';
import { MPEGDecoder } from 'mpg123-decoder';
import { OggOpusDecoder } from 'ogg-opus-decoder';
import { AudioDecodeError } from '../../shared/errors.ts';
import { ascii, EXTENSION_FAMILIES, FAMILY, hexHead, readU32BE, readU32LE, sniffAudio, type MpegHeader } from './audio-sniff.ts';
import { checkSampleRate, DAMAGED_HINT, DEFAULT_DECODE_LIMITS, formatBytes, formatDuration, noAudio, tooLong, TOO_LONG_HINT, type Context, type DecodeLimits } from './decode-context.ts';
import { decodeStream } from './decode-stream.ts';
import { walkOgg } from './ogg-layout.ts';
import { readWavLayout, decodeWav, type WavSampleFormat } from './wav.ts';

export { DEFAULT_DECODE_LIMITS, MAX_AUDIO_FILE_BYTES, MAX_DECODED_BYTES, MAX_SAMPLE_RATE, MIN_SAMPLE_RATE, type DecodeLimits } from './decode-context.ts';
export { sniffAudio, type SniffedAudio } from './audio-sniff.ts';

export type AudioFormat = `wav-${WavSampleFormat}` | 'flac' | 'mp3' | 'mp2' | 'mp1' | 'ogg-vorbis' | 'ogg-opus';

export interface DecodedAudio {
  sampleRate: number;
  /** One array per channel, all the same length, every sample finite. */
  channels: Float32Array[];
  format: AudioFormat;
  /** Things the user should know about the file (damage, renaming, silence, clipping), one sentence each. */
  notices: string[];
}

/** |x| at or above this counts as full scale when looking for clipping. */
export const CLIP_LEVEL = 0.999;
/** A clip is reported as clipped when at least this share of its samples sit at full scale. */
export const CLIPPED_SHARE = 0.001;
/** A clip whose peak stays below this (−80 dBFS) is reported as silent. */
export const SILENCE_PEAK = 1e-4;

const ACCEPTED_HINT = 'LOA Studio reads WAV (PCM or float), FLAC, MP3, Ogg Vorbis and Ogg Opus. Convert the file to one of these (WAV is safest), then import it again.';

// --- WAV -----------------------------------------------------------------------------------------

function decodeWavFile(bytes: Uint8Array, ctx: Context): { sampleRate: number; channels: Float32Array[]; format: AudioFormat } {
  let layout;
  try {
    layout = readWavLayout(bytes, { allowTruncated: true });
  } catch (e) {
    if (!(e instanceof AudioDecodeError)) throw e;
    throw new AudioDecodeError(`${ctx.label} is a WAV file LOA Studio cannot read: ${e.message}.`, e.hint);
  }
  const { frames, declaredFrames, sampleRate, channelCount } = layout;
  checkSampleRate(ctx, sampleRate);
  if (frames * channelCount * 4 > ctx.limits.maxDecodedBytes) throw tooLong(ctx, frames, sampleRate, channelCount, true);
  if (frames === 0) {
    throw noAudio(ctx, declaredFrames > 0 ? 'the file ends right after its header (it was cut short)' : 'its header is complete but it has no samples');
  }
  if (declaredFrames > frames) {
    ctx.notices.push(`The WAV file is shorter than its header says (cut short, or written by a recorder that never finished it): read the ${formatDuration(frames / sampleRate)} that are there.`);
  }
  const wav = decodeWav(bytes, { allowTruncated: true });
  return { sampleRate, channels: wav.channels, format: `wav-${wav.format}` };
}

// --- FLAC, Ogg and MPEG through the WASM decoders --------------------------------------------------

/** FLAC format spec §8.2 (STREAMINFO): rate (20 bits), channels−1 (3), bits−1 (5), total samples (36; 0 = unknown). */
function readStreamInfo(b: Uint8Array, at: number, ctx: Context): { sampleRate: number; channels: number; bitsPerSample: number; totalSamples: number } {
  const block = at + 4;
  const damaged = (why: string): AudioDecodeError => new AudioDecodeError(`${ctx.label} is a damaged FLAC file: ${why}.`, DAMAGED_HINT);
  if (block + 4 + 34 > b.length) throw noAudio(ctx, 'the FLAC file ends inside its header (it was cut short)');
  const length = (b[block + 1] << 16) | (b[block + 2] << 8) | b[block + 3];
  if ((b[block] & 0x7f) !== 0 || length !== 34) throw damaged('its first header block is not a valid STREAMINFO');
  const s = block + 4;
  const sampleRate = (b[s + 10] << 12) | (b[s + 11] << 4) | (b[s + 12] >> 4);
  const channels = ((b[s + 12] >> 1) & 7) + 1;
  const bitsPerSample = (((b[s + 12] & 1) << 4) | (b[s + 13] >> 4)) + 1;
  const totalSamples = (b[s + 13] & 0x0f) * 2 ** 32 + readU32BE(b, s + 14);
  if (sampleRate === 0) throw damaged('its header gives a sample rate of 0 Hz');
  return { sampleRate, channels, bitsPerSample, totalSamples };
}

async function decodeFlac(bytes: Uint8Array, offset: number, ctx: Context): Promise<{ sampleRate: number; channels: Float32Array[] }> {
  const info = readStreamInfo(bytes, offset, ctx);
  checkSampleRate(ctx, info.sampleRate);
  if (info.totalSamples * info.channels * 4 > ctx.limits.maxDecodedBytes) throw tooLong(ctx, info.totalSamples, info.sampleRate, info.channels, true);
  const decoded = await decodeStream(new FLACDecoder(), bytes.subarray(offset), 'FLAC', ctx);
  // The WASM build scales samples by 1/(2^(b−1) − 1); rescale to 1/2^(b−1), the WAV reader's (and
  // libsndfile's) convention, so a FLAC file and the WAV it was made from decode to the same floats.
  // Rounding recovers the integer exactly: the float32 error is below half a step up to 24 bits.
  const half = 2 ** (info.bitsPerSample - 1);
  for (const c of decoded.channels) for (let i = 0; i < c.length; i++) c[i] = Math.round(c[i] * (half - 1)) / half;
  const got = decoded.channels[0].length;
  if (info.totalSamples > got) {
    ctx.notices.push(
      // The decoder stops at the first frame it cannot parse, so damage and a cut look the same here.
      `The FLAC file is cut short or damaged: read the first ${formatDuration(got / decoded.sampleRate)} of the ${formatDuration(info.totalSamples / info.sampleRate)} its header promises.`,
    );
  }
  return decoded;
}

/** Checks the identification header's channels and rate before any decoder sees the stream; returns Opus's pre-skip. */
function checkOggHeader(b: Uint8Array, family: 'ogg-vorbis' | 'ogg-opus', ctx: Context): number {
  const packet = 27 + b[26];
  // Vorbis I spec §4.2.2: version(4) channels(1) rate(4) after "\x01vorbis";
  // RFC 7845 §5.1: version(1) channels(1) pre-skip(2) after "OpusHead".
  const vorbis = family === 'ogg-vorbis';
  if (packet + (vorbis ? 16 : 12) > b.length) throw noAudio(ctx, 'the file ends inside its header (it was cut short)');
  const channels = vorbis ? b[packet + 11] : b[packet + 9];
  const rate = vorbis ? readU32LE(b, packet + 12) : 48000;
  if (channels === 0 || rate === 0) {
    throw new AudioDecodeError(`${ctx.label} is a damaged Ogg file: its header gives ${channels} channels at ${rate} Hz.`, DAMAGED_HINT);
  }
  checkSampleRate(ctx, rate);
  return vorbis ? 0 : b[packet + 10] | (b[packet + 11] << 8);
}

async function decodeOgg(bytes: Uint8Array, family: 'ogg-vorbis' | 'ogg-opus', ctx: Context): Promise<{ sampleRate: number; channels: Float32Array[] }> {
  const preSkip = checkOggHeader(bytes, family, ctx);
  const layout = walkOgg(bytes);
  if (layout.firstStreamBytes < bytes.length) {
    ctx.notices.push('The file holds several recordings one after another (a chained Ogg file): only the first one was read.');
  }
  const decoder = family === 'ogg-vorbis' ? new OggVorbisDecoder() : new OggOpusDecoder();
  const name = family === 'ogg-vorbis' ? 'Vorbis' : 'Opus';
  const decoded = await decodeStream(decoder, bytes.subarray(0, layout.firstStreamBytes), name, ctx);
  if (layout.damagedPages > 0) {
    const n = layout.damagedPages;
    ctx.notices.push(`${n} Ogg page${n === 1 ? ' is' : 's are'} damaged (${n === 1 ? 'its checksum does' : 'their checksums do'} not match): expect a click or a gap there.`);
  }
  if (layout.ending !== 'complete') {
    ctx.notices.push(
      layout.ending === 'truncated'
        ? `The file ends early (it was cut short): read the ${formatDuration(decoded.channels[0].length / decoded.sampleRate)} that are there.`
        : 'Part of the Ogg stream is damaged: what could be decoded around it was read.',
    );
  } else if (layout.finalGranule !== null) {
    // The final granule position is the exact length (RFC 7845 §4.5 for Opus, after its pre-skip);
    // the decoders overshoot it for very short streams.
    const length = Math.max(0, layout.finalGranule - preSkip);
    if (length < decoded.channels[0].length) decoded.channels = decoded.channels.map((c) => c.subarray(0, length));
    if (length === 0) throw noAudio(ctx, `its ${name} stream is complete but holds no samples`);
  }
  return decoded;
}

/** The Xing/Info tag (LAME's VBR header, also written for CBR) gives the stream's byte count. */
function mpegDeclaredBytes(b: Uint8Array, at: number, h: MpegHeader): number | null {
  const tag = at + 4 + (h.mpeg1 ? (h.channels === 1 ? 17 : 32) : h.channels === 1 ? 9 : 17);
  if (!['Xing', 'Info'].includes(ascii(b, tag, 4)) || tag + 16 > b.length) return null;
  const flags = readU32BE(b, tag + 4);
  if (!(flags & 0x02)) return null;
  return readU32BE(b, tag + 8 + (flags & 0x01 ? 4 : 0));
}

async function decodeMpeg(bytes: Uint8Array, offset: number, h: MpegHeader, ctx: Context): Promise<{ sampleRate: number; channels: Float32Array[] }> {
  const decoded = await decodeStream(new MPEGDecoder(), bytes, `MP${h.layer}`, ctx);
  // mpg123-decoder always hands out two channels; a mono stream's second one is a copy.
  if (h.channels === 1) decoded.channels = decoded.channels.slice(0, 1);
  const declared = mpegDeclaredBytes(bytes, offset, h);
  if (declared !== null && bytes.length - offset < declared) {
    ctx.notices.push(`The MP${h.layer} file ends early (it was cut short): read the ${formatDuration(decoded.channels[0].length / decoded.sampleRate)} that are there.`);
  }
  return decoded;
}

// --- checks on the decoded audio -----------------------------------------------------------------

/** Replaces NaN and ±Infinity (only float WAV can hold them) with 0, in place; returns how many. */
export function replaceNonFinite(channels: Float32Array[]): number {
  let count = 0;
  for (const c of channels) {
    for (let i = 0; i < c.length; i++) {
      if (!Number.isFinite(c[i])) {
        c[i] = 0;
        count++;
      }
    }
  }
  return count;
}

/** Notices about the level of finite audio: silence, and clipping (many samples at full scale). */
export function levelNotices(channels: Float32Array[]): string[] {
  let peak = 0;
  let atFullScale = 0;
  let total = 0;
  for (const c of channels) {
    total += c.length;
    for (let i = 0; i < c.length; i++) {
      const a = Math.abs(c[i]);
      if (a > peak) peak = a;
      if (a >= CLIP_LEVEL) atFullScale++;
    }
  }
  if (peak < SILENCE_PEAK) return ['The clip is silent (its loudest sample is below −80 dBFS), so it gives the model nothing to follow.'];
  if (atFullScale >= 3 && atFullScale >= CLIPPED_SHARE * total) {
    const share = (100 * atFullScale) / total;
    return [
      `The clip looks clipped: ${atFullScale} samples (${share < 0.1 ? share.toFixed(2) : share.toFixed(1)} %) sit at full scale, so it is probably distorted, and the model will hear the distortion too.`,
    ];
  }
  return [];
}

function extensionOf(nameHint: string | undefined): string | null {
  const m = /\.([A-Za-z0-9]+)$/.exec(nameHint ?? '');
  return m ? m[1].toLowerCase() : null;
}

function baseName(nameHint: string): string {
  return nameHint.split(/[\\/]/).pop() ?? nameHint;
}

/**
 * Decodes an audio file's bytes. `nameHint` (a file name) only words messages and notices; the
 * format always comes from the content. Throws AudioDecodeError, saying what is wrong and what to
 * do, for anything it cannot turn into at least one sample.
 */
export async function decodeAudio(bytes: Uint8Array, nameHint?: string, limits: Partial<DecodeLimits> = {}): Promise<DecodedAudio> {
  const ctx: Context = { label: nameHint ? `"${baseName(nameHint)}"` : 'The file', limits: { ...DEFAULT_DECODE_LIMITS, ...limits }, notices: [] };
  if (bytes.length === 0) {
    throw new AudioDecodeError(`${ctx.label} is empty (0 bytes).`, 'Choose the file again; if it came from a download or a recorder, it was not saved completely.');
  }
  if (bytes.length > ctx.limits.maxFileBytes) {
    throw new AudioDecodeError(`${ctx.label} is ${formatBytes(bytes.length)}; files over ${formatBytes(ctx.limits.maxFileBytes)} are not read.`, TOO_LONG_HINT);
  }
  const sniffed = sniffAudio(bytes);
  if (sniffed.family === 'unknown') {
    const what = sniffed.looksLike === null ? `its first bytes (${hexHead(bytes)}) match no audio format` : `it looks like ${sniffed.looksLike} (first bytes: ${hexHead(bytes)})`;
    throw new AudioDecodeError(`${ctx.label} is not in a format LOA Studio reads: ${what}.`, ACCEPTED_HINT);
  }
  const ext = extensionOf(nameHint);
  const promised = ext === null ? undefined : EXTENSION_FAMILIES[ext];
  if (promised !== undefined && !promised.includes(sniffed.family)) {
    const family = FAMILY[sniffed.family];
    ctx.notices.push(`The file is named .${ext} but is ${family} file; read as ${family.replace(/^an? /, '')}.`);
  }

  let decoded: { sampleRate: number; channels: Float32Array[] };
  let format: AudioFormat;
  switch (sniffed.family) {
    case 'wav':
      ({ format, ...decoded } = decodeWavFile(bytes, ctx));
      break;
    case 'flac':
      decoded = await decodeFlac(bytes, sniffed.offset, ctx);
      format = 'flac';
      break;
    case 'ogg-vorbis':
    case 'ogg-opus':
      decoded = await decodeOgg(bytes, sniffed.family, ctx);
      format = sniffed.family;
      break;
    case 'mpeg':
      decoded = await decodeMpeg(bytes, sniffed.offset, sniffed.header, ctx);
      format = `mp${sniffed.header.layer}`;
      break;
  }
  checkSampleRate(ctx, decoded.sampleRate); // what the decoder reports, whatever the header said
  const replaced = replaceNonFinite(decoded.channels);
  if (replaced > 0) {
    ctx.notices.push(`${replaced} sample${replaced === 1 ? ' was' : 's were'} not a number (NaN or infinity, a sign of damage) and ${replaced === 1 ? 'was' : 'were'} replaced by silence.`);
  }
  ctx.notices.push(...levelNotices(decoded.channels));
  return { sampleRate: decoded.sampleRate, channels: decoded.channels, format, notices: ctx.notices };
}
