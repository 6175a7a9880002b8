/**
 * `models build` on good and bad checkpoints: a bad one is refused in one line naming the file
 * (and tensor or config key) before anything is written, and no half-built bundle is left.
 */
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ModelBundleError } from '../../../shared/errors.ts';
import { readManifest } from '../bundle/manifest.ts';
import { ModelBundle } from '../bundle/model-bundle.ts';
import { runCheck } from '../bundle/run-check.ts';
import { buildBundle } from './build-bundle.ts';
import { CheckpointError } from './checkpoint/checkpoint-error.ts';
import { FIXTURE_CHECKPOINT } from './testing/golden.ts';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'loa-build-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** A private copy of the oracle checkpoint a test may damage. */
function copyCheckpoint(): string {
  const dir = join(root, 'checkpoint');
  cpSync(FIXTURE_CHECKPOINT, dir, { recursive: true });
  return dir;
}

function editJson(path: string, edit: (value: Record<string, unknown>) => void): void {
  const value = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  edit(value);
  writeFileSync(path, JSON.stringify(value));
}

/** Rewrites a safetensors header in place (same length, padded with spaces as the format allows). */
function editHeader(path: string, edit: (header: Record<string, { dtype: string; shape: number[]; data_offsets: number[] }>) => void): void {
  const bytes = readFileSync(path);
  const length = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + length).toString('utf8'));
  edit(header);
  const text = JSON.stringify(header);
  if (text.length > length) throw new Error('edited header grew');
  bytes.write(text.padEnd(length, ' '), 8, 'utf8');
  writeFileSync(path, bytes);
}

async function buildError(checkpoint: string): Promise<CheckpointError> {
  const out = join(root, 'bundle');
  const error = await buildBundle(checkpoint, out).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CheckpointError);
  // Nothing half-written: neither the bundle nor a staging folder.
  expect(readdirSync(root).filter((f) => f !== 'checkpoint')).toEqual([]);
  expect((error as Error).message.split('\n')).toHaveLength(1);
  return error as CheckpointError;
}

describe('models build', () => {
  it('builds a bundle whose weights are the checkpoint files themselves (hard links, no copy) and that runs at two sizes of every dim', async () => {
    const out = join(root, 'bundle');
    const result = await buildBundle(FIXTURE_CHECKPOINT, out, { source: { repo: 'test/fixture', revision: 'abc' } });
    expect(result.notices).toEqual([]);
    const manifest = await readManifest(out);
    expect(manifest.source).toMatchObject({ kind: 'checkpoint', repo: 'test/fixture', revision: 'abc', builder: expect.any(String) });
    expect(manifest.config.latentFreq).toBe(16);
    const unetWeights = statSync(join(out, 'weights', 'unet.safetensors'));
    expect(unetWeights.ino).toBe(statSync(join(FIXTURE_CHECKPOINT, 'unet', 'diffusion_pytorch_model.safetensors')).ino);
    const bundle = await ModelBundle.load(out, { device: 'cpu', eager: [] });
    try {
      const runs = await runCheck(bundle);
      expect(runs).toHaveLength(20);
      expect(new Set(runs.map((r) => r.sizes.latent_len))).toEqual(new Set([7, 16]));
    } finally {
      await bundle.release();
    }
  }, 120_000);

  it('replaces an older bundle only once the new one is complete', async () => {
    const out = join(root, 'bundle');
    await buildBundle(FIXTURE_CHECKPOINT, out, { id: 'first' });
    await buildBundle(FIXTURE_CHECKPOINT, out, { id: 'second' });
    expect((await readManifest(out)).id).toBe('second');
    expect(readdirSync(root)).toEqual(['bundle']);
  }, 60_000);

  it('refuses a missing weight file by name', async () => {
    const dir = copyCheckpoint();
    rmSync(join(dir, 'vae', 'diffusion_pytorch_model.safetensors'));
    const error = await buildError(dir);
    expect(error.message).toContain(join('vae', 'diffusion_pytorch_model.safetensors'));
  });

  it('refuses an unknown class in model_index.json', async () => {
    const dir = copyCheckpoint();
    editJson(join(dir, 'model_index.json'), (m) => {
      m.text_encoder_2 = ['transformers', 'VitsModel'];
    });
    const error = await buildError(dir);
    expect(error.message).toMatch(/model_index\.json.*"text_encoder_2" is VitsModel/);
  });

  it('refuses a safetensors header whose offsets point outside the file (a truncated download)', async () => {
    const dir = copyCheckpoint();
    const file = join(dir, 'projection_model', 'diffusion_pytorch_model.safetensors');
    writeFileSync(file, readFileSync(file).subarray(0, statSync(file).size - 100));
    expect((await buildError(dir)).message).toMatch(/diffusion_pytorch_model\.safetensors: tensor "[^"]+" lies outside the file/);
  });

  it('refuses overlapping tensors', async () => {
    const dir = copyCheckpoint();
    const file = join(dir, 'projection_model', 'diffusion_pytorch_model.safetensors');
    editHeader(file, (h) => {
      const [begin] = h['projection.weight'].data_offsets;
      h['sos_embed'].data_offsets = [begin, begin + 4 * h['sos_embed'].shape[0]];
    });
    expect((await buildError(dir)).message).toMatch(/overlap/);
  });

  it('refuses a header that claims more bytes than the file or the format allows', async () => {
    const dir = copyCheckpoint();
    const file = join(dir, 'vocoder', 'model.safetensors');
    const bytes = readFileSync(file);
    bytes.writeBigUInt64LE(10n ** 12n, 0);
    writeFileSync(file, bytes);
    expect((await buildError(dir)).message).toMatch(/model\.safetensors: its header claims/);
  });

  it('refuses a tensor whose shape does not match its config, naming file and tensor', async () => {
    const dir = copyCheckpoint();
    editJson(join(dir, 'projection_model', 'config.json'), (c) => {
      c.langauge_model_dim = 32;
    });
    const error = await buildError(dir);
    expect(error.message).toMatch(/diffusion_pytorch_model\.safetensors: tensor "(projection|sos_embed|eos_embed)[^"]*" is \[/);
  });

  it('refuses an out-of-range config value by file and key', async () => {
    const dir = copyCheckpoint();
    editJson(join(dir, 'vocoder', 'config.json'), (c) => {
      c.sampling_rate = -16000;
    });
    const error = await buildError(dir);
    expect(error.message).toMatch(/vocoder.config\.json: config "sampling_rate" is -16000/);
  });

  it('refuses a config option the builder does not implement rather than ignoring it', async () => {
    const dir = copyCheckpoint();
    editJson(join(dir, 'unet', 'config.json'), (c) => {
      c.resnet_time_scale_shift = 'scale_shift';
    });
    expect((await buildError(dir)).message).toMatch(/unet.config\.json.*"resnet_time_scale_shift"/);
  });

  it('says what a folder is when it is not a checkpoint', async () => {
    const error = await buildBundle(root, join(root, 'bundle')).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ModelBundleError);
    expect((error as Error).message).toContain('model_index.json');
    expect(existsSync(join(root, 'bundle'))).toBe(false);
  });
});
