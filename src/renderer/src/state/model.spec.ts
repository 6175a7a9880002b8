import { describe, expect, it } from 'vitest';
import { ModelBundleError, toErrorEnvelope } from '../../../shared/errors.ts';
import type { ModelStatus } from '../../../shared/studio/studio-api.ts';
import { ModelState } from './model.svelte.ts';
import { apiStandIn, deferred } from './studio-api.fixture.ts';

const status = (state: ModelStatus['state'], error: ModelStatus['error'] = null): ModelStatus => ({
  state,
  bundleDir: state === 'ready' ? '/models/tiny' : null,
  bundleId: state === 'ready' ? 'tiny' : null,
  bundleName: null,
  license: null,
  provider: state === 'ready' ? 'cpu' : null,
  device: 'auto',
  notices: [],
  error,
});

describe('ModelState', () => {
  it('asks for setup until a bundle is ready', async () => {
    const answers = [status('none'), status('ready')];
    const model = new ModelState(apiStandIn({ getModelStatus: async () => answers.shift()! }).api);
    expect(model.needsSetup).toBe(false);
    await model.load();
    expect({ needsSetup: model.needsSetup, ready: model.ready }).toEqual({ needsSetup: true, ready: false });
    await model.load();
    expect({ needsSetup: model.needsSetup, ready: model.ready }).toEqual({ needsSetup: false, ready: true });
  });

  it('imports a folder (trimmed), busy while it runs', async () => {
    const answer = deferred<ModelStatus>();
    const { api, calls } = apiStandIn({ importModel: () => answer.promise });
    const model = new ModelState(api);
    const running = model.importBundle('  /home/me/bundle \n');
    expect(model.busy).toBe('import');
    answer.resolve(status('ready'));
    await running;
    expect(calls).toEqual([{ method: 'importModel', args: ['/home/me/bundle'] }]);
    expect({ busy: model.busy, ready: model.ready, actionError: model.actionError }).toEqual({ busy: null, ready: true, actionError: null });
  });

  it('shows a refused bundle in place: the status error, or the thrown one', async () => {
    const broken = new ModelBundleError('manifest.json', 'manifest.json: unet.onnx is missing.');
    const answers: Array<() => Promise<ModelStatus>> = [
      async () => status('error', toErrorEnvelope(broken)),
      async () => {
        throw broken;
      },
    ];
    const model = new ModelState(apiStandIn({ importModel: () => answers.shift()!() }).api);
    await model.importBundle('/a');
    expect(model.actionError).toEqual({ kind: 'import', message: broken.message, hint: broken.hint });
    expect(model.needsSetup).toBe(true);
    await model.importBundle('/a');
    expect(model.actionError).toEqual({ kind: 'import', message: broken.message, hint: broken.hint });
    expect(model.busy).toBeNull();
  });

  it('reports download progress as a fraction, and none while the size is unknown', async () => {
    const model = new ModelState(apiStandIn({ downloadModel: async () => status('ready') }).api);
    const progress = { url: 'https://example.org/bundle/manifest.json', file: 'unet.onnx', done: false };
    model.setDownload({ ...progress, receivedBytes: 250, totalBytes: 1000 });
    expect(model.downloadFraction).toBe(0.25);
    model.setDownload({ ...progress, receivedBytes: 1200, totalBytes: 1000 });
    expect(model.downloadFraction).toBe(1);
    model.setDownload({ ...progress, receivedBytes: 250, totalBytes: null });
    expect(model.downloadFraction).toBeNull();
    await model.downloadBundle(' https://example.org/bundle/manifest.json ');
    expect(model.download).toBeNull();
    expect(model.ready).toBe(true);
  });
});
