/**
 * Waveform peaks on the browser-mode wire: `{ i8: base64 }` of the library's own one-byte-per-value
 * form (library/peaks-blob.ts) instead of a JSON array of numbers. A take's 4 000 peaks as JSON
 * numbers are ~70 KB the page must parse; 200 takes made a 15 MB answer that froze the page for a
 * quarter of a second at load (issue 13 item 1). Packed, a take's peaks are 5.3 KB of one string.
 * The values are the ones the library stores, so a take reads the same over the wire as from disk.
 */
import { decodePeaks, encodePeaks } from '../library/peaks-blob.ts';

export interface PackedPeaks {
  i8: string;
}

const isPeakArray = (value: unknown): value is number[] => Array.isArray(value) && value.length % 2 === 0 && value.every((x) => typeof x === 'number');

const isPacked = (value: unknown): value is PackedPeaks => typeof value === 'object' && value !== null && typeof (value as { i8?: unknown }).i8 === 'string';

/** Chunks keep String.fromCharCode's argument list well under the engines' limits. */
const CHUNK = 8192;

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += CHUNK) binary += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  return btoa(binary);
}

function fromBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

export const packPeaks = (peaks: readonly number[]): PackedPeaks => ({ i8: toBase64(encodePeaks(peaks)) });

export const unpackPeaks = (packed: PackedPeaks): number[] => decodePeaks(fromBase64(packed.i8));

/** JSON.stringify's replacer for the server's frames: every `peaks` array goes packed. */
export function packPeaksReplacer(key: string, value: unknown): unknown {
  return key === 'peaks' && isPeakArray(value) ? packPeaks(value) : value;
}

/**
 * JSON.parse's reviver for the page: every object with packed `peaks` gets them back as the array
 * of numbers the Studio API promises, decoded the first time they are read. A page of 200 takes
 * draws the few on screen; decoding all 800 000 values at once was most of the load's parse time.
 */
export function unpackPeaksReviver(_key: string, value: unknown): unknown {
  if (typeof value === 'object' && value !== null && isPacked((value as { peaks?: unknown }).peaks)) definePeaksOnRead(value as { peaks: unknown }, (value as { peaks: PackedPeaks }).peaks);
  return value;
}

function definePeaksOnRead(holder: { peaks: unknown }, packed: PackedPeaks): void {
  const settle = (peaks: unknown) => Object.defineProperty(holder, 'peaks', { value: peaks, writable: true, enumerable: true, configurable: true });
  Object.defineProperty(holder, 'peaks', {
    enumerable: true,
    configurable: true,
    get() {
      const peaks = unpackPeaks(packed);
      settle(peaks);
      return peaks;
    },
    set: settle,
  });
}
