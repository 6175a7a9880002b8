import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONTRACT, contractProblems } from '../../bundle/contract.ts';
import { float32, int64, OnnxSession, type TensorData } from '../../onnx/onnx-runtime.ts';
import { CheckpointError } from '../checkpoint/checkpoint-error.ts';
import { Graph, int } from '../onnx/graph.ts';
import { mergeHeads, multiHeadAttention, scaledDotProduct, splitHeads } from '../onnx/layers.ts';
import { WeightRecorder } from '../onnx/weights.ts';
import { goldenCase, goldenStage, relativeL2, type GoldenCase } from '../testing/golden.ts';
import { eachGoldenCase, fixtureGraph } from '../testing/graph-harness.ts';
import { parameterCount, plannedCheckpoint, plannedFixture, publishedConfig } from '../testing/planned.ts';
import { buildUnet, timestepFrequencies } from './unet.ts';
import { unetDims } from './unet-config.ts';
import { unetMacs } from './unet-macs.ts';

/** The UNet's step-1 inputs of a golden case, as the graph takes them. */
function stepInputs(c: GoldenCase): Record<string, TensorData> {
  const sample = goldenStage(c, 'unet_step1_sample');
  const batch = sample.dims[0];
  // diffusers passes the scheduler's int64 timestep; get_timestep_embedding casts it to float32.
  const t = Number((goldenStage(c, 'timesteps').data as BigInt64Array)[0]);
  const loa = goldenStage(c, 'unet_step1_encoder_hidden_states');
  const t5 = goldenStage(c, 'unet_step1_encoder_hidden_states_1');
  const mask = goldenStage(c, 'unet_step1_encoder_attention_mask_1');
  return {
    sample: float32(sample.data as Float32Array, sample.dims),
    timestep: float32(new Float32Array(batch).fill(t), [batch]),
    encoder_hidden_states: float32(loa.data as Float32Array, loa.dims),
    encoder_hidden_states_1: float32(t5.data as Float32Array, t5.dims),
    encoder_attention_mask_1: int64(mask.data as BigInt64Array, mask.dims),
  };
}

describe('UNet graph vs diffusers (AudioLDM2UNet2DConditionModel)', () => {
  const run = fixtureGraph(buildUnet);

  // Latent lengths 64, 63, 32, 25, 16, 7 (63, 25 and 7 are not multiples of 8: the up-samplers
  // interpolate to the skip sizes), batch 1, 2 and 4, T5 lengths 5 to 128 with padded tokens.
  eachGoldenCase('case %s: step-1 noise_pred within rel. L2 1e-5', async (c) => {
    const out = await run.session.run(stepInputs(c));
    const expected = goldenStage(c, 'unet_step1_noise_pred');
    expect(out.noise_pred.dims).toEqual(expected.dims);
    // Measured 0.97e-6 .. 1.8e-6 (diffusers' own float32 vs float64: up to 2.9e-6).
    expect(relativeL2(out.noise_pred.data as Float32Array, expected.data as Float32Array)).toBeLessThan(1e-5);
  });

  it('the T5 padding mask matters: ignoring it moves case f (122 padded tokens) far off', async () => {
    const c = goldenCase('f-dpmpp-cfg3.5-longprompt');
    const inputs = stepInputs(c);
    const mask = inputs.encoder_attention_mask_1;
    const out = await run.session.run({ ...inputs, encoder_attention_mask_1: int64(new BigInt64Array(mask.data.length).fill(1n), mask.dims) });
    const expected = goldenStage(c, 'unet_step1_noise_pred').data as Float32Array;
    expect(relativeL2(out.noise_pred.data as Float32Array, expected)).toBeGreaterThan(1e-3);
  });

  // Other sizes of the two context axes, where the result is known exactly from case c (batch 1, no padding).
  it("loa_len 16 (each LOA vector twice) gives case c's noise_pred: attention averages duplicate keys the same", async () => {
    const c = goldenCase('c-ddim-nocfg');
    const inputs = stepInputs(c);
    const [b, n, d] = inputs.encoder_hidden_states.dims;
    const loa = inputs.encoder_hidden_states.data as Float32Array;
    const doubled = new Float32Array(b * n * 2 * d);
    for (let i = 0; i < b * n; i++) for (const r of [0, 1]) doubled.set(loa.subarray(i * d, (i + 1) * d), (2 * i + r) * d);
    const out = await run.session.run({ ...inputs, encoder_hidden_states: float32(doubled, [b, 2 * n, d]) });
    expect(relativeL2(out.noise_pred.data as Float32Array, goldenStage(c, 'unet_step1_noise_pred').data as Float32Array)).toBeLessThan(1e-5);
  });

  it("t5_len + 3 masked tokens of large junk gives case c's noise_pred: masked keys are dropped", async () => {
    const c = goldenCase('c-ddim-nocfg');
    const inputs = stepInputs(c);
    const [b, n, d] = inputs.encoder_hidden_states_1.dims;
    expect(b).toBe(1);
    const t5 = new Float32Array((n + 3) * d).map((_, i) => 50 * Math.sin(i));
    t5.set(inputs.encoder_hidden_states_1.data as Float32Array);
    const mask = BigInt64Array.from({ length: n + 3 }, (_, i) => (i < n ? 1n : 0n));
    const out = await run.session.run({ ...inputs, encoder_hidden_states_1: float32(t5, [1, n + 3, d]), encoder_attention_mask_1: int64(mask, [1, n + 3]) });
    expect(relativeL2(out.noise_pred.data as Float32Array, goldenStage(c, 'unet_step1_noise_pred').data as Float32Array)).toBeLessThan(1e-5);
  });

  it('satisfies models/contract.json', () => {
    const config = { latentChannels: 8, latentFreq: 16, llmDim: 64, t5Dim: 48 };
    expect(contractProblems('unet', run.session, config)).toEqual([]);
    expect(run.session.outputs.map((o) => o.name)).toEqual(CONTRACT.components.unet.outputs.map((o) => o.name));
  });

  it('asks for exactly the tensors of the checkpoint', async () => {
    const { checkpoint, recorder, file } = await plannedFixture('unet');
    buildUnet(checkpoint);
    expect([...recorder.specs.keys()].sort()).toEqual([...file.tensors.keys()].sort());
    for (const [name, spec] of recorder.specs) expect(spec.shape).toEqual(file.tensors.get(name)?.shape);
  });
});

describe('UNet attention mask: ORT key_padding_mask = diffusers additive bias (1 − m)·(−10000)', () => {
  it('matches the bias form, with masked keys holding the largest scores and a fully masked row', async () => {
    const [B, S, L, heads, D] = [2, 5, 7, 2, 8];
    const g = new Graph('mask');
    const q = g.input('q', 'float32', [B, S, D]);
    const k = g.input('k', 'float32', [B, L, D]);
    const v = g.input('v', 'float32', [B, L, D]);
    const m = g.input('m', 'int64', [B, L]);
    const fused = multiHeadAttention(g, q, k, v, heads, { keyPaddingMask: g.op('Cast', [m], { to: int(6) }) });
    const bias = g.op('Mul', [g.op('Sub', [g.constFloat(1), g.op('Cast', [m], { to: int(1) })]), g.constFloat(-10000)]);
    const bias4 = g.op('Unsqueeze', [bias, g.constInt([1, 2])]);
    const hd = D / heads;
    const explicit = mergeHeads(g, scaledDotProduct(g, splitHeads(g, q, heads, hd), splitHeads(g, k, heads, hd), splitHeads(g, v, heads, hd), 1 / Math.sqrt(hd), bias4), heads, hd);
    g.output(fused, 'fused', 'float32', [B, S, D]);
    g.output(explicit, 'explicit', 'float32', [B, S, D]);
    const dir = mkdtempSync(join(tmpdir(), 'loa-mask-'));
    try {
      writeFileSync(join(dir, 'mask.onnx'), g.toBytes());
      const session = await OnnxSession.create('mask', join(dir, 'mask.onnx'), { provider: 'cpu', intraOpThreads: 1 });
      const rand = (n: number, seed: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 12.9898 + seed) * 3);
      const qd = rand(B * S * D, 1);
      const kd = rand(B * L * D, 2);
      // Masked keys (the last two of row 0) get keys ∥ queries ×10: the largest scores, which must still be dropped.
      for (const j of [5, 6]) for (let d = 0; d < D; d++) kd[j * D + d] = 10 * qd[d];
      const mask = BigInt64Array.from([1, 1, 1, 1, 1, 0, 0, /* row 1 fully masked */ 0, 0, 0, 0, 0, 0, 0].map(BigInt));
      const out = await session.run({ q: float32(qd, [B, S, D]), k: float32(kd, [B, L, D]), v: float32(rand(B * L * D, 3), [B, L, D]), m: int64(mask, [B, L]) });
      await session.release();
      expect(relativeL2(out.fused.data as Float32Array, out.explicit.data as Float32Array)).toBeLessThan(1e-6);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('UNet builder on the published cvssp/audioldm2 config', () => {
  const published = () => publishedConfig('unet');

  it('builds and asks for 346,943,496 parameters (the docs\' "350M")', async () => {
    const recorder = new WeightRecorder();
    const checkpoint = plannedCheckpoint('unet', await published(), recorder);
    const dims = unetDims(checkpoint);
    expect(dims).toMatchObject({ inChannels: 8, outChannels: 8, timeProjDim: 128, timeEmbedDim: 512, loaDim: 768, t5Dim: 1024, groups: 32 });
    expect(dims.mid.attention).toEqual({ heads: 8, innerDim: 640, transformerLayers: 1, contexts: ['self', 'loa', 't5'] });
    expect(buildUnet(checkpoint).nodeCount).toBeGreaterThan(0);
    // 346,943,496 parameters in 1520 tensors (1.39 GB as float32): the diffusers docs' "350M".
    expect(parameterCount(recorder)).toBe(346_943_496);
    expect(recorder.specs.size).toBe(1520);
    expect(recorder.specs.get('down_blocks.1.attentions.2.transformer_blocks.0.attn2.to_k.weight')?.shape).toEqual([256, 1024]);
    expect(recorder.specs.get('up_blocks.0.attentions.4.transformer_blocks.0.attn2.to_k.weight')?.shape).toEqual([640, 768]);
    expect(recorder.specs.get('up_blocks.3.resnets.0.conv_shortcut.weight')?.shape).toEqual([128, 256 + 128, 1, 1]);
  });

  it('costs 83.6 GMAC per batch row at 250 latent frames × 16 (10 s of audio; LOA 8, T5 20 tokens)', async () => {
    const dims = unetDims(plannedCheckpoint('unet', await published()));
    const macs = unetMacs(dims, { frames: 250, freq: 16, loaLen: 8, t5Len: 20 });
    // Convs 30.18 G, Linear layers (incl. 1×1 proj_in/out) 41.96 G, Q·Kᵀ and P·V 11.45 G. One CFG step
    // (batch 2) is 2 · 2 · 83.6 G = 334 GFLOP: 1.59 s at 210 GFLOP/s.
    expect(macs).toEqual({ conv: 30_177_492_992, linear: 41_962_045_440, attention: 11_453_788_160, total: 83_593_326_592 });
    // Level 1 (125 × 8 tokens) self-attention grows with the square of the length.
    expect(unetMacs(dims, { frames: 1024, freq: 16, loaLen: 8, t5Len: 20 }).attention).toBe(190_376_837_120);
  });

  it.each([
    ['upcast_attention', true],
    ['class_embed_type', 'timestep'],
    ['resnet_time_scale_shift', 'scale_shift'],
    ['time_cond_proj_dim', 256],
    ['only_cross_attention', true],
    ['num_attention_heads', 8],
    ['mid_block_type', 'UNetMidBlock2DSimpleCrossAttn'],
    ['down_block_types', ['DownBlock2D', 'CrossAttnDownBlock2D', 'CrossAttnDownBlock2D', 'AttnDownBlock2D']],
    [
      'cross_attention_dim',
      [
        [null, 768, 1024],
        [null, 768, 1024],
        [null, 768, 512],
        [null, 768, 1024],
      ],
    ],
    ['transformer_layers_per_block', [1, 2]],
  ])('refuses %s = %j by name', async (key, value) => {
    const checkpoint = plannedCheckpoint('unet', { ...(await published()), [key]: value });
    expect(() => buildUnet(checkpoint)).toThrow(CheckpointError);
    expect(() => buildUnet(checkpoint)).toThrow(new RegExp(`"${key}"`));
  });

  it('reads per-block lists and use_linear_projection (proj_in/proj_out as Linear)', async () => {
    const recorder = new WeightRecorder();
    buildUnet(plannedCheckpoint('unet', { ...(await published()), transformer_layers_per_block: [1, 1, 2, 3], attention_head_dim: [4, 8, 8, 10], use_linear_projection: true }, recorder));
    expect(recorder.specs.get('down_blocks.2.attentions.0.transformer_blocks.1.norm1.weight')?.shape).toEqual([384]);
    expect(recorder.specs.has('down_blocks.2.attentions.0.transformer_blocks.2.norm1.weight')).toBe(false);
    expect(recorder.specs.get('mid_block.attentions.1.transformer_blocks.2.norm3.weight')?.shape).toEqual([640]);
    expect(recorder.specs.get('up_blocks.0.attentions.0.transformer_blocks.2.norm3.weight')?.shape).toEqual([640]);
    expect(recorder.specs.get('down_blocks.1.attentions.0.proj_in.weight')?.shape).toEqual([256, 256]);
  });
});

describe('timestep frequencies', () => {
  it('are float32 exp(−ln 10000 · i / (half − shift)) as torch rounds them', () => {
    const f = timestepFrequencies(128, 0);
    expect(f).toHaveLength(64);
    expect(f[0]).toBe(1);
    expect(f[63]).toBe(Math.fround(Math.exp(Math.fround(Math.fround(-Math.log(10000)) * 63) / 64)));
  });
});
