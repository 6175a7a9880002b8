import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../engine/testing/tiny-bundle.ts';
import { LibraryDb } from '../library/library-db.ts';
import { newTake } from '../library/testing/library-fixtures.ts';
import { LibraryStore } from './library-store.ts';

let scratch: Awaited<ReturnType<typeof tempDir>>;
let dir: string;
const vector = (seed: number) => new Float32Array(8).map((_, i) => Math.cos(seed * 3.1 + i));

beforeEach(async () => {
  scratch = await tempDir('loa-store-');
  dir = join(scratch.path, 'library');
  const db = LibraryDb.open(dir);
  for (let i = 0; i < 30; i++) db.addTake(newTake(dir, `take ${i}`, { embedding: vector(i) }));
  db.close();
});
afterEach(() => scratch.remove());

describe('LibraryStore: embeddings for search by sound', () => {
  it('reads every embedding into memory a slice at a time after opening', async () => {
    const store = await LibraryStore.open(dir, { warmSlice: 4 });
    try {
      await store.embeddingsWarm;
      const [nearest] = store.rankByEmbedding(vector(17), 1);
      expect(nearest.take.params.prompt).toBe('take 17');
      expect(nearest.similarity).toBeCloseTo(1, 6);
    } finally {
      store.close();
    }
  });

  it('stops reading when the library closes mid-way, and still settles', async () => {
    const store = await LibraryStore.open(dir, { warmSlice: 1 });
    store.close();
    await expect(store.embeddingsWarm).resolves.toBeUndefined();
  });
});
