// Rebuilding the library safely (issue 12, items 10 and 11).
//  10: a rebuild while a job ran closed the store the job wrote into: the job failed, its next WAV
//      had no row, and the healthy database was set aside as ".corrupt".
//  11: a 0-byte library.sqlite opened as an empty library without a word, with takes on disk.
import { readdir, rm, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StudioEvent } from '../../shared/studio/studio-api.ts';
import { tempDir, TINY_BUNDLE } from '../engine/testing/tiny-bundle.ts';
import { LibraryBusyError, LibraryCorruptError, REBUILD_HINT } from '../library/library-errors.ts';
import { makeRecipe } from '../library/make-recipe.ts';
import { LibraryStore } from './library-store.ts';
import { StudioService } from './studio-service.ts';

const mediaUrl = (kind: string, id: string) => `media://${kind}/${id}`;
/** Loading even the tiny bundle takes 15 s+ on a busy two-core CI box. */
const ENGINE_TIMEOUT_MS = 180_000;

let scratch: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  scratch = await tempDir('loa-rebuild-');
});
afterAll(async () => {
  await scratch.remove();
});

async function wavsUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true }).catch(() => [] as string[]);
  return entries.filter((name) => name.endsWith('.wav'));
}

describe('rebuilding while a job runs', () => {
  it(
    'is refused while the job makes takes; the job finishes with every take saved; afterwards the rebuild runs and keeps the healthy database as .before-rebuild',
    async () => {
      const libraryDir = join(scratch.path, 'busy-lib');
      const service = new StudioService({ configDir: join(scratch.path, 'busy-config'), libraryDir, bundleDir: TINY_BUNDLE, device: 'cpu', mediaUrl });
      try {
        const events: StudioEvent[] = [];
        let firstTake!: () => void;
        const tookOne = new Promise<void>((resolve) => (firstTake = resolve));
        let ended!: (state: string) => void;
        const done = new Promise<string>((resolve) => (ended = resolve));
        service.onEvent((event) => {
          events.push(event);
          if (event.type === 'take') firstTake();
          if (event.type === 'job' && ['done', 'failed', 'cancelled'].includes(event.job.state)) ended(event.job.state);
        });
        const job = await service.generate({ prompt: 'rain on a tin roof', seconds: 1, steps: 20, scheduler: 'ddim', seed: 3, takes: 3 });
        await tookOne; // mid-job: one take saved, more to come

        const refused = await service.rebuildLibrary().catch((e: unknown) => e);
        expect(refused).toBeInstanceOf(LibraryBusyError);
        expect((refused as Error).message).toBe('The library cannot be rebuilt while 1 job is still making takes.');

        expect(await done).toBe('done');
        const takes = await service.listTakes();
        expect(takes.filter((t) => t.jobId === job.jobId)).toHaveLength(3);
        expect(await wavsUnder(join(libraryDir, 'Generations'))).toHaveLength(3); // no WAV without its row

        const rebuilt = await service.rebuildLibrary();
        expect(rebuilt).toMatchObject({ restored: 3, skipped: 0 });
        expect(rebuilt.setAside).toMatch(/library\.sqlite\.before-rebuild-/);
        expect((await service.listTakes()).map((t) => t.id).sort()).toEqual(takes.map((t) => t.id).sort());
      } finally {
        await service.dispose();
      }
    },
    ENGINE_TIMEOUT_MS,
  );
});

describe('a 0-byte library.sqlite', () => {
  async function libraryWithOneTake(dir: string): Promise<string> {
    const store = await LibraryStore.open(dir);
    const samples = new Float32Array(1600).map((_, i) => Math.sin(i / 7) * 0.3);
    const task = { kind: 'generate' as const, params: { prompt: 'door slam', negativePrompt: 'Low quality.', seconds: 1, steps: 4, scheduler: 'ddim' as const, guidance: 2, seed: 9, takes: 1 } };
    const recipe = makeRecipe(
      task,
      { index: 0, seed: 9, samples, score: null } as never,
      { bundleId: 'tiny-random', bundleName: 'Tiny', bundleHash: 'ab'.repeat(32), provider: 'cpu', sampleRate: 16000 } as never,
    );
    const take = await store.add({ jobId: 'job', rank: 1, params: task.params, seed: 9, score: null, sampleRate: 16000, samples, modelId: 'tiny-random', device: 'cpu', recipe });
    store.close();
    return take.id;
  }

  it('with takes on disk is reported as damaged, with the rebuild offered, and the rebuild brings the takes back', async () => {
    const libraryDir = join(scratch.path, 'empty-db');
    const id = await libraryWithOneTake(libraryDir);
    const db = join(libraryDir, 'library.sqlite');
    await truncate(db, 0);
    await rm(`${db}-wal`, { force: true });
    await rm(`${db}-shm`, { force: true });

    const service = new StudioService({ configDir: join(scratch.path, 'empty-config'), libraryDir, mediaUrl });
    try {
      const error = await service.listTakes().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(LibraryCorruptError);
      expect((error as Error).message).toBe(`The library database ${db} is damaged (it is empty (0 bytes), yet Generations/ holds 1 take file).`);
      expect((error as LibraryCorruptError).hint).toBe(REBUILD_HINT);

      const rebuilt = await service.rebuildLibrary();
      expect(rebuilt).toMatchObject({ restored: 1, skipped: 0 });
      expect(rebuilt.setAside).toMatch(/library\.sqlite\.corrupt-/);
      expect((await service.listTakes()).map((t) => t.id)).toEqual([id]);
    } finally {
      await service.dispose();
    }
  });

  it('without takes on disk is simply a new library', async () => {
    const libraryDir = join(scratch.path, 'fresh');
    const service = new StudioService({ configDir: join(scratch.path, 'fresh-config'), libraryDir, mediaUrl });
    try {
      await service.whenReady();
      await service.dispose();
      await truncate(join(libraryDir, 'library.sqlite'), 0);
      const again = new StudioService({ configDir: join(scratch.path, 'fresh-config'), libraryDir, mediaUrl });
      try {
        expect(await again.listTakes()).toEqual([]);
      } finally {
        await again.dispose();
      }
    } finally {
      await service.dispose();
    }
  });
});
