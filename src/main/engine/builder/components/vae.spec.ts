import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { float32 } from '../../onnx/onnx-runtime.ts';
import { SeededRandom } from '../../random.ts';
import type { Checkpoint, Config } from '../checkpoint/checkpoint.ts';
import type { SafetensorsFile } from '../checkpoint/safetensors.ts';
import { WeightRecorder } from '../onnx/weights.ts';
import { goldenStage, relativeL2 } from '../testing/golden.ts';
import { eachGoldenCase, fixtureCheckpoint, openBuiltGraph, type GraphRun } from '../testing/graph-harness.ts';
import { parameterCount, plannedCheckpoint, plannedFixture, publishedConfig } from '../testing/planned.ts';
import { readAllTensors, referenceVaeEncoder } from '../testing/vae-encoder-reference.ts';
import { buildVaeDecoder, buildVaeEncoder, vaeDims } from './vae.ts';

describe('VAE decoder graph vs diffusers', () => {
  let run: GraphRun;
  let scalingFactor: number;
  beforeAll(async () => {
    const checkpoint = await fixtureCheckpoint();
    scalingFactor = vaeDims(checkpoint).scalingFactor;
    run = await openBuiltGraph(checkpoint, buildVaeDecoder(checkpoint));
  });
  afterAll(() => run.dispose());

  // Latent lengths 64, 63, 32, 25, 16, 7 and batch 1 and 2: the decoder has no skips, so any length doubles twice.
  eachGoldenCase('case %s: latents_final / scaling_factor → vae_mel', async (c) => {
    const latents = goldenStage(c, 'latents_final');
    // The pipeline's `1 / scaling_factor * latents`, in float32.
    const scaled = (latents.data as Float32Array).map((v) => v * (1 / scalingFactor));
    const out = await run.session.run({ latents: float32(scaled, latents.dims) });
    const expected = goldenStage(c, 'vae_mel');
    expect(out.mel.dims).toEqual(expected.dims);
    expect(relativeL2(out.mel.data as Float32Array, expected.data as Float32Array)).toBeLessThan(1e-5);
  });
});

describe('VAE encoder graph vs a float64 reference', () => {
  let run: GraphRun;
  let checkpoint: Checkpoint;
  beforeAll(async () => {
    checkpoint = await fixtureCheckpoint();
    run = await openBuiltGraph(checkpoint, buildVaeEncoder(checkpoint));
  });
  afterAll(() => run.dispose());

  const mel = (seed: number, rows: number, frames: number): Float32Array => {
    // A log-mel-like level (around −5) with unit noise, seeded.
    const noise = new SeededRandom(seed).fillNormal(rows * frames * 64);
    return noise.map((v) => v - 5);
  };

  it('32 frames × 64 bins: moments within rel. L2 1e-5 of the reference', async () => {
    const config = checkpoint.config('vae');
    // The reference is written for this structure: three blocks, mid attention, quant_conv.
    expect([config.use_quant_conv, config.mid_block_add_attention, (config.block_out_channels as number[]).length]).toEqual([true, true, 3]);
    const input = mel(101, 1, 32);
    const out = await run.session.run({ mel: float32(input, [1, 1, 32, 64]) });
    expect(out.moments.dims).toEqual([1, 16, 8, 16]);
    const reference = referenceVaeEncoder(
      readAllTensors(checkpoint.weights('vae') as SafetensorsFile),
      {
        blockOut: config.block_out_channels as number[],
        layersPerBlock: config.layers_per_block as number,
        latentChannels: config.latent_channels as number,
        groups: config.norm_num_groups as number,
      },
      { c: 1, h: 32, w: 64, data: Float64Array.from(input) },
    );
    expect([reference.c, reference.h, reference.w]).toEqual([16, 8, 16]);
    expect(relativeL2(out.moments.data as Float32Array, reference.data)).toBeLessThan(1e-5);
  });

  it('any batch and length: [2, 1, 100, 64] → [2, 16, 25, 16], each row as if alone; 30 frames → 7 latent frames', async () => {
    const input = mel(202, 2, 100);
    const both = await run.session.run({ mel: float32(input, [2, 1, 100, 64]) });
    expect(both.moments.dims).toEqual([2, 16, 25, 16]);
    const second = await run.session.run({ mel: float32(input.slice(100 * 64), [1, 1, 100, 64]) });
    const row = (both.moments.data as Float32Array).subarray(16 * 25 * 16);
    expect(relativeL2(row, second.moments.data as Float32Array)).toBeLessThan(1e-6);
    // Downsample2D pads one row, then a 3×3 stride-2 conv: ⌊(H + 1 − 3) / 2⌋ + 1, so 30 → 15 → 7 (as torch).
    const odd = await run.session.run({ mel: float32(mel(303, 1, 30), [1, 1, 30, 64]) });
    expect(odd.moments.dims).toEqual([1, 16, 7, 16]);
  });
});

/** A configs-only checkpoint: the VAE and (for the mel width) the vocoder, recording the tensors asked for. */
function planned(vae: Config, vocoder: Config): { checkpoint: Checkpoint; recorder: WeightRecorder } {
  const recorder = new WeightRecorder();
  return { checkpoint: plannedCheckpoint('vae', vae, recorder, { vocoder }), recorder };
}

const count = (recorder: WeightRecorder, prefix = '') => parameterCount(recorder, (name) => name.startsWith(prefix));

describe('VAE builders on configs', () => {
  it("together ask for exactly the fixture's VAE tensors, with their shapes", async () => {
    const { checkpoint, recorder, file } = await plannedFixture('vae', ['vocoder']);
    buildVaeDecoder(checkpoint);
    buildVaeEncoder(checkpoint);
    expect([...recorder.specs.keys()].sort()).toEqual([...file.tensors.keys()].sort());
    for (const spec of recorder.specs.values()) expect(spec.shape).toEqual(file.tensors.get(spec.name)?.shape);
  });

  it('build the published cvssp/audioldm2 VAE: 22,395,296 encoder + 32,981,577 decoder = 55,376,873 parameters', async () => {
    const { checkpoint, recorder } = planned(await publishedConfig('vae'), await publishedConfig('vocoder'));
    expect(vaeDims(checkpoint)).toMatchObject({
      latentChannels: 8,
      blockOut: [128, 256, 512],
      layersPerBlock: 2,
      midAttention: true,
      useQuantConv: true,
      usePostQuantConv: true,
      scaleFactor: 4,
      melBins: 64,
      latentFreq: 16,
    });
    const decoder = buildVaeDecoder(checkpoint);
    const encoder = buildVaeEncoder(checkpoint);
    expect(decoder.name).toBe('vaeDecoder');
    expect(encoder.name).toBe('vaeEncoder');
    expect(count(recorder, 'encoder.') + count(recorder, 'quant_conv.')).toBe(22_395_296);
    expect(count(recorder, 'decoder.') + count(recorder, 'post_quant_conv.')).toBe(32_981_577);
    expect(count(recorder)).toBe(55_376_873);
    // Width changes put 1×1 conv_shortcuts in the first resnet of the later blocks.
    expect(recorder.specs.get('encoder.down_blocks.1.resnets.0.conv_shortcut.weight')?.shape).toEqual([256, 128, 1, 1]);
    expect(recorder.specs.get('decoder.up_blocks.2.resnets.0.conv_shortcut.weight')?.shape).toEqual([128, 256, 1, 1]);
  });

  it('refuses by name what it does not implement', async () => {
    const [vae, vocoder] = [await publishedConfig('vae'), await publishedConfig('vocoder')];
    const refused = (change: Config) => () => buildVaeDecoder(planned({ ...vae, ...change }, vocoder).checkpoint);
    expect(refused({ shift_factor: 0.1 })).toThrow(/"shift_factor" is 0.1/);
    expect(refused({ latents_mean: [0, 0, 0, 0, 0, 0, 0, 0] })).toThrow(/"latents_mean"/);
    expect(refused({ act_fn: 'gelu' })).toThrow(/"act_fn" is "gelu"/);
    expect(refused({ up_block_types: ['AttnUpDecoderBlock2D', 'UpDecoderBlock2D', 'UpDecoderBlock2D'] })).toThrow(/"up_block_types"/);
    expect(refused({ in_channels: 3 })).toThrow(/"in_channels" is 3/);
    expect(refused({ norm_num_groups: 48 })).toThrow(/"block_out_channels"/);
    expect(() => buildVaeDecoder(planned(vae, { ...vocoder, model_in_dim: 66 }).checkpoint)).toThrow(/"model_in_dim" is 66/);
  });

  it('follows use_post_quant_conv / use_quant_conv / mid_block_add_attention', async () => {
    const { checkpoint, recorder } = planned(
      { ...(await publishedConfig('vae')), use_post_quant_conv: false, use_quant_conv: false, mid_block_add_attention: false },
      await publishedConfig('vocoder'),
    );
    buildVaeDecoder(checkpoint);
    buildVaeEncoder(checkpoint);
    const names = [...recorder.specs.keys()];
    expect(names.some((n) => n.includes('quant_conv') || n.includes('attentions'))).toBe(false);
  });
});
