/**
 * The in-memory copy of every take's CLAP embedding, for search by sound. Loaded from the
 * database on first use (a full read of 100 000 embeddings takes about half a second), then kept
 * in step by the library's writes: a new or replaced embedding is written into its row, trash
 * and restore flip a flag, so neither reloads. Trashed takes stay in the matrix, skipped.
 */
import { topK, writeUnit } from './embeddings.ts';

export interface IndexedVector {
  seq: number;
  vector: Float32Array;
  live: boolean;
}

export interface Match {
  seq: number;
  similarity: number;
}

export class EmbeddingIndex {
  private matrix: Float32Array;
  private seqs: Float64Array;
  private live: Uint8Array;
  private rows = 0;
  private readonly rowOf = new Map<number, number>();

  /** `dims` is fixed by the first vector: one library holds one CLAP model's embeddings. */
  private constructor(
    readonly dims: number,
    capacity: number,
  ) {
    this.matrix = new Float32Array(capacity * dims);
    this.seqs = new Float64Array(capacity);
    this.live = new Uint8Array(capacity);
  }

  static build(dims: number, vectors: Iterable<IndexedVector>, expected = 1024): EmbeddingIndex {
    const index = new EmbeddingIndex(dims, Math.max(16, expected));
    for (const v of vectors) index.set(v.seq, v.vector, v.live);
    return index;
  }

  get size(): number {
    return this.rows;
  }

  /** Adds or replaces the take's vector (stored unit-length). */
  set(seq: number, vector: Float32Array, live: boolean): void {
    if (vector.length !== this.dims) throw new RangeError(`EmbeddingIndex: expected ${this.dims} values, got ${vector.length}`);
    let row = this.rowOf.get(seq);
    if (row === undefined) {
      if (this.rows === this.seqs.length) this.grow();
      row = this.rows++;
      this.rowOf.set(seq, row);
      this.seqs[row] = seq;
    }
    writeUnit(vector, this.matrix, row * this.dims);
    this.live[row] = live ? 1 : 0;
  }

  setLive(seq: number, live: boolean): void {
    const row = this.rowOf.get(seq);
    if (row !== undefined) this.live[row] = live ? 1 : 0;
  }

  has(seq: number): boolean {
    return this.rowOf.has(seq);
  }

  /** The stored (unit-length) vector of a take, or undefined. */
  unitVector(seq: number): Float32Array | undefined {
    const row = this.rowOf.get(seq);
    return row === undefined ? undefined : this.matrix.slice(row * this.dims, (row + 1) * this.dims);
  }

  /** The `k` live takes most similar to the unit-length `query`, best first, leaving out `exclude`. */
  nearest(query: Float32Array, k: number, exclude?: number): Match[] {
    const skip = exclude === undefined ? -1 : (this.rowOf.get(exclude) ?? -1);
    const live = this.live;
    return topK(this.matrix, this.rows, query, k, (row) => live[row] === 1 && row !== skip).map(({ row, score }) => ({ seq: this.seqs[row], similarity: score }));
  }

  private grow(): void {
    const capacity = this.seqs.length * 2;
    const matrix = new Float32Array(capacity * this.dims);
    matrix.set(this.matrix);
    const seqs = new Float64Array(capacity);
    seqs.set(this.seqs);
    const live = new Uint8Array(capacity);
    live.set(this.live);
    this.matrix = matrix;
    this.seqs = seqs;
    this.live = live;
  }
}
