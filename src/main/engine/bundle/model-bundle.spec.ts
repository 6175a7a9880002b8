import { readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelBundleError, ProviderUnavailableError } from '../../../shared/errors.ts';
import { availableProviders } from '../onnx/onnx-runtime.ts';
import { copyTinyBundle, editManifest, replaceFile, tempDir, TINY_BUNDLE } from '../testing/tiny-bundle.ts';
import { COMPONENT_KEYS } from './contract.ts';
import { chooseGraph, ModelBundle, stepTakesSequences } from './model-bundle.ts';

let scratch: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  scratch = await tempDir('loa-bundle-');
});
afterAll(async () => {
  await scratch.remove();
});

async function loadError(dir: string): Promise<ModelBundleError> {
  try {
    const bundle = await ModelBundle.load(dir, { device: 'cpu' });
    await bundle.loadAll();
    await bundle.release();
  } catch (error) {
    expect(error).toBeInstanceOf(ModelBundleError);
    return error as ModelBundleError;
  }
  throw new Error('expected the bundle to be refused');
}

describe('models/tiny', () => {
  it('loads on CPU and every graph fits the contract', async () => {
    const bundle = await ModelBundle.load(TINY_BUNDLE, { device: 'cpu' });
    try {
      await bundle.loadAll();
      expect(bundle.provider).toBe('cpu');
      expect(bundle.manifest.contractVersion).toBe(1);
      for (const key of COMPONENT_KEYS) expect(bundle.isLoaded(key)).toBe(true);
      expect((await bundle.session('unet')).inputs.map((i) => i.name).sort()).toEqual(['encoder_attention_mask_1', 'encoder_hidden_states', 'encoder_hidden_states_1', 'sample', 'timestep']);
    } finally {
      await bundle.release();
    }
  });

  it('holds GPT-2 in one session: the built step graph is also the prefill, and the prefill graph is never opened', async () => {
    const bundle = await ModelBundle.load(TINY_BUNDLE, { device: 'cpu' });
    try {
      const step = await bundle.session('gpt2Step');
      expect(stepTakesSequences(step)).toBe(true);
      expect(await bundle.gpt2PrefillSession()).toBe(step);
      expect(bundle.isLoaded('gpt2Step')).toBe(true);
      expect(bundle.isLoaded('gpt2Prefill')).toBe(false);
      // The bundle still carries a prefill graph, for engines before builder 2: it takes no cache.
      expect((await bundle.session('gpt2Prefill')).inputs.some((v) => v.name === 'past.0.key')).toBe(false);
    } finally {
      await bundle.release();
    }
  });

  it('with device auto, falls back to CPU with a notice when a GPU provider cannot start, and remembers CPU', async () => {
    const cache = join(scratch.path, 'cache-auto');
    const bundle = await ModelBundle.load(TINY_BUNDLE, { device: 'auto', cacheDir: cache, eager: [] });
    await bundle.release();
    expect(bundle.provider).toBe('cpu');
    if (availableProviders().has('webgpu')) {
      expect(bundle.notices.some((n) => /^No usable GPU driver found for WebGPU; running on the CPU\.\nWebGPU could not start .*using CPU instead/.test(n))).toBe(true);
    }
    const remembered = JSON.parse(await readFile(join(cache, 'execution-provider.json'), 'utf8')) as Record<string, string>;
    expect(Object.values(remembered)).toEqual(['cpu']);
    const again = await ModelBundle.load(TINY_BUNDLE, { device: 'auto', cacheDir: cache, eager: [] });
    await again.release();
    expect(again.notices).toEqual([]); // CPU is tried first now: no failed probe, no notice
  });

  it('a forced GPU provider that cannot start is an error, not a silent fallback', async () => {
    const forced = availableProviders().has('webgpu') ? 'webgpu' : 'dml';
    await expect(ModelBundle.load(TINY_BUNDLE, { device: forced, eager: [] })).rejects.toBeInstanceOf(ProviderUnavailableError);
  });
});

describe('a broken bundle is refused with the file named', () => {
  it('missing folder', async () => {
    const error = await loadError(join(scratch.path, 'nope'));
    expect(error.message).toMatch(/No model bundle at .*nope: the folder does not exist/);
  });

  it('missing manifest', async () => {
    const error = await loadError(scratch.path);
    expect(error.message).toMatch(/manifest\.json is missing/);
  });

  it('manifest that is not JSON', async () => {
    const dir = await copyTinyBundle(join(scratch.path, 'json'));
    await writeFile(join(dir, 'manifest.json'), '{ "format": ');
    expect((await loadError(dir)).message).toMatch(/manifest\.json is not valid JSON/);
  });

  it('missing graph file', async () => {
    const dir = await copyTinyBundle(join(scratch.path, 'missing'));
    await rm(join(dir, 'vocoder.onnx'));
    const error = await loadError(dir);
    expect(error.file).toBe(join(dir, 'vocoder.onnx'));
    expect(error.message).toMatch(/vocoder\.onnx is missing/);
  });

  it('truncated graph file', async () => {
    const dir = await copyTinyBundle(join(scratch.path, 'truncated'));
    await truncate(join(dir, 'unet.onnx'), 100);
    expect((await loadError(dir)).message).toMatch(/unet\.onnx is 100 bytes but the manifest says \d+: the file is truncated/);
  });

  it('checksum mismatch with the same size', async () => {
    const dir = await copyTinyBundle(join(scratch.path, 'checksum'));
    const path = join(dir, 'projection.onnx');
    const bytes = await readFile(path);
    bytes[bytes.length - 1] ^= 0xff;
    await writeFile(path, bytes);
    expect((await loadError(dir)).message).toMatch(/projection\.onnx does not match its checksum/);
  });

  it('a graph with the wrong inputs (another component in its place)', async () => {
    const dir = await copyTinyBundle(join(scratch.path, 'contract'));
    await replaceFile(dir, 'unet.onnx', await readFile(join(dir, 'vocoder.onnx')));
    const error = await loadError(dir);
    expect(error.file).toBe(join(dir, 'unet.onnx'));
    expect(error.message).toMatch(/unet\.onnx does not match the unet contract: input "sample" is missing/);
    expect(error.message).toMatch(/input "mel" is not part of contract v1/);
  });

  it('a graph whose input has the wrong rank', async () => {
    const dir = await copyTinyBundle(join(scratch.path, 'rank'));
    // vae_encoder takes mel [batch,1,mel_len,bins]; the vocoder takes mel [batch,mel_len,bins]: same name, rank 3.
    await replaceFile(dir, 'vae_encoder.onnx', await readFile(join(dir, 'vocoder.onnx')));
    expect((await loadError(dir)).message).toMatch(/input "mel" has rank 3, expected 4/);
  });

  it('a manifest pointing outside the bundle', async () => {
    const dir = await copyTinyBundle(join(scratch.path, 'escape'));
    await editManifest(dir, (m) => {
      m.components.vocoder.graphs[0].file = '../../etc/passwd';
    });
    expect((await loadError(dir)).message).toMatch(/names a file outside the bundle: \.\.\/\.\.\/etc\/passwd/);
  });

  it('a manifest from another contract version', async () => {
    const dir = await copyTinyBundle(join(scratch.path, 'version'));
    await editManifest(dir, (m) => {
      m.contractVersion = 99;
    });
    expect((await loadError(dir)).message).toMatch(/contract version 99; this LOA Studio reads version 1/);
  });

  it('a config missing a key the engine needs', async () => {
    const dir = await copyTinyBundle(join(scratch.path, 'config'));
    await editManifest(dir, (m) => {
      delete (m.config as unknown as Record<string, unknown>).vaeScalingFactor;
    });
    expect((await loadError(dir)).message).toMatch(/config lacks "vaeScalingFactor"/);
  });
});

describe('chooseGraph', () => {
  const fp32 = { precision: 'fp32' as const, file: 'unet.onnx', sha256: 'a'.repeat(64), bytes: 1 };
  const fp16 = { precision: 'fp16' as const, file: 'unet.fp16.onnx', sha256: 'b'.repeat(64), bytes: 1 };
  it('uses fp16 graphs on GPU providers and fp32 on CPU', () => {
    expect(chooseGraph([fp32, fp16], 'cuda').file).toBe('unet.fp16.onnx');
    expect(chooseGraph([fp32, fp16], 'webgpu').file).toBe('unet.fp16.onnx');
    expect(chooseGraph([fp32, fp16], 'cpu').file).toBe('unet.onnx');
    expect(chooseGraph([fp32], 'dml').file).toBe('unet.onnx'); // T5 and the VAE only ship fp32
  });
});
