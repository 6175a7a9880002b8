/**
 * Describe's vocabulary embeddings on disk, one file per model and vocabulary: the first Describe
 * after a model is installed makes them (seconds on a CPU), every later session reads them back.
 * The file is the raw float32 matrix (unit rows, one per word); anything that does not fit is
 * ignored and made again.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../io/atomic-write.ts';

/** The cache file for `texts` embedded by the bundle with manifest hash `bundleHash`. */
export function soundWordCachePath(cacheDir: string, bundleHash: string, texts: readonly string[]): string {
  const vocabulary = createHash('sha256').update(texts.join('\n')).digest('hex').slice(0, 16);
  return join(cacheDir, `sound-words-${bundleHash.slice(0, 16)}-${vocabulary}.f32`);
}

/** The cached matrix for `rows` words, or null when there is none that fits (absent, truncated, not finite). */
export async function readSoundWordCache(path: string, rows: number): Promise<Float32Array | null> {
  const bytes = await readFile(path).catch(() => null);
  if (!bytes || bytes.length === 0 || bytes.length % (4 * rows) !== 0) return null;
  const matrix = new Float32Array(new Uint8Array(bytes).buffer);
  return matrix.every(Number.isFinite) ? matrix : null;
}

export async function writeSoundWordCache(path: string, matrix: Float32Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFileAtomic(path, new Uint8Array(matrix.buffer, matrix.byteOffset, matrix.byteLength));
}
