import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GenerateParams } from '../../../shared/engine/generate-params.ts';
import type { Progress } from '../../../shared/engine/progress.ts';
import { CancelledError } from '../../../shared/errors.ts';
import { resolveInBundle } from '../bundle/manifest.ts';
import { float32, int64 } from '../onnx/onnx-runtime.ts';
import { TINY_BUNDLE } from '../testing/tiny-bundle.ts';
import { loadPromptTokenizers } from '../tokenizers/text-tokenizers.ts';
import { AudioLdm2Pipeline } from './audioldm2-pipeline.ts';
import { clapAudioFeatures } from './clap-features.ts';
import { encodePrompt } from './encode-prompt.ts';
import { row } from './tensor-ops.ts';

let pipeline: AudioLdm2Pipeline;
beforeAll(async () => {
  pipeline = await AudioLdm2Pipeline.load(TINY_BUNDLE, { device: 'cpu' });
});
afterAll(async () => {
  await pipeline.release();
});

const base: GenerateParams = {
  prompt: 'glass shattering on concrete',
  negativePrompt: 'Low quality.',
  seconds: 2.5,
  steps: 10,
  scheduler: 'dpmpp',
  guidance: 3.5,
  seed: 7,
  takes: 1,
};

function bytes(a: Float32Array): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

describe('AudioLDM 2 pipeline on models/tiny', () => {
  it('makes exactly the requested length: 2.5 s at 16 kHz is 40000 finite, non-silent samples', async () => {
    const result = await pipeline.generate(base);
    expect(result.sampleRate).toBe(16000);
    expect(result.takes).toHaveLength(1);
    const samples = result.takes[0].samples;
    expect(samples.length).toBe(40000);
    expect(samples.every(Number.isFinite)).toBe(true);
    const rms = Math.sqrt(samples.reduce((s, x) => s + x * x, 0) / samples.length);
    expect(rms).toBeGreaterThan(1e-5);
    expect(result.takes[0]).toMatchObject({ index: 0, seed: 7, score: null });
  });

  it.each([0.5, 1.0, 5.0, 10.24])('%s s gives int(seconds·16000) samples', async (seconds) => {
    const result = await pipeline.generate({ ...base, seconds, steps: 2 });
    expect(result.takes[0].samples.length).toBe(Math.trunc(seconds * 16000));
  });

  it('is deterministic per seed and different across seeds, with both schedulers', async () => {
    for (const scheduler of ['dpmpp', 'ddim'] as const) {
      const a = (await pipeline.generate({ ...base, scheduler })).takes[0].samples;
      const b = (await pipeline.generate({ ...base, scheduler })).takes[0].samples;
      const c = (await pipeline.generate({ ...base, scheduler, seed: 8 })).takes[0].samples;
      expect(bytes(a).equals(bytes(b))).toBe(true);
      expect(bytes(a).equals(bytes(c))).toBe(false);
    }
  });

  it('guidance 1 runs no unconditional branch; guidance > 1 doubles the UNet batch', async () => {
    const unet = await pipeline.bundle.session('unet');
    const clap = await pipeline.bundle.session('clapText');
    const before = unet.runCount;
    await pipeline.generate({ ...base, guidance: 1, steps: 4 });
    expect(unet.runCount - before).toBe(4);
    expect(unet.lastInputDims.sample[0]).toBe(1);
    expect(unet.lastInputDims.timestep).toEqual([1]);
    expect(clap.lastInputDims.input_ids[0]).toBe(1);

    await pipeline.generate({ ...base, guidance: 2.5, steps: 4 });
    expect(unet.lastInputDims.sample).toEqual([2, 8, 63, 16]); // 2.5 s: diffusers' 63 frames, not padded
    expect(clap.lastInputDims.input_ids[0]).toBe(2);
  });

  it('puts the negative prompt first in the guidance batch, its T5 tokens padded to the prompt length', async () => {
    const bundle = pipeline.bundle;
    const dirs = bundle.manifest.config;
    const tokenizers = await loadPromptTokenizers(resolveInBundle(TINY_BUNDLE, 'tokenizers/clap'), resolveInBundle(TINY_BUNDLE, 'tokenizers/t5'), dirs);
    const guided = await encodePrompt(bundle, tokenizers, 'a dog barking in the rain', 'noise', true);
    const positive = await encodePrompt(bundle, tokenizers, 'a dog barking in the rain', 'noise', false);
    expect(guided.batch).toBe(2);
    expect(positive.batch).toBe(1);
    const t5 = await bundle.session('t5Encoder');
    const neg = tokenizers.t5(['noise'], guided.t5Length);
    const alone = await t5.run({ input_ids: int64(neg.ids, [1, neg.length]), attention_mask: int64(neg.mask, [1, neg.length]) });
    const negRow = row(guided.t5Hidden, 2, 0);
    const posRow = row(guided.t5Hidden, 2, 1);
    const tol = 1e-5;
    expect(Math.max(...(alone.last_hidden_state.data as Float32Array).map((v, i) => Math.abs(v - negRow[i])))).toBeLessThan(tol);
    expect(Math.max(...positive.t5Hidden.map((v, i) => Math.abs(v - posRow[i])))).toBeLessThan(tol);
    expect(Array.from(row(guided.t5Mask, 2, 0))).toEqual(Array.from(neg.mask));
    expect(Math.max(...positive.loa.map((v, i) => Math.abs(v - row(guided.loa, 2, 1)[i])))).toBeLessThan(1e-4);
    expect(guided.loa.length).toBe(2 * dirs.maxNewTokens * dirs.llmDim);
  });

  it('ranks several takes best first by CLAP score, and each take can be regenerated alone from its seed', async () => {
    const result = await pipeline.generate({ ...base, takes: 3, steps: 4 });
    expect(result.takes.map((t) => t.seed).sort()).toEqual([7, 8, 9]);
    const scores = result.takes.map((t) => t.score!);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);

    // Recompute each score independently from the CLAP graphs.
    const clapAudio = await pipeline.bundle.session('clapAudio');
    const clapText = await pipeline.bundle.session('clapText');
    const tokenizers = await loadPromptTokenizers(resolveInBundle(TINY_BUNDLE, 'tokenizers/clap'), resolveInBundle(TINY_BUNDLE, 'tokenizers/t5'), pipeline.bundle.config);
    const tok = tokenizers.clap([base.prompt]);
    const text = (await clapText.run({ input_ids: int64(tok.ids, [1, tok.length]), attention_mask: int64(tok.mask, [1, tok.length]) })).text_embeds.data as Float32Array;
    const cfg = pipeline.bundle.config;
    for (const take of result.takes) {
      const features = clapAudioFeatures(take.samples, 16000, cfg.clapAudio);
      const audio = (await clapAudio.run({ input_features: float32(features, [1, 1, 1001, 64]) })).audio_embeds.data as Float32Array;
      const cosine = audio.reduce((s, v, i) => s + v * text[i], 0);
      expect(take.score).toBeCloseTo(cosine * cfg.clapLogitScale, 4);
    }

    const second = result.takes.find((t) => t.seed === 8)!;
    const alone = await pipeline.generate({ ...base, seed: 8, steps: 4 });
    expect(bytes(alone.takes[0].samples).equals(bytes(second.samples))).toBe(true);
  });

  it('embeds texts in batches (padded to the longest, masked) as it embeds each alone', async () => {
    const texts = ['rain', 'a very long description of glass shattering on a concrete floor in a hall', 'dog', 'metallic clang'];
    const alone = await Promise.all(texts.map((t) => pipeline.embedText(t)));
    for (const batchSize of [4, 3, 1]) {
      const batched = await pipeline.embedTexts(texts, batchSize);
      expect(batched.map((v) => v.length)).toEqual(alone.map((v) => v.length));
      batched.forEach((v, i) => v.forEach((x, j) => expect(x).toBeCloseTo(alone[i][j], 5)));
    }
    expect(alone[0]).toHaveLength(pipeline.bundle.config.clapDim);
    expect(await pipeline.embedTexts([])).toEqual([]);
  });

  it('reports progress stage by stage with step counts, a rising fraction and an ETA once a step was timed', async () => {
    const events: Progress[] = [];
    await pipeline.generate({ ...base, takes: 2, steps: 5 }, { onProgress: (p) => events.push(p) });
    const stages = [...new Set(events.map((e) => e.stage))];
    expect(stages).toEqual(['encode', 'denoise', 'decode', 'vocode', 'rank']);
    const steps = events.filter((e) => e.stage === 'denoise' && e.step > 0);
    expect(steps.map((e) => `${e.take}:${e.step}`)).toEqual(['1:1', '1:2', '1:3', '1:4', '1:5', '2:1', '2:2', '2:3', '2:4', '2:5']);
    for (let i = 1; i < events.length; i++) expect(events[i].fraction).toBeGreaterThanOrEqual(events[i - 1].fraction);
    expect(steps[0].etaMs).not.toBeNull();
    expect(events.at(-1)!.fraction).toBe(1);
  });

  it('streams each take as soon as it is ready', async () => {
    const seen: number[] = [];
    await pipeline.generate({ ...base, takes: 2, steps: 2 }, { onTake: (t) => seen.push(t.seed) });
    expect(seen).toEqual([7, 8]);
  });

  it('cancels between steps: no further UNet call after the abort', async () => {
    const unet = await pipeline.bundle.session('unet');
    const controller = new AbortController();
    const before = unet.runCount;
    const run = pipeline.generate(
      { ...base, steps: 50 },
      {
        signal: controller.signal,
        onProgress: (p) => {
          if (p.stage === 'denoise' && p.step === 3) controller.abort();
        },
      },
    );
    await expect(run).rejects.toBeInstanceOf(CancelledError);
    expect(unet.runCount - before).toBe(3);
  });

  it('truncates an over-long prompt with a notice instead of failing', async () => {
    const prompt = 'thunder rolling over the hills '.repeat(200);
    const result = await pipeline.generate({ ...base, prompt, steps: 1 });
    expect(result.notices.some((n) => /longer than T5's 128 tokens/.test(n))).toBe(true);
    expect(result.takes[0].samples.length).toBe(40000);
  });
});
