/**
 * "Describe": which words fit a clip best, by CLAP. The clip's audio embedding against each word's
 * text embedding (both unit length, so the dot product is the cosine), best first.
 */
import type { SoundWord } from '../../shared/studio/studio-api.ts';
import { checkEmbedding, topK, unit, writeUnit } from './embeddings.ts';

/** The words' text embeddings as one row-major matrix of unit rows (for rankSoundWords). */
export function wordMatrix(vectors: readonly Float32Array[]): Float32Array {
  if (vectors.length === 0) return new Float32Array(0);
  const dims = vectors[0].length;
  const matrix = new Float32Array(vectors.length * dims);
  vectors.forEach((v, i) => {
    if (v.length !== dims) throw new RangeError(`wordMatrix: vector ${i} has ${v.length} values, the first has ${dims}`);
    writeUnit(v, matrix, i * dims);
  });
  return matrix;
}

/** The `k` words whose rows in `matrix` (wordMatrix of their embeddings) best match `clip`, best first. */
export function rankSoundWords(clip: Float32Array, words: readonly string[], matrix: Float32Array, k: number): SoundWord[] {
  // A take analysed by another model has a fingerprint of another size: a typed error that says so.
  checkEmbedding(clip, matrix.length / words.length);
  return topK(matrix, words.length, unit(clip), k, () => true).map((n) => ({ word: words[n.row], score: n.score }));
}
