// RIFF/WAVE reading and writing (Microsoft "Multimedia Programming Interface and Data
// Specifications 1.0" for RIFF/fmt/fact; WAVEFORMATEXTENSIBLE from the Windows SDK mmreg.h/ksmedia.h).
// Little-endian only; multi-channel data is interleaved, channels are returned de-interleaved.
import { AudioDecodeError } from '../../shared/errors.ts';

export { AudioDecodeError } from '../../shared/errors.ts';

export type WavEncodeFormat = 'float32' | 'pcm16' | 'pcm24';
export type WavSampleFormat = WavEncodeFormat | 'pcm8' | 'pcm32' | 'float64';

export interface DecodedWav {
  sampleRate: number;
  channels: Float32Array[];
  format: WavSampleFormat;
}

// mmreg.h format tags
const WAVE_FORMAT_PCM = 0x0001;
const WAVE_FORMAT_IEEE_FLOAT = 0x0003;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;
// KSDATAFORMAT_SUBTYPE_* GUIDs are {tag-0000-0010-8000-00AA00389B71}; bytes 2..15 as stored on disk.
const GUID_TAIL = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71];

const BYTES_PER_SAMPLE: Record<WavEncodeFormat, number> = { float32: 4, pcm16: 2, pcm24: 3 };
const BITS: Record<WavSampleFormat, number> = { pcm8: 8, pcm16: 16, pcm24: 24, pcm32: 32, float32: 32, float64: 64 };

function writeId(view: DataView, at: number, id: string): void {
  for (let i = 0; i < 4; i++) view.setUint8(at + i, id.charCodeAt(i));
}

/** PCM quantisation: clip to [−1, 1], scale by 2^(bits−1), round half up, and keep +1.0 at the top code. */
function quantise(x: number, scale: number): number {
  if (Number.isNaN(x)) return 0;
  const q = Math.round(Math.min(1, Math.max(-1, x)) * scale);
  return q >= scale ? scale - 1 : q;
}

/** A RIFF chunk to write after the audio (smpl, bext, iXML, LIST …): four-character id and body. */
export interface WavChunk {
  id: string;
  body: Uint8Array;
}

export interface WavEncodeOptions {
  /** Loop points in sample frames (inclusive), written as a `smpl` chunk samplers read. */
  loop?: { start: number; end: number };
  /** More chunks, written after `data` in this order. */
  chunks?: WavChunk[];
}

/**
 * Writes a WAV file. float32 → format tag 3 with cbSize 0 and a `fact` chunk (required for
 * non-PCM data); pcm16/pcm24 → format tag 1, plain rounding (no dither), clipped to [−1, 1].
 * Metadata chunks follow the data chunk, where readers that do not know them skip them.
 */
export function encodeWav(channels: Float32Array[], sampleRate: number, format: WavEncodeFormat, options: WavEncodeOptions = {}): Uint8Array {
  if (channels.length === 0) throw new RangeError('encodeWav: need at least one channel');
  const frames = channels[0].length;
  if (channels.some((c) => c.length !== frames)) throw new RangeError('encodeWav: channels differ in length');
  if (!Number.isInteger(sampleRate) || sampleRate <= 0 || sampleRate > 0xffffffff) {
    throw new RangeError(`encodeWav: sample rate must be a positive integer, got ${sampleRate}`);
  }
  const bytesPerSample = BYTES_PER_SAMPLE[format];
  if (bytesPerSample === undefined) throw new RangeError(`encodeWav: unknown format "${String(format)}"`);
  const isFloat = format === 'float32';
  const nch = channels.length;
  const blockAlign = nch * bytesPerSample;
  const dataSize = frames * blockAlign;
  const fmtSize = isFloat ? 18 : 16;
  const factSize = isFloat ? 12 : 0;
  const pad = dataSize & 1;
  const extra = [...(options.loop ? [smplChunk(options.loop, sampleRate, frames)] : []), ...(options.chunks ?? [])];
  for (const chunk of extra) {
    if (!/^[\x20-\x7e]{4}$/.test(chunk.id)) throw new RangeError(`encodeWav: chunk id must be 4 printable ASCII characters, got "${chunk.id}"`);
  }
  const extraSize = extra.reduce((n, c) => n + 8 + c.body.length + (c.body.length & 1), 0);
  const total = 12 + 8 + fmtSize + factSize + 8 + dataSize + pad + extraSize;
  if (total - 8 > 0xffffffff) throw new RangeError('encodeWav: audio too long for a RIFF file (4 GiB limit)');

  const bytes = new Uint8Array(total);
  const view = new DataView(bytes.buffer);
  writeId(view, 0, 'RIFF');
  view.setUint32(4, total - 8, true);
  writeId(view, 8, 'WAVE');
  let p = 12;
  writeId(view, p, 'fmt ');
  view.setUint32(p + 4, fmtSize, true);
  view.setUint16(p + 8, isFloat ? WAVE_FORMAT_IEEE_FLOAT : WAVE_FORMAT_PCM, true);
  view.setUint16(p + 10, nch, true);
  view.setUint32(p + 12, sampleRate, true);
  view.setUint32(p + 16, sampleRate * blockAlign, true);
  view.setUint16(p + 20, blockAlign, true);
  view.setUint16(p + 22, bytesPerSample * 8, true);
  if (isFloat) view.setUint16(p + 24, 0, true); // cbSize
  p += 8 + fmtSize;
  if (isFloat) {
    writeId(view, p, 'fact');
    view.setUint32(p + 4, 4, true);
    view.setUint32(p + 8, frames, true);
    p += 12;
  }
  writeId(view, p, 'data');
  view.setUint32(p + 4, dataSize, true);
  p += 8;

  for (let f = 0; f < frames; f++) {
    for (let c = 0; c < nch; c++) {
      const x = channels[c][f];
      if (format === 'float32') {
        view.setFloat32(p, x, true);
      } else if (format === 'pcm16') {
        view.setInt16(p, quantise(x, 32768), true);
      } else {
        const q = quantise(x, 8388608) & 0xffffff;
        bytes[p] = q & 0xff;
        bytes[p + 1] = (q >> 8) & 0xff;
        bytes[p + 2] = (q >> 16) & 0xff;
      }
      p += bytesPerSample;
    }
  }
  p += pad;
  for (const chunk of extra) {
    writeId(view, p, chunk.id);
    view.setUint32(p + 4, chunk.body.length, true);
    bytes.set(chunk.body, p + 8);
    p += 8 + chunk.body.length + (chunk.body.length & 1);
  }
  return bytes;
}

/**
 * The `smpl` chunk (Microsoft RIFF "Multimedia Programming Interface" 1.0 addendum, sampler
 * chunk): no manufacturer, unity note 60, one forward loop [start, end] played forever.
 */
export function smplChunk(loop: { start: number; end: number }, sampleRate: number, frames: number): WavChunk {
  if (!(Number.isInteger(loop.start) && Number.isInteger(loop.end) && loop.start >= 0 && loop.end >= loop.start && loop.end < frames)) {
    throw new RangeError(`smpl: loop [${loop.start}, ${loop.end}] is not inside 0..${frames - 1}`);
  }
  const body = new Uint8Array(36 + 24);
  const v = new DataView(body.buffer);
  v.setUint32(8, Math.round(1e9 / sampleRate), true); // sample period, ns
  v.setUint32(12, 60, true); // MIDI unity note (middle C)
  v.setUint32(28, 1, true); // one sample loop
  v.setUint32(36 + 4, 0, true); // type 0: forward
  v.setUint32(36 + 8, loop.start, true);
  v.setUint32(36 + 12, loop.end, true);
  v.setUint32(36 + 20, 0, true); // play count 0: infinite
  return { id: 'smpl', body };
}

/**
 * Most chunks a RIFF level is walked for. Recorders and editors write a dozen; a file of millions
 * of empty 8-byte chunks (a fuzzer's find: 50 MB took 10 s and 1.1 GB to list) is not a WAV file
 * anyone made, and what lies past this many is not looked at.
 */
export const MAX_WAV_CHUNKS = 10_000;

/** The word-aligned chunks in `bytes` from `from` on (a RIFF file's top level, or a LIST's body), as body views; at most MAX_WAV_CHUNKS. */
function chunksFrom(bytes: Uint8Array, from: number): WavChunk[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const chunks: WavChunk[] = [];
  for (let p = from; p + 8 <= bytes.length && chunks.length < MAX_WAV_CHUNKS;) {
    const size = view.getUint32(p + 4, true);
    chunks.push({ id: readId(bytes, p), body: bytes.subarray(p + 8, Math.min(bytes.length, p + 8 + size)) });
    p += 8 + size + (size & 1);
  }
  return chunks;
}

/** Every chunk of a RIFF/WAVE file in order, as ids and body views (for metadata readers and tests). */
export function listWavChunks(bytes: Uint8Array): WavChunk[] {
  if (bytes.length < 12 || readId(bytes, 0) !== 'RIFF' || readId(bytes, 8) !== 'WAVE') throw new AudioDecodeError('not a RIFF/WAVE file');
  return chunksFrom(bytes, 12);
}

/** A `LIST` chunk of `type` (INFO, adtl) holding `parts` as word-aligned sub-chunks (RIFF 1.0). */
export function listChunk(type: string, parts: readonly WavChunk[]): WavChunk {
  const body = new Uint8Array(4 + parts.reduce((n, c) => n + 8 + c.body.length + (c.body.length & 1), 0));
  const view = new DataView(body.buffer);
  writeId(view, 0, type);
  let p = 4;
  for (const part of parts) {
    writeId(view, p, part.id);
    view.setUint32(p + 4, part.body.length, true);
    body.set(part.body, p + 8);
    p += 8 + part.body.length + (part.body.length & 1);
  }
  return { id: 'LIST', body };
}

/** The sub-chunks of the file's first `LIST` chunk of `type`, or null when it has none. */
export function readListChunk(bytes: Uint8Array, type: string): WavChunk[] | null {
  const list = listWavChunks(bytes).find((c) => c.id === 'LIST' && c.body.length >= 4 && readId(c.body, 0) === type);
  return list ? chunksFrom(list.body, 4) : null;
}

/** The loops of a `smpl` chunk, if the file has one. */
export function readSmplLoops(bytes: Uint8Array): Array<{ start: number; end: number; type: number; playCount: number }> {
  const smpl = listWavChunks(bytes).find((c) => c.id === 'smpl');
  if (!smpl || smpl.body.length < 36) return [];
  const v = new DataView(smpl.body.buffer, smpl.body.byteOffset, smpl.body.byteLength);
  const count = v.getUint32(28, true);
  const loops = [];
  for (let i = 0; i < count && 36 + 24 * (i + 1) <= smpl.body.length; i++) {
    const at = 36 + 24 * i;
    loops.push({ type: v.getUint32(at + 4, true), start: v.getUint32(at + 8, true), end: v.getUint32(at + 12, true), playCount: v.getUint32(at + 20, true) });
  }
  return loops;
}

interface FmtInfo {
  tag: number;
  channels: number;
  sampleRate: number;
  bitsPerSample: number;
}

const hex4 = (tag: number): string => `0x${tag.toString(16).padStart(4, '0').toUpperCase()}`;

function readId(bytes: Uint8Array, at: number): string {
  return String.fromCharCode(bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]);
}

function parseFmt(view: DataView, at: number, size: number): FmtInfo {
  if (size < 16) throw new AudioDecodeError(`fmt chunk is too short (${size} bytes, need 16)`);
  let tag = view.getUint16(at, true);
  const channels = view.getUint16(at + 2, true);
  const sampleRate = view.getUint32(at + 4, true);
  const bitsPerSample = view.getUint16(at + 14, true);
  if (tag === WAVE_FORMAT_EXTENSIBLE) {
    if (size < 40) throw new AudioDecodeError(`WAVE_FORMAT_EXTENSIBLE fmt chunk is too short (${size} bytes, need 40)`);
    // cbSize(2) validBits(2) channelMask(4) then the SubFormat GUID, whose first two bytes are the tag.
    const guid = at + 24;
    tag = view.getUint16(guid, true);
    for (let i = 0; i < GUID_TAIL.length; i++) {
      if (view.getUint8(guid + 2 + i) !== GUID_TAIL[i]) {
        throw new AudioDecodeError('unsupported WAVE_FORMAT_EXTENSIBLE sub-format (not a PCM or float GUID)');
      }
    }
  }
  return { tag, channels, sampleRate, bitsPerSample };
}

function sampleFormat(fmt: FmtInfo): WavSampleFormat {
  if (fmt.tag === WAVE_FORMAT_PCM) {
    const byBits: Record<number, WavSampleFormat> = { 8: 'pcm8', 16: 'pcm16', 24: 'pcm24', 32: 'pcm32' };
    const f = byBits[fmt.bitsPerSample];
    if (f === undefined) throw new AudioDecodeError(`unsupported PCM bit depth ${fmt.bitsPerSample}`);
    return f;
  }
  if (fmt.tag === WAVE_FORMAT_IEEE_FLOAT) {
    if (fmt.bitsPerSample === 32) return 'float32';
    if (fmt.bitsPerSample === 64) return 'float64';
    throw new AudioDecodeError(`unsupported float bit depth ${fmt.bitsPerSample}`);
  }
  throw new AudioDecodeError(`unsupported format tag ${hex4(fmt.tag)} (only PCM 0x0001 and IEEE float 0x0003 are read)`, 'Convert the file to uncompressed WAV (PCM or 32-bit float) and try again.');
}

/** Most channels a WAV header may declare: Vorbis and Opus carry at most 255, and no recorder writes more. */
export const MAX_WAV_CHANNELS = 255;
/** Highest sample rate a WAV header may declare: 768 kHz, the top rate of current converters (PCM768). */
export const MAX_WAV_SAMPLE_RATE = 768_000;

export interface WavDecodeOptions {
  /**
   * When the data chunk runs past the end of the file (a recording cut short, or a streaming
   * writer's placeholder size), read the whole frames that are there instead of throwing.
   */
  allowTruncated?: boolean;
}

/** Where a WAV file's samples are and how they are stored; reading it allocates nothing. */
export interface WavLayout {
  sampleRate: number;
  channelCount: number;
  format: WavSampleFormat;
  /** Byte offset of the first sample. */
  dataOffset: number;
  /** Whole frames present in the file. */
  frames: number;
  /** Frames the data chunk's header declares: more than `frames` only for a truncated file. */
  declaredFrames: number;
}

/**
 * Walks the chunks and validates the header, so that a caller can check the size of what
 * decoding would allocate before it does (an absurd header is rejected here, not in an allocation).
 */
export function readWavLayout(bytes: Uint8Array, options: WavDecodeOptions = {}): WavLayout {
  if (bytes.length < 12 || readId(bytes, 0) !== 'RIFF' || readId(bytes, 8) !== 'WAVE') {
    throw new AudioDecodeError('not a RIFF/WAVE file');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let fmt: FmtInfo | null = null;
  let data: { at: number; size: number; present: number } | null = null;
  // Walk every chunk to the end of the buffer; the RIFF size field is often wrong in the wild.
  let p = 12;
  for (let walked = 0; p + 8 <= bytes.length; walked++) {
    if (walked === MAX_WAV_CHUNKS) {
      if (fmt !== null && data !== null) break; // the audio is found; what trails it is not looked at
      throw new AudioDecodeError(`more than ${MAX_WAV_CHUNKS} chunks before its audio (a damaged or made-up file)`);
    }
    const id = readId(bytes, p);
    const size = view.getUint32(p + 4, true);
    const body = p + 8;
    if (id === 'data') {
      const present = Math.min(size, bytes.length - body);
      if (present < size && !options.allowTruncated) {
        throw new AudioDecodeError(`truncated data chunk (header says ${size} bytes, file has ${present})`, 'The file was cut short; export it again.');
      }
      data ??= { at: body, size, present };
    } else if (id === 'fmt ') {
      if (body + size > bytes.length) {
        throw new AudioDecodeError(`truncated fmt chunk (header says ${size} bytes, file has ${bytes.length - body})`);
      }
      fmt ??= parseFmt(view, body, size);
    }
    p = body + size + (size & 1);
  }
  if (fmt === null) throw new AudioDecodeError('missing fmt chunk');
  if (data === null) throw new AudioDecodeError('missing data chunk');
  if (fmt.channels === 0) throw new AudioDecodeError('zero channels');
  if (fmt.channels > MAX_WAV_CHANNELS) throw new AudioDecodeError(`${fmt.channels} channels (at most ${MAX_WAV_CHANNELS} are read)`);
  if (fmt.sampleRate === 0) throw new AudioDecodeError('zero sample rate');
  if (fmt.sampleRate > MAX_WAV_SAMPLE_RATE) {
    throw new AudioDecodeError(`sample rate ${fmt.sampleRate} Hz (at most ${MAX_WAV_SAMPLE_RATE} Hz is read)`);
  }
  const format = sampleFormat(fmt);
  const frameBytes = fmt.channels * (fmt.bitsPerSample / 8);
  return {
    sampleRate: fmt.sampleRate,
    channelCount: fmt.channels,
    format,
    dataOffset: data.at,
    frames: Math.floor(data.present / frameBytes), // a trailing partial frame is dropped
    declaredFrames: Math.floor(data.size / frameBytes),
  };
}

/**
 * Reads a WAV file: PCM 8 (unsigned) / 16 / 24 / 32 bit, IEEE float 32 / 64 bit, plain or
 * WAVE_FORMAT_EXTENSIBLE. Unknown chunks are skipped (with RIFF's pad byte after odd sizes).
 * PCM is scaled by 1/2^(bits−1), so the most negative code maps to −1.0. A truncated data chunk
 * throws unless `options.allowTruncated`.
 */
export function decodeWav(bytes: Uint8Array, options: WavDecodeOptions = {}): DecodedWav {
  const { sampleRate, channelCount: nch, format, dataOffset, frames } = readWavLayout(bytes, options);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const bps = BITS[format] / 8;
  const channels = Array.from({ length: nch }, () => new Float32Array(frames));
  let q = dataOffset;
  for (let f = 0; f < frames; f++) {
    for (let c = 0; c < nch; c++) {
      let v: number;
      switch (format) {
        case 'pcm8':
          v = (view.getUint8(q) - 128) / 128;
          break;
        case 'pcm16':
          v = view.getInt16(q, true) / 32768;
          break;
        case 'pcm24':
          v = (((view.getUint8(q + 2) << 24) | (view.getUint8(q + 1) << 16) | (view.getUint8(q) << 8)) >> 8) / 8388608;
          break;
        case 'pcm32':
          v = view.getInt32(q, true) / 2147483648;
          break;
        case 'float32':
          v = view.getFloat32(q, true);
          break;
        case 'float64':
          v = view.getFloat64(q, true);
          break;
      }
      channels[c][f] = v;
      q += bps;
    }
  }
  return { sampleRate, channels, format };
}
