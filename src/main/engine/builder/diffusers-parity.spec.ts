/**
 * The oracle, end to end: build the diffusers-written fixture checkpoint into a bundle, run the
 * engine's own pipeline on each golden case, and compare every stage with what diffusers'
 * AudioLDM2Pipeline produced — tokens exactly, tensors within the fixture README's tolerances,
 * the waveform to relative L2 ≤ 1e-5. The odd latent lengths (63, 25, 7 frames) run as diffusers
 * runs them: no padding.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTRACT } from '../bundle/contract.ts';
import { resolveInBundle } from '../bundle/manifest.ts';
import { AudioLdm2Pipeline } from '../pipeline/audioldm2-pipeline.ts';
import { denoise } from '../pipeline/denoise.ts';
import { encodePrompt } from '../pipeline/encode-prompt.ts';
import { planLengths } from '../pipeline/lengths.ts';
import { createScheduler } from '../schedulers/create-scheduler.ts';
import { loadPromptTokenizers, type PromptTokenizers } from '../tokenizers/text-tokenizers.ts';
import { buildBundle } from './build-bundle.ts';
import { FIXTURE_CHECKPOINT, goldenCase, goldenCaseNames, goldenLatentsInit, goldenStage, relativeL2, type GoldenCase } from './testing/golden.ts';

const f32 = (x: { data: Float32Array | BigInt64Array }) => x.data as Float32Array;
const ids = (x: { data: Float32Array | BigInt64Array }) => [...(x.data as BigInt64Array)].map(Number);

/** Rows [r0, r1) of a row-major array with `rowSize` values per row. */
function rows(data: Float32Array, rowSize: number, r0: number, r1: number): Float32Array {
  return data.subarray(r0 * rowSize, r1 * rowSize);
}

describe('built bundle vs diffusers AudioLDM2Pipeline, stage by stage', () => {
  let dir: string;
  let pipeline: AudioLdm2Pipeline;
  let tokenizers: PromptTokenizers;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'loa-parity-'));
    await buildBundle(FIXTURE_CHECKPOINT, join(dir, 'bundle'));
    pipeline = await AudioLdm2Pipeline.load(join(dir, 'bundle'), { device: 'cpu', intraOpThreads: 2 });
    const config = pipeline.bundle.config;
    tokenizers = await loadPromptTokenizers(resolveInBundle(join(dir, 'bundle'), CONTRACT.tokenizers.clap.dir), resolveInBundle(join(dir, 'bundle'), CONTRACT.tokenizers.t5.dir), config);
  }, 120_000);

  afterAll(async () => {
    await pipeline?.release();
    rmSync(dir, { recursive: true, force: true });
  });

  const negativeOf = (c: GoldenCase) => c.inputs.negative_prompt ?? '';
  const guided = (c: GoldenCase) => c.inputs.guidance_scale > 1;

  it.each(goldenCaseNames())('%s: tokens equal diffusers', (name) => {
    const c = goldenCase(name);
    const texts = guided(c) ? [negativeOf(c), c.inputs.prompt] : [c.inputs.prompt];
    // CLAP: diffusers pads to 512; ours pads to the longest (pads are masked): compare the tokens, then the padding.
    const golden = goldenStage(c, 'clap_input_ids');
    const clap = tokenizers.clap(texts);
    texts.forEach((_, r) => {
      const want = ids(golden).slice(r * 512, (r + 1) * 512);
      const got = [...clap.ids.subarray(r * clap.length, (r + 1) * clap.length)].map(Number);
      expect(got).toEqual(want.slice(0, clap.length));
      expect(want.slice(clap.length).every((id) => id === 1)).toBe(true);
    });
    const positive = tokenizers.t5([c.inputs.prompt]);
    const t5 = guided(c) ? [...tokenizers.t5([negativeOf(c)], positive.length).ids, ...positive.ids] : [...positive.ids];
    expect(t5.map(Number)).toEqual(ids(goldenStage(c, 't5_input_ids')));
  });

  it.each(goldenCaseNames())(
    '%s: every stage matches',
    async (name) => {
      const c = goldenCase(name);
      const config = pipeline.bundle.config;
      const conditioning = await encodePrompt(pipeline.bundle, tokenizers, c.inputs.prompt, negativeOf(c), guided(c));
      const textRows = conditioning.batch;
      expect(relativeL2(conditioning.t5Hidden, f32(goldenStage(c, 't5_last_hidden_state')))).toBeLessThan(1e-5);
      expect(relativeL2(conditioning.loa, f32(goldenStage(c, 'loa_embeds')))).toBeLessThan(1e-5);
      const clapGolden = f32(goldenStage(c, 'clap_text_embeds'));
      expect(relativeL2(conditioning.clapText, rows(clapGolden, config.clapDim, textRows - 1, textRows))).toBeLessThan(1e-5);

      const plan = planLengths(c.inputs.audio_length_in_s, config);
      expect(plan.latentFrames).toBe(c.latents.shape[2]);
      const n = c.inputs.num_waveforms_per_prompt;
      const init = goldenLatentsInit(c);
      const finalGolden = f32(goldenStage(c, 'latents_final'));
      const melGolden = f32(goldenStage(c, 'vae_mel'));
      const frameSize = config.latentChannels * plan.latentFrames * config.latentFreq;
      const unet = await pipeline.bundle.session('unet');
      for (let k = 0; k < n; k++) {
        const scheduler = createScheduler(c.inputs.scheduler, config.scheduler);
        scheduler.setTimesteps(c.inputs.num_inference_steps);
        expect(scheduler.timesteps.map(Number)).toEqual(ids(goldenStage(c, 'timesteps')));
        const shape = { channels: config.latentChannels, frames: plan.latentFrames, freq: config.latentFreq };
        const latents = await denoise(unet, scheduler, rows(f32(init), frameSize, k, k + 1).slice(), shape, conditioning, c.inputs.guidance_scale, config.llmDim, config.t5Dim);
        expect(relativeL2(latents, rows(finalGolden, frameSize, k, k + 1))).toBeLessThan(1e-5);
      }
      // Decode and vocode from diffusers' own final latents, so each stage is judged on its own.
      const vae = await pipeline.bundle.session('vaeDecoder');
      const decoded = await vae.run({
        latents: { type: 'float32', data: finalGolden.map((v) => v / config.vaeScalingFactor), dims: [n, config.latentChannels, plan.latentFrames, config.latentFreq] },
      });
      expect(relativeL2(f32(decoded.mel), melGolden)).toBeLessThan(1e-5);
    },
    120_000,
  );

  it.each(goldenCaseNames())(
    '%s: the generated waveform matches',
    async (name) => {
      const c = goldenCase(name);
      const result = await pipeline.generate({
        prompt: c.inputs.prompt,
        negativePrompt: negativeOf(c),
        seconds: c.inputs.audio_length_in_s,
        steps: c.inputs.num_inference_steps,
        scheduler: c.inputs.scheduler,
        guidance: c.inputs.guidance_scale,
        seed: c.latents.seed,
        takes: c.inputs.num_waveforms_per_prompt,
      });
      const golden = goldenStage(c, c.stages.some((s) => s.name === 'waveform_generation_order') ? 'waveform_generation_order' : 'waveform');
      const length = golden.dims[1];
      const byIndex = [...result.takes].sort((a, b) => a.index - b.index);
      byIndex.forEach((take, k) => {
        expect(take.samples.length).toBe(length);
        expect(relativeL2(take.samples, rows(f32(golden), length, k, k + 1))).toBeLessThan(1e-5);
      });
    },
    120_000,
  );
});
