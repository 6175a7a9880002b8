// The layout of an Ogg file, read from its pages without decoding anything: where the first stream
// ends, whether it ends properly, its exact length, and which pages fail their checksum.
import { ascii, readU32LE } from './audio-sniff.ts';

export interface OggLayout {
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
export function walkOgg(b: Uint8Array): OggLayout {
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
