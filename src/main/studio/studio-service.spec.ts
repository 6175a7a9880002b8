import { access, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelBundleError, type LoaError } from '../../shared/errors.ts';
import type { ExportOptions, JobInfo, StudioEvent } from '../../shared/studio/studio-api.ts';
import { decodeWav } from '../audio/wav.ts';
import { tempDir, TINY_BUNDLE } from '../engine/testing/tiny-bundle.ts';
import { dispatchCall } from './dispatch.ts';
import { resolveMediaPath } from './media-paths.ts';
import { NoModelError } from './model-manager.ts';
import { StudioService } from './studio-service.ts';
import { LibraryCorruptError } from '../library/library-errors.ts';
import { readRecipe } from '../library/wav-metadata.ts';

const exportOptions: ExportOptions = { format: 'float32', sampleRate: 16000, normalize: { kind: 'none' }, fadeInMs: 0, fadeOutMs: 0, nameTemplate: '{prompt-slug}_{seed}_{take}' };
const mediaUrl = (kind: string, id: string) => `media://${kind}/${encodeURIComponent(id)}`;
/** Loading even the tiny bundle takes 15 s+ on a busy two-core CI box. */
const ENGINE_TIMEOUT_MS = 180_000;

/** Records every event; `next` resolves on the first event (already seen or still to come) that matches. */
function record(service: StudioService) {
  const events: StudioEvent[] = [];
  const waiters: Array<{ test: (e: StudioEvent) => boolean; resolve: (e: StudioEvent) => void }> = [];
  service.onEvent((event) => {
    events.push(event);
    for (const w of waiters.splice(0)) {
      if (w.test(event)) w.resolve(event);
      else waiters.push(w);
    }
  });
  const next = <T extends StudioEvent>(test: (e: StudioEvent) => boolean): Promise<T> => new Promise((resolve) => waiters.push({ test, resolve: resolve as (e: StudioEvent) => void }));
  return { events, next };
}
const jobEnded = (jobId: string) => (e: StudioEvent) => e.type === 'job' && e.job.jobId === jobId && ['done', 'failed', 'cancelled'].includes(e.job.state);
const jobEvents = (events: StudioEvent[], jobId: string) => events.flatMap((e) => (e.type === 'job' && e.job.jobId === jobId ? [e.job] : []));

describe('StudioService with the tiny model', () => {
  let scratch: Awaited<ReturnType<typeof tempDir>>;
  let service: StudioService;
  let seen: ReturnType<typeof record>;
  let configDir: string;
  let libraryDir: string;
  let firstJob: JobInfo;

  beforeAll(async () => {
    scratch = await tempDir('loa-studio-');
    configDir = join(scratch.path, 'config');
    libraryDir = join(scratch.path, 'library');
    service = new StudioService({ configDir, libraryDir, bundleDir: TINY_BUNDLE, device: 'cpu', mediaUrl });
    seen = record(service);
    const ready = seen.next((e) => e.type === 'model' && e.status.state === 'ready');
    expect((await service.getModelStatus()).state).toMatch(/loading|ready/);
    await ready;
  }, ENGINE_TIMEOUT_MS);
  afterAll(async () => {
    await service.dispose();
    await scratch.remove();
  });

  it(
    'generates 2 takes: saved on disk as they arrive, ranked 1 and 2, job events from queued to done',
    async () => {
      const job = await service.generate({ prompt: 'wooden door creak', seconds: 1, steps: 12, scheduler: 'ddim', guidance: 2, seed: 7, takes: 2 });
      expect(job).toMatchObject({ state: 'queued', takeIds: [], error: null, params: { prompt: 'wooden door creak', seed: 7, takes: 2, negativePrompt: 'Low quality.' } });
      const done = (await seen.next(jobEnded(job.jobId))) as Extract<StudioEvent, { type: 'job' }>;
      expect(done.job.state).toBe('done');
      firstJob = done.job;

      const states = jobEvents(seen.events, job.jobId).map((j) => j.state);
      expect(states[0]).toBe('queued');
      expect(states[1]).toBe('running');
      expect(states.at(-1)).toBe('done');
      expect(states.filter((s) => s === 'queued' || s === 'done').length).toBe(2);

      const takes = await service.listTakes();
      expect(takes.map((t) => t.id).sort()).toEqual([...done.job.takeIds].sort());
      const byRank = [...takes].sort((a, b) => a.rank - b.rank);
      expect(byRank.map((t) => t.rank)).toEqual([1, 2]);
      expect(byRank.map((t) => t.id)).toEqual(done.job.takeIds); // the job lists its takes best first
      expect(takes.map((t) => t.seed).sort()).toEqual([7, 8]);
      for (const take of takes) {
        expect(take).toMatchObject({ jobId: job.jobId, sampleRate: 16000, samples: 16000, durationS: 1, modelId: 'tiny-random', device: 'cpu', rating: 0, favourite: false });
        expect(take.score).toEqual(expect.any(Number)); // CLAP-ranked
        expect(take.audioUrl).toBe(`media://take/${take.id}`);
        expect(take.peaks.length).toBe(4000);
        const file = await resolveMediaPath(service, 'take', take.id);
        expect(dirname(file)).toMatch(/library\/Generations\/\d{4}-\d{2}-\d{2}$/);
        expect(decodeWav(await readFile(file))).toMatchObject({ sampleRate: 16000, format: 'float32' });
      }
      const takeEvents = seen.events.filter((e) => e.type === 'take');
      expect(takeEvents.length).toBeGreaterThanOrEqual(2); // each take as it arrived (plus rank updates)
      expect((await service.getSettings()).recentPrompts[0]).toBe('wooden door creak');
      expect(seen.events.some((e) => e.type === 'settings' && e.settings.recentPrompts[0] === 'wooden door creak')).toBe(true);
    },
    ENGINE_TIMEOUT_MS,
  );

  it('throttles progress to about 20 job events a second', () => {
    const running = jobEvents(seen.events, firstJob.jobId).filter((j) => j.state === 'running');
    const progress = running.map((j) => j.progress!);
    expect(progress.length).toBeGreaterThan(1);
    const spanMs = progress.at(-1)!.elapsedMs - progress[0].elapsedMs;
    expect(running.length).toBeLessThanOrEqual(spanMs / 50 + 3);
    // 2 takes × 12 steps alone are 24 denoise reports; fewer events went out when the engine was fast.
    expect(progress.at(-1)!.fraction).toBeGreaterThan(0.5);
  });

  it(
    'cancels a queued job at once and a running job at its next step',
    async () => {
      const long = await service.generate({ prompt: 'endless drone', seconds: 1, steps: 400, scheduler: 'ddim', guidance: 2, seed: 1 });
      const queued = await service.generate({ prompt: 'second in line', seconds: 1, steps: 4, seed: 2 });
      await seen.next((e) => e.type === 'job' && e.job.jobId === long.jobId && e.job.progress?.stage === 'denoise' && e.job.progress.step >= 1);
      const queuedEnd = seen.next(jobEnded(queued.jobId));
      await service.cancel(queued.jobId);
      expect(((await queuedEnd) as Extract<StudioEvent, { type: 'job' }>).job).toMatchObject({ state: 'cancelled', error: null, takeIds: [] });
      expect((await service.listJobs()).find((j) => j.jobId === long.jobId)?.state).toBe('running'); // untouched by the other cancel
      const longEnd = seen.next(jobEnded(long.jobId));
      await service.cancel(long.jobId);
      expect(((await longEnd) as Extract<StudioEvent, { type: 'job' }>).job.state).toBe('cancelled');
      expect((await service.listJobs()).find((j) => j.jobId === long.jobId)?.state).toBe('cancelled');
      await service.cancel(long.jobId); // already over: nothing to do, no error
      await expect(service.cancel('nosuchjob')).rejects.toMatchObject({ field: 'jobId' });
    },
    ENGINE_TIMEOUT_MS,
  );

  it('rates and favourites takes through updateTake, telling every listener; getTake reads them back as stored', async () => {
    const [best, second] = firstJob.takeIds;
    expect(await service.updateTake(best, { rating: 5 })).toMatchObject({ id: best, rating: 5, favourite: false });
    expect(await service.updateTake(second, { favourite: true })).toMatchObject({ id: second, favourite: true, rating: 0 });
    expect(seen.events.some((e) => e.type === 'take' && e.take.id === second && e.take.favourite)).toBe(true);
    const events = seen.events.length;
    const read = await service.getTake(best);
    expect(read).toMatchObject({ id: best, rank: 1, rating: 5, favourite: false, jobId: firstJob.jobId, audioUrl: `media://take/${best}` });
    expect(read.peaks.length).toBeGreaterThan(0);
    expect(seen.events.length).toBe(events); // reading is not a change: no 'take' event
    expect((await service.getTake(second)).favourite).toBe(true);
    await expect(service.updateTake('nosuchtake', { rating: 1 })).rejects.toMatchObject({ code: 'INVALID_REQUEST', field: 'takeId' });
    await expect(service.getTake('nosuchtake')).rejects.toMatchObject({ code: 'INVALID_REQUEST', field: 'takeId', name: 'TakeNotFoundError' });
  });

  it('does not read a trashed take with getTake until it is restored', async () => {
    const [, second] = firstJob.takeIds;
    await service.trashTakes([second]);
    await expect(service.getTake(second)).rejects.toMatchObject({ field: 'takeId' });
    await service.restoreTakes([second]);
    expect((await service.getTake(second)).id).toBe(second);
  });

  it('exports a region to a file of the right length, and batch-exports with progress events', async () => {
    const [best, second] = firstJob.takeIds;
    const [region] = await service.exportTakes({ takeIds: [best], region: { start: 0.25, end: 0.75 }, options: exportOptions });
    expect(region).toMatchObject({ takeId: best, fileName: expect.stringMatching(/^wooden-door-creak_\d+_1\.wav$/) });
    expect(region.path).toBe(join(libraryDir, 'Exports', region.fileName));
    expect(region.url).toBe(`media://export/${encodeURIComponent(region.fileName)}`);
    const wav = decodeWav(await readFile(region.path));
    expect(wav.channels[0].length).toBe(8000); // 0.5 s at 16 kHz
    expect(region.bytes).toBe((await stat(region.path)).size);
    expect(await resolveMediaPath(service, 'export', region.fileName)).toBe(region.path);

    const [resampled] = await service.exportTakes({ takeIds: [best], region: { start: 0.25, end: 0.75 }, options: { ...exportOptions, sampleRate: 48000, format: 'pcm24' } });
    expect(decodeWav(await readFile(resampled.path))).toMatchObject({ sampleRate: 48000, format: 'pcm24' });
    expect(decodeWav(await readFile(resampled.path)).channels[0].length).toBe(24000); // 0.5 s at 48 kHz

    const exportEvents: number[] = [];
    service.onEvent((e) => e.type === 'export' && exportEvents.push(e.done));
    const batch = await service.exportTakes({ takeIds: [best, second], options: exportOptions });
    expect(batch.map((r) => r.takeId)).toEqual([best, second]);
    expect(exportEvents).toEqual([0, 1, 2]);
    expect(batch[0].fileName).not.toBe(region.fileName); // never overwrites an earlier export
    for (const r of batch) expect(decodeWav(await readFile(r.path)).channels[0].length).toBe(16000);
    await expect(service.exportTakes({ takeIds: [best], region: { start: 0.5, end: 2 }, options: exportOptions })).rejects.toMatchObject({ field: 'region' });
  });

  it('renders a drag-out into the Exports folder and keeps every earlier one', async () => {
    const [best] = firstJob.takeIds;
    const first = await service.prepareDrag(best, { start: 0, end: 0.5 });
    const again = await service.prepareDrag(best, { start: 0, end: 0.5 });
    expect(dirname(first.path)).toBe((await service.getSettings()).exportsDir);
    expect(again.path).not.toBe(first.path);
    await access(first.path);
    // The export defaults: 24-bit at 48 kHz, with at least 5 ms fades on a dragged region.
    const dragged = decodeWav(await readFile(again.path));
    expect(dragged).toMatchObject({ sampleRate: 48000, format: 'pcm24' });
    expect(dragged.channels[0].length).toBe(24000);
    expect(dragged.channels[0][0]).toBe(0);
    expect(dragged.channels[0].at(-1)).toBe(0);
    const whole = await service.prepareDrag(best);
    expect(decodeWav(await readFile(whole.path)).channels[0].length).toBe(48000);
  });

  it('finds the takes, ratings and favourites again from a new service on the same folders', async () => {
    const [best, second] = firstJob.takeIds;
    const reopened = new StudioService({ configDir, mediaUrl, libraryDir });
    try {
      const takes = await reopened.listTakes();
      expect(takes.map((t) => t.id)).toEqual((await service.listTakes()).map((t) => t.id));
      expect(takes.filter((t) => t.jobId === firstJob.jobId).length).toBe(2);
      expect(takes.find((t) => t.id === best)).toMatchObject({ rank: 1, rating: 5 });
      expect(takes.find((t) => t.id === second)).toMatchObject({ rank: 2, favourite: true });
      expect((await reopened.getSettings()).recentPrompts).toEqual(['second in line', 'endless drone', 'wooden door creak']);
    } finally {
      await reopened.dispose();
    }
  });
});

describe('StudioService without a working model', () => {
  let scratch: Awaited<ReturnType<typeof tempDir>>;
  beforeAll(async () => {
    scratch = await tempDir('loa-studio-nomodel-');
  });
  afterAll(async () => {
    await scratch.remove();
  });

  it('reports no model, and generate throws a typed error saying to import one', async () => {
    const service = new StudioService({ configDir: join(scratch.path, 'a'), libraryDir: join(scratch.path, 'lib-a'), mediaUrl });
    try {
      expect(await service.getModelStatus()).toMatchObject({ state: 'none', bundleDir: null, error: null });
      const error = await service.generate({ prompt: 'rain' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(NoModelError);
      expect(error).toMatchObject({ code: 'BUNDLE_INVALID' });
      expect((error as Error).message).toMatch(/import a model bundle folder or download one/);
      expect((await service.getSettings()).recentPrompts).toEqual([]);
      expect(await service.listJobs()).toEqual([]);
    } finally {
      await service.dispose();
    }
  });

  it('shows a bad bundle folder as model status "error" with the envelope', async () => {
    const service = new StudioService({ configDir: join(scratch.path, 'b'), libraryDir: join(scratch.path, 'lib-b'), bundleDir: join(scratch.path, 'no-bundle'), device: 'cpu', mediaUrl });
    try {
      const seen = record(service);
      const failed = seen.next((e) => e.type === 'model' && e.status.state === 'error');
      await service.whenReady();
      await failed;
      const status = await service.getModelStatus();
      expect(status).toMatchObject({ state: 'error', bundleDir: join(scratch.path, 'no-bundle'), error: { name: 'ModelBundleError', code: 'BUNDLE_INVALID' } });
      expect(status.error!.message).toMatch(/No model bundle at/);
      await expect(service.generate({ prompt: 'rain' })).rejects.toBeInstanceOf(ModelBundleError);
    } finally {
      await service.dispose();
    }
  });

  it('reports an error that is none of ours as an internal error naming the log, the stack in that log, across the transport too', async () => {
    const configDir = join(scratch.path, 'f');
    const service = new StudioService({ configDir, libraryDir: join(scratch.path, 'lib-f'), mediaUrl });
    try {
      // A folder where a WAV was expected: Node's EISDIR is no typed error of ours.
      const error = await service.readRecipe({ kind: 'file', path: scratch.path }).catch((e: unknown) => e);
      const log = join(configDir, 'logs', 'studio.log');
      expect(error).toMatchObject({ name: 'InternalError', code: 'INTERNAL', message: expect.stringMatching(/^Internal error: EISDIR/) });
      expect((error as LoaError).hint).toContain(`Please report it with this message, what you were doing, and the log at ${log}`);
      expect((error as LoaError).hint).not.toMatch(/model bundle|models verify|inference/i);
      const logged = await readFile(log, 'utf8');
      expect(logged).toMatch(/Studio API readRecipe failed unexpectedly: Error: EISDIR/);
      expect(logged).toMatch(/\n\s+at /); // the stack, for the report
      const outcome = await dispatchCall(service, 'readRecipe', [{ kind: 'file', path: scratch.path }]);
      expect(outcome).toMatchObject({ ok: false, error: { code: 'INTERNAL', hint: expect.stringContaining(log) } });
    } finally {
      await service.dispose();
    }
  });

  it('moves the library when the setting changes', async () => {
    const service = new StudioService({ configDir: join(scratch.path, 'd'), libraryDir: join(scratch.path, 'lib-d'), mediaUrl });
    try {
      const settings = await service.updateSettings({ libraryDir: join(scratch.path, 'lib-e') });
      expect(settings).toMatchObject({ libraryDir: join(scratch.path, 'lib-e'), exportsDir: join(scratch.path, 'lib-e', 'Exports') });
      expect((await service.mediaRoots()).libraryDir).toBe(join(scratch.path, 'lib-e'));
      await expect(service.updateSettings({ libraryDir: 'relative' })).rejects.toMatchObject({ field: 'libraryDir' });
    } finally {
      await service.dispose();
    }
  });
});

describe('StudioService library crash recovery', () => {
  it(
    'finds a damaged database at start, keeps it, and rebuilds every take from the recipes inside the WAVs on request',
    async () => {
      const scratch = await tempDir('loa-studio-rebuild-');
      const options = { configDir: join(scratch.path, 'config'), libraryDir: join(scratch.path, 'lib'), bundleDir: TINY_BUNDLE, device: 'cpu' as const, mediaUrl };
      try {
        const first = new StudioService(options);
        const seen = record(first);
        const job = await first.generate({ prompt: 'creaking ship hull', seconds: 1, steps: 2, seed: 40, takes: 2 });
        await seen.next(jobEnded(job.jobId));
        const before = await first.listTakes();
        expect(before).toHaveLength(2);
        const file = await resolveMediaPath(first, 'take', before[0].id);
        expect(readRecipe(new Uint8Array(await readFile(file)))).toMatchObject({ kind: 'generate', seed: before[0].seed, params: { prompt: 'creaking ship hull' } });
        await first.dispose();

        const db = join(options.libraryDir, 'library.sqlite');
        // A torn write: the first pages replaced by garbage.
        const damaged = Buffer.alloc(16_384, 'crash! ');
        await writeFile(db, damaged);
        const second = new StudioService(options);
        try {
          await expect(second.listTakes()).rejects.toBeInstanceOf(LibraryCorruptError);
          expect((await readFile(db)).equals(damaged)).toBe(true); // nothing overwritten
          const rebuilt = await second.rebuildLibrary();
          expect(rebuilt).toMatchObject({ restored: 2, skipped: 0 });
          expect(rebuilt.setAside).toMatch(/library\.sqlite\.corrupt-/);
          const after = await second.listTakes();
          expect(after.map((t) => [t.id, t.seed, t.params.prompt, t.samples]).sort()).toEqual(before.map((t) => [t.id, t.seed, t.params.prompt, t.samples]).sort());
        } finally {
          await second.dispose();
        }
      } finally {
        await scratch.remove();
      }
    },
    ENGINE_TIMEOUT_MS,
  );
});

describe('StudioService when the engine fails a job', () => {
  it(
    'marks the job failed with the error envelope (here: the hang watchdog)',
    async () => {
      const scratch = await tempDir('loa-studio-hang-');
      const service = new StudioService({ configDir: join(scratch.path, 'config'), libraryDir: join(scratch.path, 'lib'), bundleDir: TINY_BUNDLE, device: 'cpu', hangTimeoutMs: 1, mediaUrl });
      try {
        const seen = record(service);
        const job = await service.generate({ prompt: 'silence', seconds: 1, steps: 50, scheduler: 'ddim', seed: 1 });
        const end = (await seen.next(jobEnded(job.jobId))) as Extract<StudioEvent, { type: 'job' }>;
        expect(end.job).toMatchObject({ state: 'failed', error: { name: 'EngineHungError', code: 'ENGINE_HUNG' } });
        expect(end.job.error!.hint).toMatch(/restarted/);
        expect(await service.listTakes()).toEqual([]);
      } finally {
        await service.dispose();
        await scratch.remove();
      }
    },
    ENGINE_TIMEOUT_MS,
  );
});
