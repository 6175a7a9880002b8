/**
 * Byte-level mutations for the binary fuzzers (audio decoders, WAV metadata readers): the classic
 * set (bit flips, interesting bytes and 32-bit words, truncation, insertion, duplication, splicing
 * two seeds) plus a RIFF-aware one that rewrites a chunk's size or a field of `fmt `. All draws come
 * from the case's FuzzRandom, so a mutant is reproducible from (seed, case index).
 */
import type { FuzzRandom } from './prng.ts';

const INTERESTING_BYTES = [0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff];
const INTERESTING_WORDS = [0, 1, 2, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff];

function putU32(b: Uint8Array, at: number, v: number): void {
  if (at < 0 || at + 4 > b.length) return;
  b[at] = v & 0xff;
  b[at + 1] = (v >>> 8) & 0xff;
  b[at + 2] = (v >>> 16) & 0xff;
  b[at + 3] = (v >>> 24) & 0xff;
}

/** Where RIFF chunks start (walking sizes as a reader would), for structure-aware mutations. */
export function riffChunkOffsets(b: Uint8Array): number[] {
  const offsets: number[] = [];
  if (b.length < 12 || String.fromCharCode(b[0], b[1], b[2], b[3]) !== 'RIFF') return offsets;
  for (let p = 12; p + 8 <= b.length && offsets.length < 64;) {
    offsets.push(p);
    const size = (b[p + 4] | (b[p + 5] << 8) | (b[p + 6] << 16) | (b[p + 7] << 24)) >>> 0;
    p += 8 + size + (size & 1);
  }
  return offsets;
}

/** One mutation of `input` (never changed in place); `other` is a second seed to splice with. */
export function mutateOnce(rng: FuzzRandom, input: Uint8Array, other: Uint8Array): Uint8Array {
  let b = input.slice();
  const at = () => rng.int(Math.max(1, b.length));
  switch (rng.int(10)) {
    case 0: // flip bits
      for (let i = rng.range(1, 8); i > 0 && b.length > 0; i--) b[at()] ^= 1 << rng.int(8);
      break;
    case 1: // interesting bytes
      for (let i = rng.range(1, 4); i > 0 && b.length > 0; i--) b[at()] = rng.pick(INTERESTING_BYTES);
      break;
    case 2: // an interesting 32-bit word anywhere (sizes, rates and counts are 32-bit fields)
      putU32(b, at(), rng.pick(INTERESTING_WORDS));
      break;
    case 3: // truncate
      b = b.subarray(0, rng.int(b.length + 1));
      break;
    case 4: {
      // insert random bytes
      const p = at();
      b = Uint8Array.from([...b.subarray(0, p), ...rng.bytes(rng.size(64)), ...b.subarray(p)]);
      break;
    }
    case 5: {
      // duplicate a slice (repeated headers, frames, pages)
      const p = at();
      const n = rng.size(512);
      const slice = b.subarray(p, p + n);
      const q = at();
      b = Uint8Array.from([...b.subarray(0, q), ...slice, ...b.subarray(q)]);
      break;
    }
    case 6: {
      // splice: the head of one seed, the tail of another
      const p = at();
      b = Uint8Array.from([...b.subarray(0, p), ...other.subarray(rng.int(Math.max(1, other.length)))]);
      break;
    }
    case 7: {
      // delete a slice
      const p = at();
      b = Uint8Array.from([...b.subarray(0, p), ...b.subarray(p + rng.size(256))]);
      break;
    }
    case 8: {
      // RIFF: rewrite a chunk's size field
      const chunks = riffChunkOffsets(b);
      if (chunks.length > 0) putU32(b, rng.pick(chunks) + 4, rng.chance(0.5) ? rng.pick(INTERESTING_WORDS) : rng.int(b.length * 2 + 16));
      else b[at()] ^= 0xff;
      break;
    }
    default: {
      // RIFF: a field inside the first chunk body (fmt: tag, channels, rate, bytes/s, align, bits)
      const chunks = riffChunkOffsets(b);
      if (chunks.length > 0) {
        const body = rng.pick(chunks) + 8;
        const field = body + 2 * rng.int(12);
        if (rng.chance(0.5)) putU32(b, field, rng.pick(INTERESTING_WORDS));
        else if (field + 1 < b.length) {
          const v = rng.pick(INTERESTING_WORDS) & 0xffff;
          b[field] = v & 0xff;
          b[field + 1] = v >> 8;
        }
      } else if (b.length > 0) b[at()] = rng.pick(INTERESTING_BYTES);
    }
  }
  return b;
}

/** 1–`max` stacked mutations: most inputs stay close to a valid file, some drift far. */
export function mutate(rng: FuzzRandom, input: Uint8Array, other: Uint8Array, max = 4): Uint8Array {
  let b = input;
  for (let n = rng.range(1, max); n > 0; n--) b = mutateOnce(rng, b, other);
  return b;
}

/** Shown in a finding: the first bytes as hex (the fixture file holds all of them). */
export function hexPreview(b: Uint8Array, n = 48): string {
  return Array.from(b.subarray(0, n), (v) => v.toString(16).padStart(2, '0')).join(' ') + (b.length > n ? ' …' : '');
}
