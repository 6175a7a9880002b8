/**
 * Install from the Hub through the Studio service (issue 11 item 5): the catalogue, a licence that
 * must be accepted, install events over the studio's event stream, cancel and resume, the new
 * model switched to, installed models listed, switched and removed (never the one in use), the
 * access token kept but never answered back, and a take's recipe naming the model's licence.
 * Against the local Hub stand-in serving models/tiny; no internet.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CancelledError, InvalidRequestError } from '../../shared/errors.ts';
import type { HubInstallRequest, InstallProgress, StudioEvent } from '../../shared/studio/studio-api.ts';
import { TINY_CHECKPOINT } from '../engine/testing/tiny-bundle.ts';
import { HubStandIn } from '../models-hub/testing/hub-stand-in.ts';
import { readRecipe } from '../library/wav-metadata.ts';
import { readFile } from 'node:fs/promises';
import { StudioService } from './studio-service.ts';

const REPO = 'cvssp/audioldm2';
const MUSIC = 'cvssp/audioldm2-music';
const COMMIT = createHash('sha1').update('studio hub spec').digest('hex');
const MUSIC_COMMIT = createHash('sha1').update('studio hub spec music').digest('hex');
const ENGINE_TIMEOUT_MS = 240_000;
const mediaUrl = (kind: string, id: string) => `media://${kind}/${id}`;

describe('StudioService: install from the Hub', () => {
  let root: string;
  let hub: HubStandIn;
  let service: StudioService;
  const events: StudioEvent[] = [];
  const installs = () => events.flatMap((e) => (e.type === 'install' ? [e.install] : []));

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'loa-studio-hub-'));
    hub = await HubStandIn.start([
      { repo: REPO, dir: TINY_CHECKPOINT, commit: COMMIT },
      { repo: MUSIC, dir: TINY_CHECKPOINT, commit: MUSIC_COMMIT },
    ]);
    service = new StudioService({
      configDir: join(root, 'config'),
      libraryDir: join(root, 'library'),
      device: 'cpu',
      mediaUrl,
      hubUrl: hub.url,
      hfCacheDirs: [join(root, 'hf')],
      hubInstaller: { retries: 2, retryDelayMs: 10, idleTimeoutMs: 5000, spaceMarginBytes: 1 << 20 },
    });
    service.onEvent((e) => events.push(e));
    await service.whenReady();
  });
  afterAll(async () => {
    await service?.dispose();
    await hub?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('offers the catalogue, with the default first-class and the licence spelled out', async () => {
    const catalogue = await service.modelCatalogue();
    expect(catalogue.map((e) => e.repo)).toEqual(['cvssp/audioldm2', 'cvssp/audioldm2-large', 'cvssp/audioldm2-music']);
    expect(catalogue.filter((e) => e.isDefault).map((e) => e.repo)).toEqual([REPO]);
    for (const entry of catalogue) expect(entry.license.id).toBe('CC-BY-NC-SA-4.0');
    // Sizes the pages do not give stay unknown (null), never guessed.
    expect(catalogue[0].download.bytes).toBeNull();
    expect(await service.findCachedModels()).toEqual([]);
    expect(await service.listModels()).toEqual({ installed: [], cached: [], activeDir: null });
  });

  it('refuses an install whose licence was not accepted, before asking the Hub anything', async () => {
    const before = hub.requests.length;
    await expect(service.installModel({ repo: REPO } as unknown as HubInstallRequest)).rejects.toBeInstanceOf(InvalidRequestError);
    await expect(service.installModel({ repo: REPO, acceptLicense: false } as unknown as HubInstallRequest)).rejects.toThrow(/licence/);
    expect(hub.requests.length).toBe(before);
  });

  it('keeps the access token for the Hub but only ever says whether one is set', async () => {
    expect(await service.hubTokenState()).toEqual({ set: false, storage: 'memory' });
    const state = await service.setHubToken('hf_studioSecret');
    expect(state).toEqual({ set: true, storage: 'memory' });
    expect(JSON.stringify(state)).not.toContain('hf_');
  });

  it(
    'cancels an install mid-download (no model, the bytes kept), then installs with resume, builds and switches to it',
    async () => {
      hub.options.bytesPerSecond = 64 * 1024;
      const firstDownload = new Promise<InstallProgress>((resolve) => {
        const off = service.onEvent((e) => {
          if (e.type === 'install' && e.install.event?.type === 'download' && e.install.event.bytes > 0) {
            off();
            resolve(e.install);
          }
        });
      });
      const cancelled = service.installModel({ repo: REPO, acceptLicense: true });
      cancelled.catch(() => {});
      const running = await firstDownload;
      await service.cancelInstall(running.installId);
      await expect(cancelled).rejects.toBeInstanceOf(CancelledError);
      expect(installs().at(-1)).toMatchObject({ installId: running.installId, state: 'cancelled', error: { code: 'CANCELLED' } });
      expect(existsSync(join(root, 'config', 'models', 'cvssp--audioldm2', 'manifest.json'))).toBe(false);
      await expect(service.cancelInstall(running.installId)).rejects.toBeInstanceOf(InvalidRequestError);
      // What was fetched stays in the cache for the next install.
      expect(readdirSync(join(root, 'hf', 'models--cvssp--audioldm2', 'blobs')).length).toBeGreaterThan(0);

      hub.options.bytesPerSecond = undefined;
      await service.setHubToken('hf_studioSecret');
      const requestsBefore = hub.requests.length;
      const status = await service.installModel({ repo: REPO, acceptLicense: true });
      expect(status).toMatchObject({ state: 'ready', bundleId: 'cvssp--audioldm2', bundleDir: join(root, 'config', 'models', 'cvssp--audioldm2') });
      expect(status.license).toMatch(/^CC-BY-NC-SA-4\.0 /);

      const second = installs().filter((p) => p.installId !== running.installId);
      const kinds = second.map((p) => p.event?.type ?? null);
      expect(kinds[0]).toBeNull(); // the first push names the install before anything happens
      expect(kinds).toContain('plan');
      expect(kinds).toContain('download');
      expect(kinds).toContain('build');
      expect(second.at(-1)).toMatchObject({ state: 'done', error: null, event: { type: 'done' } });
      const download = second.find((p) => p.event?.type === 'download')!.event as Extract<InstallProgress['event'], { type: 'download' }>;
      expect(download.total).toBeGreaterThan(0);
      // The access token went to the Hub with the requests, and is nowhere in what the page was sent.
      expect(hub.requests.slice(requestsBefore).some((r) => r.authorization === 'Bearer hf_studioSecret')).toBe(true);
      expect(JSON.stringify(events)).not.toContain('hf_studioSecret');
    },
    ENGINE_TIMEOUT_MS,
  );

  it('lists the installed model as active, with the cache snapshot it came from', async () => {
    const models = await service.listModels();
    expect(models.installed.map((m) => m.id)).toEqual(['cvssp--audioldm2']);
    expect(models.activeDir).toBe(models.installed[0].dir);
    expect(models.installed[0]).toMatchObject({ repo: REPO, revision: COMMIT, license: expect.stringMatching(/^CC-BY-NC-SA-4\.0/) });
    expect(models.cached).toMatchObject([{ repo: REPO, commit: COMMIT, complete: true }]);
    expect(await service.findCachedModels()).toMatchObject([{ repo: REPO, commit: COMMIT, complete: true, catalogue: { repo: REPO } }]);
  });

  it(
    "names the model and its licence in every take's recipe",
    async () => {
      const job = await service.generate({ prompt: 'door slam', seconds: 1, steps: 2, seed: 3 });
      const done = await new Promise<Extract<StudioEvent, { type: 'job' }>>((resolve) => {
        const check = (e: StudioEvent) => e.type === 'job' && e.job.jobId === job.jobId && ['done', 'failed'].includes(e.job.state);
        const seen = events.find(check);
        if (seen) return resolve(seen as Extract<StudioEvent, { type: 'job' }>);
        const off = service.onEvent((e) => {
          if (check(e)) {
            off();
            resolve(e as Extract<StudioEvent, { type: 'job' }>);
          }
        });
      });
      expect(done.job.state).toBe('done');
      const recipe = await service.readRecipe({ kind: 'take', takeId: done.job.takeIds[0] });
      expect(recipe!.model).toMatchObject({ id: 'cvssp--audioldm2', source: { repo: REPO, revision: COMMIT }, license: expect.stringMatching(/^CC-BY-NC-SA-4\.0 .*non-commercial/) });
      const [exported] = await service.exportTakes({
        takeIds: [done.job.takeIds[0]],
        options: { format: 'pcm16', sampleRate: 44100, normalize: { kind: 'none' }, fadeInMs: 0, fadeOutMs: 0, nameTemplate: '{prompt-slug}_{seed}' },
      });
      expect(readRecipe(await readFile(exported.path))!.model.license).toMatch(/^CC-BY-NC-SA-4\.0/);
    },
    ENGINE_TIMEOUT_MS,
  );

  it(
    'switches between installed models and removes one only when it is not in use, the shared cache copy only when asked',
    async () => {
      const music = await service.installModel({ repo: MUSIC, acceptLicense: true });
      expect(music).toMatchObject({ state: 'ready', bundleId: 'cvssp--audioldm2-music' });

      await expect(service.removeModel('cvssp--audioldm2-music', { includeCache: false })).rejects.toThrow(/in use/);
      await expect(service.switchModel('nobody--here')).rejects.toBeInstanceOf(InvalidRequestError);
      expect(await service.switchModel('cvssp--audioldm2')).toMatchObject({ state: 'ready', bundleId: 'cvssp--audioldm2' });

      const plan = await service.planRemoveModel('cvssp--audioldm2-music');
      expect(plan).toMatchObject({ id: 'cvssp--audioldm2-music', cacheSnapshot: { repo: MUSIC, commit: MUSIC_COMMIT }, usedBy: [] });
      await service.removeModel('cvssp--audioldm2-music', { includeCache: false });
      expect(existsSync(plan.modelDir!)).toBe(false);
      expect(existsSync(plan.cacheSnapshot!.snapshotDir)).toBe(true); // kept unless asked: Python tools share it
      expect((await service.listModels()).installed.map((m) => m.id)).toEqual(['cvssp--audioldm2']);

      // Reinstall from the cache (no download), then remove with the cache snapshot too.
      const fetched = hub.downloads().length;
      await service.installModel({ repo: MUSIC, revision: MUSIC_COMMIT, acceptLicense: true });
      expect(hub.downloads().length).toBe(fetched);
      await service.switchModel('cvssp--audioldm2');
      await service.removeModel('cvssp--audioldm2-music', { includeCache: true });
      expect(existsSync(plan.cacheSnapshot!.snapshotDir)).toBe(false);
      expect(readdirSync(join(root, 'config', 'models')).filter((n) => !n.startsWith('.'))).toEqual(['cvssp--audioldm2']);
    },
    ENGINE_TIMEOUT_MS * 2,
  );
});
