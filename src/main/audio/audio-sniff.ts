// Tells an audio file's container by its first bytes, never by its name, and words what other
// files look like ("an AIFF audio file", "a PNG image") so the user learns what they picked.

/** How a container family is named in messages, with its article. */
export const FAMILY = {
  wav: 'a WAV',
  flac: 'a FLAC',
  mpeg: 'an MP3',
  'ogg-vorbis': 'an Ogg Vorbis',
  'ogg-opus': 'an Ogg Opus',
} as const;

/** What a file extension promises. Extensions not listed here promise nothing and never cause a notice. */
export const EXTENSION_FAMILIES: Record<string, readonly string[]> = {
  wav: ['wav'],
  wave: ['wav'],
  flac: ['flac'],
  mp3: ['mpeg'],
  mp2: ['mpeg'],
  mp1: ['mpeg'],
  mpga: ['mpeg'],
  ogg: ['ogg-vorbis', 'ogg-opus'],
  oga: ['ogg-vorbis', 'ogg-opus'],
  opus: ['ogg-opus'],
  aif: [],
  aiff: [],
  aifc: [],
  m4a: [],
  aac: [],
  mp4: [],
  wma: [],
  caf: [],
  au: [],
  webm: [],
};

export type SniffedAudio =
  | { family: 'wav' }
  | { family: 'flac'; offset: number }
  | { family: 'mpeg'; offset: number; header: MpegHeader }
  | { family: 'ogg-vorbis' | 'ogg-opus' }
  | { family: 'unknown'; looksLike: string | null };

export interface MpegHeader {
  layer: 1 | 2 | 3;
  mpeg1: boolean;
  sampleRate: number;
  channels: 1 | 2;
}

export const ascii = (b: Uint8Array, at: number, n: number): string => (at + n > b.length ? '' : String.fromCharCode(...b.subarray(at, at + n)));

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

export const hexHead = (b: Uint8Array): string => Array.from(b.subarray(0, 8), (v) => v.toString(16).padStart(2, '0').toUpperCase()).join(' ');

export function readU32BE(b: Uint8Array, at: number): number {
  return ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
}

export function readU32LE(b: Uint8Array, at: number): number {
  return (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;
}
