import { describe, expect, it } from 'vitest';
import { InvalidRequestError } from '../../shared/errors.ts';
import { SeededRandom } from '../engine/random.ts';
import { EmbeddingIndex } from './embedding-index.ts';
import { checkEmbedding, dotRow, topK, unit } from './embeddings.ts';

const random = (rng: SeededRandom, dims: number) => new Float32Array(dims).map(() => rng.nextFloat64() * 2 - 1);

describe('embeddings', () => {
  it('scales to unit length', () => {
    const v = unit(new Float32Array([3, 4]));
    expect(Array.from(v)).toEqual([Math.fround(0.6), Math.fround(0.8)]);
  });

  it('dotRow agrees with a plain loop for lengths that are and are not multiples of four', () => {
    const rng = new SeededRandom(1);
    for (const dims of [1, 3, 4, 7, 512]) {
      const matrix = random(rng, dims * 3);
      const query = random(rng, dims);
      let want = 0;
      for (let i = 0; i < dims; i++) want += matrix[2 * dims + i] * query[i];
      expect(dotRow(matrix, 2, query)).toBeCloseTo(want, 10);
    }
  });

  it('topK returns the same rows and scores as sorting every score, skipping excluded rows', () => {
    const rng = new SeededRandom(2);
    const dims = 24;
    const rows = 500;
    const matrix = random(rng, rows * dims);
    const query = random(rng, dims);
    const include = (row: number) => row % 7 !== 0;
    const all = Array.from({ length: rows }, (_, row) => ({ row, score: dotRow(matrix, row, query) }))
      .filter((n) => include(n.row))
      .sort((a, b) => b.score - a.score);
    expect(topK(matrix, rows, query, 25, include)).toEqual(all.slice(0, 25));
    expect(topK(matrix, rows, query, 1000, include)).toEqual(all);
    expect(topK(matrix, rows, query, 0, include)).toEqual([]);
  });

  it('breaks ties by row order', () => {
    const matrix = new Float32Array([1, 0, 0, 1, 1, 0, 1, 0]);
    expect(topK(matrix, 4, new Float32Array([1, 0]), 3, () => true).map((n) => n.row)).toEqual([0, 2, 3]);
  });

  it('checkEmbedding refuses what cannot be compared', () => {
    expect(() => checkEmbedding(new Float32Array([1, 2]))).not.toThrow();
    expect(() => checkEmbedding([1, 2])).toThrow(InvalidRequestError);
    expect(() => checkEmbedding(new Float32Array(0))).toThrow(InvalidRequestError);
    expect(() => checkEmbedding(new Float32Array([0, 0]))).toThrow(/zero/);
    expect(() => checkEmbedding(new Float32Array([1, Infinity]))).toThrow(/infinity/);
    expect(() => checkEmbedding(new Float32Array([1, 2]), 3)).toThrow(/has 2 values; the library's have 3/);
  });
});

describe('EmbeddingIndex', () => {
  it('grows, replaces, and skips takes that are not live', () => {
    const rng = new SeededRandom(3);
    const dims = 8;
    const vectors = Array.from({ length: 40 }, () => random(rng, dims));
    const index = EmbeddingIndex.build(
      dims,
      vectors.slice(0, 5).map((vector, i) => ({ seq: 100 + i, vector, live: true })),
      2,
    );
    vectors.slice(5).forEach((vector, i) => index.set(105 + i, vector, true));
    expect(index.size).toBe(40);

    const query = unit(vectors[10]);
    expect(index.nearest(query, 1)[0]).toEqual({ seq: 110, similarity: expect.closeTo(1, 6) });
    expect(index.nearest(query, 1, 110)[0].seq).not.toBe(110);
    index.setLive(110, false);
    expect(index.nearest(query, 40).map((m) => m.seq)).not.toContain(110);
    index.setLive(110, true);
    index.set(
      110,
      vectors[10].map((x) => -x),
      true,
    ); // replaced in place
    expect(index.size).toBe(40);
    expect(index.nearest(query, 40).at(-1)).toEqual({ seq: 110, similarity: expect.closeTo(-1, 6) });
    expect(Array.from(index.unitVector(111)!)).toEqual(Array.from(unit(vectors[11])));
    expect(index.unitVector(999)).toBeUndefined();
    expect(() => index.set(1, new Float32Array(3), true)).toThrow(RangeError);
  });
});
