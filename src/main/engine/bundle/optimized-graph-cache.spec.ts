import { existsSync, readdirSync } from 'node:fs';
import { mkdir, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { relativeL2 } from '../builder/testing/golden.ts';
import { float32, int64, type OnnxSession } from '../onnx/onnx-runtime.ts';
import { tempDir, TINY_BUNDLE } from '../testing/tiny-bundle.ts';
import { ModelBundle } from './model-bundle.ts';
import { CACHED_GRAPH } from './optimized-graph-cache.ts';

let scratch: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  scratch = await tempDir('loa-optimized-');
});
afterAll(async () => {
  await scratch.remove();
});

const eager = ['unet', 'vaeDecoder'] as const;

function entries(cacheDir: string): string[] {
  const root = join(cacheDir, 'optimized-graphs');
  return existsSync(root) ? readdirSync(root).sort() : [];
}

/** A UNet call at a given latent length with seeded inputs, so two sessions get the same feeds. */
async function unetAt(session: OnnxSession, frames: number): Promise<Float32Array> {
  let seed = 7;
  const noise = (n: number) => Float32Array.from({ length: n }, () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 1);
  const [batch, loa, t5] = [2, 8, 5];
  const out = await session.run({
    sample: float32(noise(batch * 8 * frames * 16), [batch, 8, frames, 16]),
    timestep: float32(Float32Array.of(981, 981), [batch]),
    encoder_hidden_states: float32(noise(batch * loa * 64), [batch, loa, 64]),
    encoder_hidden_states_1: float32(noise(batch * t5 * 48), [batch, t5, 48]),
    encoder_attention_mask_1: int64(BigInt64Array.from({ length: batch * t5 }, (_, i) => (i % t5 < 4 ? 1n : 0n)), [batch, t5]),
  });
  return Object.values(out)[0].data as Float32Array;
}

describe('optimized-graph cache', () => {
  it('keeps the UNet and VAE decoder graphs on first load and runs the cached UNet like the bundle graph at any latent length', async () => {
    const cacheDir = join(scratch.path, 'first');
    const plain = await ModelBundle.load(TINY_BUNDLE, { device: 'cpu', eager });
    const first = await ModelBundle.load(TINY_BUNDLE, { device: 'cpu', eager, cacheDir });
    const kept = entries(cacheDir);
    expect(kept.map((e) => e.split('-')[0])).toEqual(['unet', 'vaeDecoder']);
    for (const entry of kept) expect(readdirSync(join(cacheDir, 'optimized-graphs', entry)).sort()).toEqual(['graph.onnx', 'graph.weights', 'ready.json']);
    await first.release();

    const second = await ModelBundle.load(TINY_BUNDLE, { device: 'cpu', eager, cacheDir });
    try {
      const cachedUnet = await second.session('unet');
      expect(cachedUnet.file).toBe(join(cacheDir, 'optimized-graphs', kept[0], CACHED_GRAPH));
      expect(second.notices).toEqual([]);
      for (const frames of [64, 25]) {
        const expected = await unetAt(await plain.session('unet'), frames);
        const actual = await unetAt(cachedUnet, frames);
        expect(actual.length).toBe(2 * 8 * frames * 16);
        expect(relativeL2(actual, expected)).toBeLessThan(1e-6);
      }
    } finally {
      await Promise.all([second.release(), plain.release()]);
    }
  });

  it('makes a damaged entry again instead of failing the load', async () => {
    const cacheDir = join(scratch.path, 'damaged');
    await (await ModelBundle.load(TINY_BUNDLE, { device: 'cpu', eager: ['unet'], cacheDir })).release();
    const [entry] = entries(cacheDir);
    const graph = join(cacheDir, 'optimized-graphs', entry, CACHED_GRAPH);
    await truncate(graph, 100);

    const bundle = await ModelBundle.load(TINY_BUNDLE, { device: 'cpu', eager: ['unet'], cacheDir });
    try {
      expect((await bundle.session('unet')).file).toBe(join(TINY_BUNDLE, 'unet.onnx'));
      expect(entries(cacheDir)).toEqual([entry]);
    } finally {
      await bundle.release();
    }
    const again = await ModelBundle.load(TINY_BUNDLE, { device: 'cpu', eager: ['unet'], cacheDir });
    try {
      expect((await again.session('unet')).file).toBe(graph);
    } finally {
      await again.release();
    }
  });

  it('loads without the cache, and says so, when the cache folder cannot be written', async () => {
    const cacheDir = join(scratch.path, 'blocked');
    await mkdir(cacheDir, { recursive: true });
    await writeFile(join(cacheDir, 'optimized-graphs'), 'a file where the folder should be');
    const bundle = await ModelBundle.load(TINY_BUNDLE, { device: 'cpu', eager: ['unet'], cacheDir });
    try {
      expect((await bundle.session('unet')).file).toBe(join(TINY_BUNDLE, 'unet.onnx'));
      expect(bundle.notices).toHaveLength(1);
      expect(bundle.notices[0]).toMatch(/^The optimized unet graph could not be kept in the cache \(.*(EEXIST|ENOTDIR).*\)/);
    } finally {
      await bundle.release();
    }
  });
});
