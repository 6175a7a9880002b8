/**
 * The render farm on a real Redis (Debian's redis-server, started here on a free port) with real
 * workers (`npm run loa -- worker` child processes, each with its own engine on the tiny model).
 * One Redis and three workers serve every case, in order; the last two cases kill -9 one worker
 * and SIGTERM another.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Queue } from 'bullmq';
import type { GenerateParams } from '../../shared/engine/generate-params.ts';
import { CancelledError, InvalidRequestError } from '../../shared/errors.ts';
import type { Progress } from '../../shared/engine/progress.ts';
import { EngineHost } from '../engine/host/engine-host.ts';
import { TINY_BUNDLE, tempDir } from '../engine/testing/tiny-bundle.ts';
import { LibraryStore } from '../studio/library-store.ts';
import { FarmClient, type FarmOutcome } from './farm-client.ts';
import { FARM_PREFIX, FARM_QUEUE, parseFarmUrl, redisOptions } from './farm-connection.ts';
import { fileIntoLibrary } from './farm-ingest.ts';
import { manifestHash } from '../engine/bundle/manifest.ts';
import { killAllWorkers, TestRedis, WorkerProcess } from './testing/redis-fixture.ts';

type Params = GenerateParams;
const tiny = (seed: number, steps = 2): Params => ({ prompt: `farm take ${seed}`, negativePrompt: '', seconds: 0.5, steps, scheduler: 'ddim', guidance: 3, seed, takes: 1 });

/** Every job id a worker's log says Redis took its result for (BullMQ completes a job once per lock). */
function finishedIn(workers: WorkerProcess[]): string[] {
  return workers.flatMap((w) => [...w.log.matchAll(/job (farm-[0-9a-f]+): completed/g)].map((m) => m[1]));
}

/**
 * The completion lines once at least `count` of `ids` are in: a worker writes its line after Redis
 * took the result, so the submitter may see the result a moment before the line arrives here.
 */
async function completions(workers: WorkerProcess[], ids: string[], count: number): Promise<string[]> {
  const mine = () => finishedIn(workers).filter((id) => ids.includes(id));
  for (let waited = 0; mine().length < count && waited < 20_000; waited += 100) await new Promise((r) => setTimeout(r, 100));
  await new Promise((r) => setTimeout(r, 500)); // a duplicate completion would arrive in this time too
  return mine();
}

describe('render farm on Redis', () => {
  let redis: TestRedis;
  let client: FarmClient;
  const workers: WorkerProcess[] = [];
  let cache: Awaited<ReturnType<typeof tempDir>>;
  let libraryDir: Awaited<ReturnType<typeof tempDir>>;
  let library: LibraryStore;

  beforeAll(async () => {
    redis = await TestRedis.start({ password: 'farm p@ss' });
    cache = await tempDir('loa-farm-cache-');
    libraryDir = await tempDir('loa-farm-library-');
    library = await LibraryStore.open(libraryDir.path);
    const started = await Promise.all(
      ['w1', 'w2', 'w3'].map((name) => WorkerProcess.start({ redisUrl: redis.url, model: TINY_BUNDLE, name, cacheDir: cache.path, lockMs: 4000, extra: ['--drain-seconds', '0'] })),
    );
    workers.push(...started);
    client = await FarmClient.connect(redis.url);
  }, 180_000);

  afterAll(async () => {
    await client?.close();
    await killAllWorkers();
    library?.close();
    await redis?.stop();
    await cache?.remove();
    await libraryDir?.remove();
  });

  const report = () => workers.map((w) => `--- ${w.name}\n${w.log.slice(-1500)}`).join('\n');

  it('lists its workers with their model and device', async () => {
    const listed = await client.workers();
    expect(listed.map((w) => w.name)).toEqual(['w1', 'w2', 'w3']);
    for (const w of listed) {
      expect(w.device).toBe('cpu');
      expect(w.models[0]).toContain('tiny-random');
      expect(w.state).toBe('idle');
    }
  });

  it('runs 100 jobs on 3 workers: every job done once, every take filed once with its recipe', async () => {
    const seeds = Array.from({ length: 100 }, (_, i) => 1000 + i);
    const ids = await Promise.all(seeds.map((seed) => client.submit({ kind: 'generate', params: tiny(seed) })));
    const outcomes = await Promise.all(ids.map((id) => client.result(id)));
    for (const [i, outcome] of outcomes.entries()) {
      expect(outcome.takes).toHaveLength(1);
      const { take, recipe } = outcome.takes[0];
      expect(take.seed).toBe(seeds[i]);
      expect(take.samples.length).toBe(8000); // 0.5 s at 16 kHz
      expect(take.embedding?.length).toBeGreaterThan(0);
      expect(recipe).toMatchObject({ kind: 'generate', seed: seeds[i], device: 'cpu', params: tiny(seeds[i]) });
      expect(outcome.result.device).toBe('cpu');
    }
    // None twice: the workers finished exactly these 100 jobs, each once.
    const finished = await completions(workers, ids, 100);
    expect(finished.length, report()).toBe(100);
    expect(new Set(finished)).toEqual(new Set(ids));
    expect(new Set(outcomes.map((o) => o.result.worker)).size).toBeGreaterThan(1);

    const filed = await Promise.all(ids.map((id, i) => fileIntoLibrary(library, id, outcomes[i])));
    expect(filed.flat().every((f) => f.added)).toBe(true);
    // A second delivery of the same result (a retry, a resumed submitter) files nothing new.
    const again = await fileIntoLibrary(library, ids[0], outcomes[0]);
    expect(again).toEqual([{ rank: 1, takeId: filed[0][0].takeId, added: false }]);
    for (const id of ids) expect(library.takesOfJob(id)).toHaveLength(1);
    const row = await library.get(filed[7][0].takeId);
    expect(row).toMatchObject({ jobId: ids[7], seed: seeds[7], device: 'cpu' });

    // Bit-identical to the same job run here on the same device kind.
    const host = new EngineHost({ bundleDir: TINY_BUNDLE, device: 'cpu', cacheDir: cache.path, intraOpThreads: 1 });
    try {
      const local = await host.generate(tiny(seeds[7])).result;
      expect(Buffer.from(local.takes[0].samples.buffer).equals(Buffer.from(outcomes[7].takes[0].take.samples.buffer))).toBe(true);
      expect(outcomes[7].takes[0].recipe.model.bundleHash).toBe(await manifestHash(TINY_BUNDLE));
    } finally {
      await host.stop();
    }
    await Promise.all(ids.map((id) => client.release(id)));
    expect((await client.snapshot()).counts.completed).toBe(0);
  }, 300_000);

  it('stops a cancelled job at its next step, on the worker running it', async () => {
    const id = await client.submit({ kind: 'generate', params: tiny(9, 400) });
    let lastStep = 0;
    await new Promise<void>((resolve) => {
      client.on('progress', (jobId, p) => {
        if (jobId !== id) return;
        lastStep = Math.max(lastStep, p.step);
        if (p.step >= 3) resolve();
      });
    });
    const runner = (await client.snapshot()).jobs.find((j) => j.id === id)!.worker!;
    expect(await client.cancel(id)).toBe('cancelling');
    const error = await client.result(id).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(CancelledError);
    expect(lastStep).toBeLessThan(400);
    const log = workers.find((w) => w.name === runner)!.log;
    expect(log).toContain(`job ${id}: cancel asked, stopping at the next step`);
    expect(log).toMatch(new RegExp(`job ${id}: failed: Generation cancelled`));
    const listed = await client.workers();
    expect(listed.find((w) => w.name === runner)?.jobsFailed).toBe(1);

    // A job cancelled before a worker runs it never runs (removed from the queue, or refused on pick-up).
    const queued = await client.submit({ kind: 'generate', params: tiny(10) });
    expect(['removed', 'cancelling']).toContain(await client.cancel(queued));
    await expect(client.result(queued)).rejects.toThrow(/cancelled|not on the farm/i);
    expect(finishedIn(workers)).not.toContain(queued);
  }, 180_000);

  it('refuses a bad payload and a job for a model it does not have, with the reason', async () => {
    const queue = new Queue(FARM_QUEUE, { connection: redisOptions(parseFarmUrl(redis.url)), prefix: FARM_PREFIX });
    try {
      await queue.add('generate', { v: 1, kind: 'generate', params: { ...tiny(1), steps: 'many' } }, { jobId: 'farm-bad-steps', attempts: 3 });
      await queue.add('generate', { v: 1, kind: 'generate', params: tiny(1), reference: { name: '/etc/passwd' } }, { jobId: 'farm-bad-path', attempts: 3 });
    } finally {
      await queue.close();
    }
    const steps = await client.result('farm-bad-steps').then(
      () => null,
      (e: unknown) => e,
    );
    expect(steps).toBeInstanceOf(InvalidRequestError);
    expect((steps as InvalidRequestError).field).toBe('steps');
    const path = await client.result('farm-bad-path').then(
      () => null,
      (e: unknown) => e,
    );
    expect(path).toBeInstanceOf(InvalidRequestError);
    expect((path as Error).message).toMatch(/reference/);

    const missing = await client.submit({ kind: 'generate', params: tiny(1), model: { repo: 'cvssp/audioldm2-music' } });
    const error = await client.result(missing).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect((error as Error).message).toMatch(/does not have the model this job needs \(cvssp\/audioldm2-music\); it has tiny-random/);
  }, 120_000);

  it('runs an audio-to-audio job on a reference sent as bytes, with its lineage', async () => {
    const reference = new Float32Array(16_000).map((_, i) => Math.sin(i / 7) * 0.3);
    const id = await client.submit({
      kind: 'transform',
      params: { op: 'vary', prompt: 'a kick', negativePrompt: '', steps: 2, scheduler: 'ddim', guidance: 3, seed: 5, takes: 1, strengths: [0.5] } as never,
      reference: { name: 'kick.wav', samples: reference, sampleRate: 16_000 },
    });
    const outcome: FarmOutcome = await client.result(id);
    expect(outcome.takes[0].recipe.lineage).toMatchObject({ operation: 'vary', reference: { kind: 'file', id: 'kick.wav', seconds: 1 }, seed: 5 });
    const [filed] = await fileIntoLibrary(library, id, outcome, { kind: 'file', id: '/sounds/kick.wav', sha256: outcome.takes[0].recipe.lineage!.reference.sha256, seconds: 1 });
    expect((await library.get(filed.takeId))?.lineage?.reference.id).toBe('/sounds/kick.wav');
  }, 120_000);

  it('loses nothing when Redis restarts mid-run', async () => {
    const ids = await Promise.all(Array.from({ length: 15 }, (_, i) => client.submit({ kind: 'generate', params: tiny(2000 + i, 8) })));
    await new Promise<void>((resolve) => {
      let done = 0;
      const onCompleted = (jobId: string) => {
        if (ids.includes(jobId) && ++done === 3) {
          client.off('completed', onCompleted);
          resolve();
        }
      };
      client.on('completed', onCompleted);
    });
    await redis.restart();
    const outcomes = await Promise.all(ids.map((id) => client.result(id)));
    expect(outcomes.map((o) => o.takes[0].take.seed)).toEqual(ids.map((_, i) => 2000 + i));
    // None twice: no job completed twice (a completion whose reply the restart cut off may go unlogged),
    // and each files one take.
    for (const id of ids) expect(finishedIn(workers).filter((x) => x === id).length).toBeLessThanOrEqual(1);
    const filed = await Promise.all(ids.map((id, i) => fileIntoLibrary(library, id, outcomes[i])));
    expect(filed.map((f) => f.length)).toEqual(ids.map(() => 1));
    for (const id of ids) expect(library.takesOfJob(id)).toHaveLength(1);
    await Promise.all(ids.map((id) => client.release(id)));
  }, 180_000);

  it('finishes the job of a worker killed with kill -9 mid-job on another worker', async () => {
    const id = await client.submit({ kind: 'generate', params: tiny(7, 60) });
    const victim = await new Promise<string>((resolve) => {
      const onProgress = (jobId: string, p: Progress) => {
        if (jobId !== id || p.step < 2) return;
        client.off('progress', onProgress);
        void client.snapshot().then((s) => resolve(s.jobs.find((j) => j.id === id)!.worker!));
      };
      client.on('progress', onProgress);
    });
    const killed = workers.find((w) => w.name === victim)!;
    await killed.kill9();
    const outcome = await client.result(id);
    expect(outcome.result.worker).not.toBe(victim);
    expect(outcome.takes[0].take.seed).toBe(7);
    expect(await completions(workers, [id], 1)).toEqual([id]);
  }, 180_000);

  it('hands a running job back on SIGTERM when it cannot finish in time (--drain-seconds 0)', async () => {
    const id = await client.submit({ kind: 'generate', params: tiny(11, 60) });
    const runner = await new Promise<string>((resolve) => {
      const onProgress = (jobId: string, p: Progress) => {
        if (jobId !== id || p.step < 2) return;
        client.off('progress', onProgress);
        void client.snapshot().then((snapshot) => resolve(snapshot.jobs.find((j) => j.id === id)!.worker!));
      };
      client.on('progress', onProgress);
    });
    const stopping = workers.find((w) => w.name === runner)!;
    await stopping.stop('SIGTERM');
    expect(stopping.log).toMatch(new RegExp(`job ${id}: handed back to the queue`));
    const outcome = await client.result(id);
    expect(outcome.result.worker).not.toBe(runner);
    expect(outcome.takes[0].take.seed).toBe(11);
  }, 180_000);
});
