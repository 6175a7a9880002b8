import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { GenerateParams } from '../../shared/engine/generate-params.ts';
import { decodeWav } from '../audio/wav.ts';
import { tempDir } from '../engine/testing/tiny-bundle.ts';
import { INDEX_FILE, JsonTakeStore, LibraryIndexError, TakeNotFoundError, type NewTake } from './take-store.ts';

const params: GenerateParams = { prompt: 'Glass shattering on concrete!', negativePrompt: '', seconds: 1, steps: 4, scheduler: 'ddim', guidance: 2, seed: 41, takes: 2 };

function newTake(overrides: Partial<NewTake> = {}): NewTake {
  const samples = new Float32Array(16000).map((_, i) => Math.sin(i / 10) * 0.5);
  return { jobId: 'job1', rank: 1, params, seed: 41, score: null, sampleRate: 16000, samples, modelId: 'tiny-random', device: 'cpu', ...overrides };
}

let scratch: Awaited<ReturnType<typeof tempDir>>;
beforeEach(async () => {
  scratch = await tempDir('loa-takes-');
});
afterEach(async () => {
  await scratch.remove();
});

describe('JsonTakeStore', () => {
  it('writes a 32-bit float WAV under Generations/YYYY-MM-DD/<slug>_<seed>_<id>.wav and lists the take with peaks', async () => {
    const store = await JsonTakeStore.open(scratch.path);
    const take = newTake({ createdAt: new Date(2025, 2, 7, 23, 30) });
    const saved = await store.add(take);
    expect(saved.id).toMatch(/^[0-9a-f]{32}$/);
    const file = store.file(saved.id);
    expect(relative(scratch.path, file).split(sep)).toEqual(['Generations', '2025-03-07', `glass-shattering-on-concrete_41_${saved.id}.wav`]);
    const wav = decodeWav(await readFile(file));
    expect(wav).toMatchObject({ sampleRate: 16000, format: 'float32' });
    expect(wav.channels[0]).toEqual(take.samples);
    expect(saved).toMatchObject({ jobId: 'job1', rank: 1, seed: 41, samples: 16000, durationS: 1, rating: 0, favourite: false, modelId: 'tiny-random', device: 'cpu' });
    expect(saved.peaks.length).toBe(4000);
    expect(saved).not.toHaveProperty('file');
    expect(await store.list()).toEqual([saved]);
  });

  it('persists takes, ratings and favourites across reopening', async () => {
    const store = await JsonTakeStore.open(scratch.path);
    const a = await store.add(newTake());
    const b = await store.add(newTake({ seed: 42, rank: 2 }));
    await store.update(a.id, { rating: 4 });
    await store.update(b.id, { favourite: true, rank: 1, score: 0.75 });
    const again = await JsonTakeStore.open(scratch.path);
    const list = await again.list();
    expect(list.map((t) => t.id)).toEqual([a.id, b.id]);
    expect(list[0]).toMatchObject({ rating: 4, favourite: false });
    expect(list[1]).toMatchObject({ rating: 0, favourite: true, rank: 1, score: 0.75 });
    expect(again.file(b.id)).toBe(store.file(b.id));
  });

  it('keeps every take when many are added and rated at once (index writes are serialised)', async () => {
    const store = await JsonTakeStore.open(scratch.path);
    const saved = await Promise.all(Array.from({ length: 8 }, (_, i) => store.add(newTake({ seed: i }))));
    await Promise.all(saved.map((t, i) => store.update(t.id, { rating: ((i % 5) + 1) as 1 })));
    const reopened = await (await JsonTakeStore.open(scratch.path)).list();
    expect(reopened.map((t) => t.id).sort()).toEqual(saved.map((t) => t.id).sort());
    expect(reopened.every((t) => t.rating > 0)).toBe(true);
  });

  it('names the unknown take', async () => {
    const store = await JsonTakeStore.open(scratch.path);
    expect(() => store.file('nope')).toThrow(TakeNotFoundError);
    await expect(store.update('nope', { rating: 1 })).rejects.toThrow(/no take with id nope/);
    expect(await store.get('nope')).toBeUndefined();
  });

  it('keeps a damaged index as takes.json.corrupt-<time>, reports it once, then starts a new index', async () => {
    const store = await JsonTakeStore.open(scratch.path);
    await store.add(newTake());
    await writeFile(join(scratch.path, INDEX_FILE), '{"format":"loa-studio-takes","version":1,"takes":[{"id":');
    const error = await JsonTakeStore.open(scratch.path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LibraryIndexError);
    expect((error as LibraryIndexError).message).toMatch(/damaged \(it is not valid JSON.*kept as takes\.json\.corrupt-/);
    const files = await readdir(scratch.path);
    const kept = files.find((f) => f.startsWith(`${INDEX_FILE}.corrupt-`))!;
    expect(await readFile(join(scratch.path, kept), 'utf8')).toContain('"takes":[{"id":');
    expect(files).not.toContain(INDEX_FILE);
    const fresh = await JsonTakeStore.open(scratch.path);
    expect(await fresh.list()).toEqual([]);
    expect((await readdir(join(scratch.path, 'Generations'), { recursive: true })).some((f) => f.endsWith('.wav'))).toBe(true);
  });

  it('treats a well-formed JSON file that is not a take index as damaged too', async () => {
    await writeFile(join(scratch.path, INDEX_FILE), JSON.stringify({ format: 'loa-studio-takes', version: 1, takes: [{ id: 'x', file: '../../etc/passwd' }] }));
    await expect(JsonTakeStore.open(scratch.path)).rejects.toThrow(/not a LOA Studio take index/);
  });
});
