/**
 * The studio's render farm (issue 15) through the real StudioService: a real redis-server on a
 * free loopback port (with a password), one `npm run loa -- worker` child process on the tiny
 * model, and the studio's own library. The studio has no model of its own: any worker's will do.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FarmState, JobInfo, StudioEvent } from '../../shared/studio/studio-api.ts';
import { copyTinyBundle, editManifest, tempDir, TINY_BUNDLE } from '../engine/testing/tiny-bundle.ts';
import { freePort, killAllWorkers, TestRedis, WorkerProcess } from '../farm/testing/redis-fixture.ts';
import { dispatchCall } from './dispatch.ts';
import { FARM_FILE } from './farm-service.ts';
import { StudioService } from './studio-service.ts';

const PASSWORD = 'studio s3cret';
const mediaUrl = (kind: string, id: string) => `media://${kind}/${encodeURIComponent(id)}`;
async function until(test: () => Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await test())) {
    if (Date.now() > deadline) throw new Error(`Not true within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
const tiny = { prompt: 'farm rain on tin', seconds: 0.5, steps: 2, scheduler: 'ddim' as const, guidance: 3, seed: 11, takes: 1 };

describe('StudioService on a render farm', () => {
  let scratch: Awaited<ReturnType<typeof tempDir>>;
  let redis: TestRedis;
  let service: StudioService;
  let cache: Awaited<ReturnType<typeof tempDir>>;
  const events: StudioEvent[] = [];
  const jobEnd = (jobId: string) =>
    new Promise<JobInfo>((resolve) => {
      const check = () => {
        const last = events.findLast((e) => e.type === 'job' && e.job.jobId === jobId && ['done', 'failed', 'cancelled'].includes(e.job.state));
        if (last?.type === 'job') resolve(last.job);
        else setTimeout(check, 50);
      };
      check();
    });

  beforeAll(async () => {
    scratch = await tempDir('loa-studio-farm-');
    cache = await tempDir('loa-farm-cache-');
    redis = await TestRedis.start({ password: PASSWORD });
    service = new StudioService({ configDir: join(scratch.path, 'config'), libraryDir: join(scratch.path, 'library'), device: 'cpu', mediaUrl });
    service.onEvent((event) => events.push(event));
    await service.whenReady();
  }, 60_000);
  afterAll(async () => {
    await killAllWorkers();
    await service?.dispose();
    await redis?.stop();
    await scratch?.remove();
    await cache?.remove();
  });

  it('says clearly when Redis cannot be reached, and refuses a URL that is not redis://', async () => {
    const closed = `redis://127.0.0.1:${await freePort()}`;
    await expect(service.connectFarm(closed)).rejects.toMatchObject({ code: 'IO_FAILED', message: expect.stringContaining('Cannot reach the farm'), hint: expect.stringContaining('redis-server') });
    expect(await service.farmState()).toMatchObject({ state: 'error', url: expect.stringContaining('127.0.0.1'), error: { code: 'IO_FAILED' } });
    const refused = await dispatchCall(service, 'connectFarm', ['http://127.0.0.1:6379']);
    expect(refused).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST', field: 'url' } });
    await expect(service.generateOnFarm(tiny)).rejects.toMatchObject({ hint: expect.stringContaining('Render farm') });
  });

  it('connects with a password it never shows again, and keeps the URL for the owner only', async () => {
    const state = await service.connectFarm(redis.url);
    expect(state).toEqual<FarmState>({ state: 'connected', url: `redis://:***@127.0.0.1:${redis.port}/0`, error: null });
    expect(JSON.stringify(await service.farmState())).not.toContain('s3cret');
    expect(events.some((e) => e.type === 'farm' && e.farm.state === 'connected')).toBe(true);
    expect((await stat(join(scratch.path, 'config', FARM_FILE))).mode & 0o777).toBe(0o600);
    // The masked URL sent back means the remembered one (the page never had the password).
    expect((await service.connectFarm(state.url)).state).toBe('connected');
  });

  it('cancels a job while it waits on the queue: gone from the farm, no takes', async () => {
    const job = await service.generateOnFarm({ ...tiny, seed: 99 });
    expect(job).toMatchObject({ state: 'queued', params: { prompt: tiny.prompt, seed: 99 } });
    const overview = await service.farmOverview();
    expect(overview.workers).toEqual([]);
    expect(overview.jobs.map((j) => [j.id, j.state])).toContainEqual([job.jobId, 'waiting']);
    expect(await dispatchCall(service, 'cancel', [job.jobId])).toMatchObject({ ok: true });
    expect((await jobEnd(job.jobId)).state).toBe('cancelled');
    expect((await service.farmOverview()).jobs.map((j) => j.id)).not.toContain(job.jobId);
    expect((await service.listTakes()).filter((t) => t.jobId === job.jobId)).toEqual([]);
  });

  it('runs Generate on a worker: the take comes back into the library with its recipe, through the same take events', async () => {
    {
      await WorkerProcess.start({ redisUrl: redis.url, model: TINY_BUNDLE, name: 'studio-w1', cacheDir: cache.path, extra: ['--drain-seconds', '0'] });
      const workers = (await service.farmOverview()).workers;
      expect(workers).toMatchObject([{ name: 'studio-w1', device: expect.any(String), jobsDone: 0 }]);

      const job = await service.generateOnFarm(tiny);
      const done = await jobEnd(job.jobId);
      expect(done.state, JSON.stringify(done.error)).toBe('done');
      expect(done.takeIds).toHaveLength(1);
      const take = await service.getTake(done.takeIds[0]);
      expect(take).toMatchObject({ jobId: job.jobId, rank: 1, seed: 11, device: 'cpu', sampleRate: 16000, samples: 8000, params: { prompt: tiny.prompt, steps: 2 } });
      expect(events.some((e) => e.type === 'take' && e.take.id === take.id)).toBe(true);
      const recipe = await service.readRecipe({ kind: 'take', takeId: take.id });
      expect(recipe).toMatchObject({ kind: 'generate', seed: 11, device: 'cpu', params: { prompt: tiny.prompt, steps: 2, seconds: 0.5 } });
      expect(events.some((e) => e.type === 'job' && e.job.jobId === job.jobId && e.job.state === 'running')).toBe(true);
      expect((await service.farmOverview()).workers[0].jobsDone).toBe(1);
    }
  }, 240_000);

  it('shows the reason a worker gives for refusing a job whose model it lacks', async () => {
    // The studio's own model asks for its exact bundle: a renamed copy is another bundle.
    const other = await copyTinyBundle(join(scratch.path, 'other-model'));
    await editManifest(other, (manifest) => {
      manifest.name = 'Tiny random, renamed';
    });
    await service.importModel(other);
    await until(async () => (await service.getModelStatus()).state === 'ready');
    const job = await service.generateOnFarm(tiny);
    const failed = await jobEnd(job.jobId);
    expect(failed.state).toBe('failed');
    expect(failed.error).toMatchObject({
      code: 'INVALID_REQUEST',
      message: expect.stringMatching(/Worker studio-w1 does not have the model this job needs \(bundle [0-9a-f]{12}\)/),
      hint: expect.stringContaining('--model'),
    });
    expect((await service.listTakes()).filter((t) => t.jobId === job.jobId)).toEqual([]);
  }, 180_000);
});
