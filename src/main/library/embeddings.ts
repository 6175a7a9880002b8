/**
 * Cosine nearest neighbours by brute force: the vectors are kept unit-length in one row-major
 * Float32Array, so cosine similarity is a dot product. 100 000 × 512 is 51 M multiply-adds per
 * query, tens of milliseconds in plain JS; an approximate index would only pay off far beyond that.
 */
import { InvalidRequestError } from '../../shared/errors.ts';

/** Throws unless `vector` is a non-empty, finite, non-zero Float32Array (of `dims` values when given). */
export function checkEmbedding(vector: unknown, dims?: number): asserts vector is Float32Array {
  if (!(vector instanceof Float32Array) || vector.length === 0) {
    throw new InvalidRequestError('embedding', 'The sound embedding must be a non-empty Float32Array.');
  }
  if (dims !== undefined && vector.length !== dims) {
    throw new InvalidRequestError(
      'embedding',
      `The sound embedding has ${vector.length} values; the library's have ${dims}.`,
      'Embeddings from different CLAP models cannot be compared: analyse the library again with the current model.',
    );
  }
  let sum = 0;
  for (let i = 0; i < vector.length; i++) sum += vector[i] * vector[i];
  if (!Number.isFinite(sum) || sum === 0) {
    throw new InvalidRequestError('embedding', 'The sound embedding is zero or contains a NaN or an infinity.', 'Analyse the take again; if it keeps happening, report the model bundle.');
  }
}

/** `vector` scaled to length 1 (accumulated in float64), written into `out` at `offset`. */
export function writeUnit(vector: Float32Array, out: Float32Array, offset: number): void {
  let sum = 0;
  for (let i = 0; i < vector.length; i++) sum += vector[i] * vector[i];
  const scale = 1 / Math.sqrt(sum);
  for (let i = 0; i < vector.length; i++) out[offset + i] = vector[i] * scale;
}

export function unit(vector: Float32Array): Float32Array {
  const out = new Float32Array(vector.length);
  writeUnit(vector, out, 0);
  return out;
}

/** Dot product of `query` with row `row` of a row-major matrix; unrolled by four. */
export function dotRow(matrix: Float32Array, row: number, query: Float32Array): number {
  const dims = query.length;
  const base = row * dims;
  let a = 0;
  let b = 0;
  let c = 0;
  let d = 0;
  let i = 0;
  for (; i + 3 < dims; i += 4) {
    a += matrix[base + i] * query[i];
    b += matrix[base + i + 1] * query[i + 1];
    c += matrix[base + i + 2] * query[i + 2];
    d += matrix[base + i + 3] * query[i + 3];
  }
  for (; i < dims; i++) a += matrix[base + i] * query[i];
  return a + b + c + d;
}

export interface Neighbour {
  row: number;
  score: number;
}

/**
 * The `k` rows with the highest dot product with `query` (unit-length for cosine) among the first
 * `rows` rows for which `include(row)` is true, best first; ties keep the lower row first.
 */
export function topK(matrix: Float32Array, rows: number, query: Float32Array, k: number, include: (row: number) => boolean): Neighbour[] {
  if (k <= 0) return [];
  const scores = new Float64Array(k).fill(-Infinity);
  const picks = new Int32Array(k).fill(-1);
  let found = 0;
  for (let row = 0; row < rows; row++) {
    if (!include(row)) continue;
    const score = dotRow(matrix, row, query);
    if (found === k && score <= scores[k - 1]) continue;
    // Insertion into the sorted top list: cheap, since after the first few thousand rows a new
    // row rarely beats the k-th best.
    let at = Math.min(found, k - 1);
    while (at > 0 && scores[at - 1] < score) {
      scores[at] = scores[at - 1];
      picks[at] = picks[at - 1];
      at--;
    }
    scores[at] = score;
    picks[at] = row;
    if (found < k) found++;
  }
  return Array.from({ length: found }, (_, i) => ({ row: picks[i], score: scores[i] }));
}
