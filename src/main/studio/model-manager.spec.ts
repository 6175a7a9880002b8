import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ModelBundleError } from '../../shared/errors.ts';
import type { DownloadProgress } from '../../shared/studio/studio-api.ts';
import { tempDir, TINY_BUNDLE } from '../engine/testing/tiny-bundle.ts';
import { serveTinyBundle, type BundleServer } from './bundle-server.fixture.ts';
import { ModelManager, NoModelError } from './model-manager.ts';

/** Loading even the tiny bundle takes 15 s+ on a busy two-core CI box. */
const ENGINE_TIMEOUT_MS = 180_000;

let scratch: Awaited<ReturnType<typeof tempDir>>;
const managers: ModelManager[] = [];
const servers: BundleServer[] = [];
function newManager(options: Partial<ConstructorParameters<typeof ModelManager>[0]> = {}): ModelManager {
  const manager = new ModelManager({ configDir: join(scratch.path, 'config'), device: 'cpu', download: { retryDelayMs: 10 }, ...options });
  managers.push(manager);
  return manager;
}
beforeEach(async () => {
  scratch = await tempDir('loa-models-');
});
afterEach(async () => {
  await Promise.all(managers.splice(0).map((m) => m.dispose()));
  servers.splice(0).forEach((s) => s.close());
  await scratch.remove();
});

describe('ModelManager: status and import', () => {
  it('has no model at first, and generate says to import one', async () => {
    const manager = newManager();
    expect(await manager.start()).toMatchObject({ state: 'none', bundleDir: null, device: 'cpu', error: null });
    expect(() => manager.run({} as never, {})).toThrow(NoModelError);
    expect(() => manager.run({} as never, {})).toThrow(/No model is installed yet: import a model bundle folder or download one/);
  });

  it('reports a bad bundle as status "error" with the envelope, and generate throws that typed error', async () => {
    const manager = newManager();
    const statuses: string[] = [];
    manager.on('status', (s) => statuses.push(s.state));
    const error = await manager.importModel(join(scratch.path, 'nowhere')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelBundleError);
    expect(manager.status).toMatchObject({ state: 'error', bundleDir: join(scratch.path, 'nowhere'), error: { code: 'BUNDLE_INVALID', name: 'ModelBundleError' } });
    expect(manager.status.error!.message).toMatch(/No model bundle at .*nowhere/);
    expect(statuses).toEqual(['loading', 'error']);
    expect(() => manager.run({} as never, {})).toThrow(ModelBundleError);
  });

  it(
    'imports a bundle, keeps it when a bad one is imported next, and remembers it for the next start',
    async () => {
      const manager = newManager();
      const ready = await manager.importModel(TINY_BUNDLE);
      expect(ready).toMatchObject({ state: 'ready', bundleDir: TINY_BUNDLE, bundleId: 'tiny-random', provider: 'cpu', license: 'MIT (random weights; no training data)' });
      await expect(manager.importModel(join(scratch.path, 'nowhere'))).rejects.toBeInstanceOf(ModelBundleError);
      expect(manager.status).toEqual(ready);
      const output = await manager.run({ kind: 'generate', params: { prompt: 'hum', negativePrompt: '', seconds: 1, steps: 2, scheduler: 'ddim', guidance: 1, seed: 1, takes: 1 } }, {}).result;
      expect(output.takes[0].samples.length).toBe(16000);
      await manager.dispose();
      // The next start picks the remembered bundle (seeing it begin to load is enough).
      const next = newManager();
      const loading = new Promise((resolve) => next.on('status', (s) => s.state === 'loading' && resolve(s.bundleDir)));
      void next.start();
      expect(await loading).toBe(TINY_BUNDLE);
    },
    ENGINE_TIMEOUT_MS,
  );
});

describe('ModelManager: downloading a bundle', () => {
  it(
    'downloads a bundle from a local HTTP server, reports progress, then loads it',
    async () => {
      const server = await serveTinyBundle();
      servers.push(server);
      const manager = newManager();
      const progress: DownloadProgress[] = [];
      manager.on('download', (p) => progress.push(p));
      const status = await manager.downloadModel(server.url);
      expect(status).toMatchObject({ state: 'ready', bundleId: 'tiny-random', bundleDir: join(scratch.path, 'config', 'models', 'tiny-random') });
      expect(progress.filter((p) => p.done).length).toBe(21); // 10 graphs, 7 weight files, 4 tokenizer files
    },
    ENGINE_TIMEOUT_MS,
  );

  it('keeps the status when a download fails, and refuses a second download while one runs', async () => {
    const server = await serveTinyBundle({ editManifest: (m) => (m.components.vocoder.graphs[0].sha256 = '0'.repeat(64)) });
    servers.push(server);
    const manager = newManager();
    const first = manager.downloadModel(server.url);
    await expect(manager.downloadModel(server.url)).rejects.toThrow(/already downloading/);
    await expect(first).rejects.toBeInstanceOf(ModelBundleError);
    expect(manager.status.state).toBe('none');
    await expect(manager.downloadModel('ftp://example.org/manifest.json')).rejects.toMatchObject({ field: 'manifestUrl' });
  });
});
