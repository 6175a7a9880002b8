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
import { readWavLayout, decodeWav, MAX_WAV_SAMPLE_RATE, type WavSampleFormat } from './wav.ts';

export type AudioFormat = `wav-${WavSampleFormat}` | 'flac' | 'mp3' | 'mp2' | 'mp1' | 'ogg-vorbis' | 'ogg-opus';

export interface DecodedAudio {
  sampleRate: number;
  /** One array per channel, all the same length, every sample finite. */
  channels: Float32Array[];
  format: AudioFormat;
  /** Things the user should know about the file (damage, renaming, silence, clipping), one sentence each. */
  notices: string[];
}

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

/** |x| at or above this counts as full scale when looking for clipping. */
export const CLIP_LEVEL = 0.999;
/** A clip is reported as clipped when at least this share of its samples sit at full scale. */
export const CLIPPED_SHARE = 0.001;
/** A clip whose peak stays below this (−80 dBFS) is reported as silent. */
export const SILENCE_PEAK = 1e-4;

const ACCEPTED_HINT =
  'LOA Studio reads WAV (PCM or float), FLAC, MP3, Ogg Vorbis and Ogg Opus. Convert the file to one of these (WAV is safest), then import it again.';
const DAMAGED_HINT = 'Open the file in an audio editor or player to check it, then export it again as WAV or FLAC.';
const TOO_LONG_HINT = 'Cut the part you need (a reference uses at most 10 minutes) in an audio editor and import that.';

/** How a container family is named in messages, with its article. */
const FAMILY = {
  wav: 'a WAV',
  flac: 'a FLAC',
  mpeg: 'an MP3',
  'ogg-vorbis': 'an Ogg Vorbis',
  'ogg-opus': 'an Ogg Opus',
} as const;

/** What a file extension promises. Extensions not listed here promise nothing and never cause a notice. */
const EXTENSION_FAMILIES: Record<string, readonly string[]> = {
  wav: ['wav'], wave: ['wav'], flac: ['flac'],
  mp3: ['mpeg'], mp2: ['mpeg'], mp1: ['mpeg'], mpga: ['mpeg'],
  ogg: ['ogg-vorbis', 'ogg-opus'], oga: ['ogg-vorbis', 'ogg-opus'], opus: ['ogg-opus'],
  aif: [], aiff: [], aifc: [], m4a: [], aac: [], mp4: [], wma: [], caf: [], au: [], webm: [],
};

export type SniffedAudio =
  | { family: 'wav' }
  | { family: 'flac'; offset: number }
  | { family: 'mpeg'; offset: number; header: MpegHeader }
  | { family: 'ogg-vorbis' | 'ogg-opus' }
  | { family: 'unknown'; looksLike: string | null };

interface MpegHeader {
  layer: 1 | 2 | 3;
  mpeg1: boolean;
  sampleRate: number;
  channels: 1 | 2;
}

const ascii = (b: Uint8Array, at: number, n: number): string =>
  at + n > b.length ? '' : String.fromCharCode(...b.subarray(at, at + n));

/** ISO/IEC 11172-3 §2.4.2.3 frame header; null unless every field holds a legal value. */
function readMpegHeader(b: Uint8Array, at: number): MpegHeader | null {
  if (at + 4 > b.length || b[at] !== 0xff || (b[at + 1] & 0xe0) !== 0xe0) return null;
  const version = (b[at + 1] >> 3) & 3; // 0: MPEG 2.5, 1: reserved, 2: MPEG 2, 3: MPEG 1
  const layerBits = (b[at + 1] >> 1) & 3; // 0 is reserved (and is how AAC's ADTS sync looks)
  const bitrate = b[at + 2] >> 4;
  const rateIndex = (b[at + 2] >> 2) & 3;
  if (version === 1 || layerBits === 0 || bitrate === 15 || rateIndex === 3) return null;
  const base = [44100, 48000, 32000][rateIndex];
  return {
    layer: (4 - layerBits) as 1 | 2 | 3,
    mpeg1: version === 3,
    sampleRate: version === 3 ? base : version === 2 ? base / 2 : base / 4,
    channels: b[at + 3] >> 6 === 3 ? 1 : 2,
  };
}

/** Skips ID3v2 tags (id3v2.4.0-structure §3.1: 10-byte header, syncsafe size, optional footer). */
function skipId3(b: Uint8Array): number {
  let p = 0;
  while (ascii(b, p, 3) === 'ID3' && p + 10 <= b.length) {
    const size = ((b[p + 6] & 0x7f) << 21) | ((b[p + 7] & 0x7f) << 14) | ((b[p + 8] & 0x7f) << 7) | (b[p + 9] & 0x7f);
    p += 10 + size + (b[p + 5] & 0x10 ? 10 : 0);
  }
  return p;
}

/** Describes bytes that are none of the accepted formats, so the user learns what they picked; null when nothing fits. */
function describeUnknown(b: Uint8Array, afterId3: number): string | null {
  const id = ascii(b, 0, 4);
  if (afterId3 > 0) return afterId3 >= b.length ? 'an ID3 tag with no audio after it' : 'an ID3 tag followed by no MP3 or FLAC audio';
  if (id === 'RIFF' && b.length < 12) return 'the start of a RIFF (WAV) header, cut short';
  if (id === 'FORM' && ['AIFF', 'AIFC'].includes(ascii(b, 8, 4))) return 'an AIFF audio file';
  if (ascii(b, 4, 4) === 'ftyp') return 'an MP4/M4A file (AAC or ALAC audio, or video)';
  if (b.length >= 2 && b[0] === 0xff && (b[1] & 0xf6) === 0xf0) return 'AAC audio in ADTS frames';
  if (id === 'RF64' || id === 'BW64') return 'an RF64 file (the 64-bit WAV variant)';
  if (id === 'RIFF') return `a RIFF file of type "${ascii(b, 8, 4)}", not WAVE`;
  if (id === 'caff') return 'a Core Audio (CAF) file';
  if (id === '.snd') return 'a Sun/NeXT AU audio file';
  if (id === 'MThd') return 'a MIDI file (notes, not audio)';
  if (id === '#!AM') return 'an AMR voice recording';
  if (id === '\x30\x26\xb2\x75') return 'a Windows Media (WMA/ASF) file';
  if (id === '\x1a\x45\xdf\xa3') return 'a Matroska/WebM file';
  if (id === '\x89PNG') return 'a PNG image';
  if (id.startsWith('\xff\xd8\xff')) return 'a JPEG image';
  if (id === 'GIF8') return 'a GIF image';
  if (id === '%PDF') return 'a PDF document';
  if (id === 'PK\x03\x04') return 'a ZIP archive';
  const head = b.subarray(0, 32);
  if (head.every((c) => c === 9 || c === 10 || c === 13 || (c >= 32 && c < 127))) {
    return `text ("${ascii(head, 0, Math.min(16, head.length)).replace(/\s+/g, ' ')}…")`;
  }
  return null;
}

function sniffOgg(b: Uint8Array): SniffedAudio {
  if (b.length < 28) return { family: 'unknown', looksLike: 'the start of an Ogg page, cut short' };
  // RFC 3533 §6: the first page holds only the first packet, the codec's identification header.
  const packet = 27 + b[26];
  if (ascii(b, packet, 7) === '\x01vorbis') return { family: 'ogg-vorbis' };
  if (ascii(b, packet, 8) === 'OpusHead') return { family: 'ogg-opus' };
  const codec = ascii(b, packet, 5) === '\x7fFLAC' ? 'FLAC' : ascii(b, packet, 8) === 'Speex   ' ? 'Speex' : ascii(b, packet, 7) === '\x80theora' ? 'Theora video' : null;
  return { family: 'unknown', looksLike: codec ? `an Ogg file holding ${codec}, which is not read` : 'an Ogg file holding an unknown codec' };
}

/** Tells the container by its first bytes. */
export function sniffAudio(b: Uint8Array): SniffedAudio {
  if (ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 4) === 'WAVE') return { family: 'wav' };
  if (ascii(b, 0, 4) === 'OggS') return sniffOgg(b);
  const start = skipId3(b);
  if (ascii(b, start, 4) === 'fLaC') return { family: 'flac', offset: start };
  // Bare MPEG audio must start with a frame; after an ID3 tag, allow the padding some taggers leave.
  const searchEnd = start === 0 ? 1 : Math.min(b.length, start + 65536);
  for (let p = start; p < searchEnd; p++) {
    const header = readMpegHeader(b, p);
    if (header) return { family: 'mpeg', offset: p, header };
  }
  return { family: 'unknown', looksLike: describeUnknown(b, start) };
}

const hexHead = (b: Uint8Array): string =>
  Array.from(b.subarray(0, 8), (v) => v.toString(16).padStart(2, '0').toUpperCase()).join(' ');

function formatDuration(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(2)} s`;
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = Math.floor(seconds % 60);
  return h > 0 ? `${h} h ${m} min` : `${m} min ${s} s`;
}

function formatBytes(bytes: number): string {
  if (bytes >= 2 ** 30) return `${(bytes / 2 ** 30).toFixed(1)} GiB`;
  if (bytes >= 2 ** 20) return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

/** Where decoding stands, shared by every format so the checks read the same. */
interface Context {
  label: string;
  limits: DecodeLimits;
  notices: string[];
}

function tooLong(ctx: Context, frames: number, rate: number, channels: number, exact: boolean): AudioDecodeError {
  const bytes = frames * channels * 4;
  const need = exact ? `would need ${formatBytes(bytes)}` : `would need more than ${formatBytes(bytes)}`;
  return new AudioDecodeError(
    `${ctx.label} is too long to open: ${exact ? '' : 'over '}${formatDuration(frames / rate)} at ${rate} Hz in ${channels} channel${channels === 1 ? '' : 's'} ${need} of memory (the limit is ${formatBytes(ctx.limits.maxDecodedBytes)}).`,
    TOO_LONG_HINT,
  );
}

function noAudio(ctx: Context, why: string): AudioDecodeError {
  return new AudioDecodeError(`${ctx.label} holds no audio: ${why}.`, 'Record or export the clip again, then import the new file.');
}

/** Refuses a sample rate outside MIN_SAMPLE_RATE..MAX_SAMPLE_RATE, before anything is decoded or resampled. */
function checkSampleRate(ctx: Context, rate: number): void {
  if (Number.isInteger(rate) && rate >= MIN_SAMPLE_RATE && rate <= MAX_SAMPLE_RATE) return;
  throw new AudioDecodeError(
    `${ctx.label} gives its sample rate as ${rate} Hz; LOA Studio reads audio from ${MIN_SAMPLE_RATE} Hz to ${MAX_SAMPLE_RATE} Hz (a rate outside that means a damaged header, or data that is not sound).`,
    'If the file plays correctly in other players, export it again as WAV at 16 kHz or higher (any audio editor can), then import that.',
  );
}

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
    ctx.notices.push(
      `The WAV file is shorter than its header says (cut short, or written by a recorder that never finished it): read the ${formatDuration(frames / sampleRate)} that are there.`,
    );
  }
  const wav = decodeWav(bytes, { allowTruncated: true });
  return { sampleRate, channels: wav.channels, format: `wav-${wav.format}` };
}

// --- FLAC, Ogg and MPEG through the WASM decoders --------------------------------------------------

interface DecodedChunk {
  channelData: Float32Array[];
  samplesDecoded: number;
  sampleRate: number;
  errors: { message: string }[];
}

interface StreamingDecoder {
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
async function decodeStream(
  decoder: StreamingDecoder,
  bytes: Uint8Array,
  name: string,
  ctx: Context,
): Promise<{ sampleRate: number; channels: Float32Array[] }> {
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
      ctx.notices.push(
        `The file changes its sample rate or channel count at ${formatDuration(frames / sampleRate)} (several recordings joined into one file): only the first part was read.`,
      );
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

function readU32BE(b: Uint8Array, at: number): number {
  return ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
}

function readU32LE(b: Uint8Array, at: number): number {
  return (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;
}

/** FLAC format spec §8.2 (STREAMINFO): rate (20 bits), channels−1 (3), bits−1 (5), total samples (36; 0 = unknown). */
function readStreamInfo(b: Uint8Array, at: number, ctx: Context): { sampleRate: number; channels: number; bitsPerSample: number; totalSamples: number } {
  const block = at + 4;
  const damaged = (why: string): AudioDecodeError =>
    new AudioDecodeError(`${ctx.label} is a damaged FLAC file: ${why}.`, DAMAGED_HINT);
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

interface OggLayout {
  /** Complete: the first stream's last page is flagged end-of-stream. Damaged: the pages lose their sync. */
  ending: 'complete' | 'truncated' | 'damaged';
  /** Bytes up to where a second, chained stream begins (the whole file when there is none). */
  firstStreamBytes: number;
  /** Granule position of the first stream's intact end-of-stream page: its length in samples (Opus: plus pre-skip). */
  finalGranule: number | null;
  /** Pages of the first stream whose CRC does not match: the decoders play them regardless. */
  damagedPages: number;
}

// RFC 3533 §6: CRC-32 with polynomial 0x04c11db7, initial value 0, no reflection, computed over
// the whole page with its own CRC field taken as zero.
const OGG_CRC_TABLE = Uint32Array.from({ length: 256 }, (_, i) => {
  let r = i << 24;
  for (let k = 0; k < 8; k++) r = r & 0x80000000 ? (r << 1) ^ 0x04c11db7 : r << 1;
  return r >>> 0;
});

function oggPageIntact(b: Uint8Array, start: number, end: number): boolean {
  let crc = 0;
  for (let i = start; i < end; i++) {
    const byte = i >= start + 22 && i < start + 26 ? 0 : b[i];
    crc = ((crc << 8) ^ OGG_CRC_TABLE[((crc >>> 24) ^ byte) & 0xff]) >>> 0;
  }
  return crc === readU32LE(b, start + 22);
}

/** Walks the Ogg pages (RFC 3533 §6: 27-byte header, lacing table, body) without decoding anything. */
function walkOgg(b: Uint8Array): OggLayout {
  const serial = (p: number): number => readU32LE(b, p + 14);
  const first = serial(0);
  let finalGranule: number | null = null;
  let endOfStream = false;
  let damagedPages = 0;
  const end = (ending: OggLayout['ending'], firstStreamBytes = b.length): OggLayout => ({ ending, firstStreamBytes, finalGranule, damagedPages });
  let p = 0;
  while (p < b.length) {
    if (p + 27 > b.length) return end('truncated');
    if (ascii(b, p, 4) !== 'OggS') return end('damaged');
    const flags = b[p + 5];
    if (flags & 0x02 && p > 0 && serial(p) !== first) return end(endOfStream ? 'complete' : 'truncated', p); // a chained stream begins
    const segments = b[p + 26];
    if (p + 27 + segments > b.length) return end('truncated');
    let body = 0;
    for (let i = 0; i < segments; i++) body += b[p + 27 + i];
    const next = p + 27 + segments + body;
    if (next > b.length) return end('truncated');
    const intact = oggPageIntact(b, p, next);
    if (!intact) damagedPages++;
    if (flags & 0x04 && serial(p) === first) {
      endOfStream = true;
      // A damaged last page's granule position cannot be trusted to trim by.
      if (intact) finalGranule = readU32LE(b, p + 6) + readU32LE(b, p + 10) * 2 ** 32;
    }
    p = next;
  }
  return end(endOfStream ? 'complete' : 'truncated');
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
