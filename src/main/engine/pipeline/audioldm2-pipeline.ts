import { join } from 'node:path';
import { ensureBundle } from '../builder/bundle-cache.ts';
import { ProgressClock, type Progress, type Stage } from '../../../shared/engine/progress.ts';
import type { GenerateParams } from '../../../shared/engine/generate-params.ts';
import { ModelBundle, type LoadBundleOptions } from '../bundle/model-bundle.ts';
import { resolveInBundle } from '../bundle/manifest.ts';
import { CONTRACT } from '../bundle/contract.ts';
import { float32, int64 } from '../onnx/onnx-runtime.ts';
import { SeededRandom } from '../random.ts';
import { createScheduler } from '../schedulers/create-scheduler.ts';
import { loadPromptTokenizers, type PromptTokenizers } from '../tokenizers/text-tokenizers.ts';
import type { TransformParams } from '../../../shared/engine/transform-params.ts';
import { runTransform, type TransformHooks, type TransformResult } from './audio-to-audio.ts';
import { clapAudioFeatures, rankByClap } from './clap-features.ts';
import { decodeLatents, vocode } from './decode.ts';
import { denoise, throwIfCancelled, yieldToEventLoop } from './denoise.ts';
import { encodePrompt } from './encode-prompt.ts';
import { planLengths } from './lengths.ts';
import { scale } from './tensor-ops.ts';

export interface Take {
  /** Order of generation (0-based); the seed is params.seed + index. */
  index: number;
  seed: number;
  samples: Float32Array;
  /** CLAP text–audio similarity (logit scale applied); null when only one take was made. */
  score: number | null;
  /** The take's L2-normalised CLAP audio embedding (the library's search by sound). */
  embedding: Float32Array;
}

export interface GenerationResult {
  sampleRate: number;
  /** Best first when several takes were ranked. */
  takes: Take[];
  notices: string[];
  provider: string;
  timings: Record<Stage, number> & { totalMs: number; sessionMs: number };
}

export interface GenerateHooks {
  signal?: AbortSignal;
  onProgress?: (progress: Progress) => void;
  /** Each take as soon as it is vocoded, before ranking: the studio can play it at once. */
  onTake?: (take: Take) => void;
}

/**
 * AudioLDM 2 text-to-audio, in the paper's order: encode text → LOA → denoise → decode → vocode,
 * then rank the takes by CLAP. Takes are generated one after another, each from its own seed, so
 * any take can be regenerated alone and bit-identically.
 */
export class AudioLdm2Pipeline {
  private constructor(
    readonly bundle: ModelBundle,
    private readonly tokenizers: PromptTokenizers,
  ) {}

  /** `dir` is a bundle, or a diffusers checkpoint (built into a bundle once, then cached). */
  static async load(modelDir: string, options: LoadBundleOptions = {}): Promise<AudioLdm2Pipeline> {
    const dir = await ensureBundle(modelDir, { cacheDir: options.cacheDir ? join(options.cacheDir, 'bundles') : undefined });
    const bundle = await ModelBundle.load(dir, options);
    try {
      const { clapMaxLength, t5MaxLength } = bundle.config;
      const tokenizers = await loadPromptTokenizers(resolveInBundle(dir, CONTRACT.tokenizers.clap.dir), resolveInBundle(dir, CONTRACT.tokenizers.t5.dir), { clapMaxLength, t5MaxLength });
      return new AudioLdm2Pipeline(bundle, tokenizers);
    } catch (error) {
      await bundle.release();
      throw error;
    }
  }

  get sampleRate(): number {
    return this.bundle.config.sampleRate;
  }

  async generate(params: GenerateParams, hooks: GenerateHooks = {}): Promise<GenerationResult> {
    const config = this.bundle.config;
    const started = performance.now();
    const sessionMsBefore = await this.sessionMs();
    const timings = { load: 0, encode: 0, loa: 0, denoise: 0, decode: 0, vocode: 0, rank: 0 } as GenerationResult['timings'];
    const clock = new ProgressClock(params.takes, params.steps);
    const report = (p: Progress) => hooks.onProgress?.(p);
    const timed = async <T>(stage: Stage, work: () => Promise<T>): Promise<T> => {
      const t0 = performance.now();
      try {
        return await work();
      } finally {
        timings[stage] += performance.now() - t0;
      }
    };

    const guided = params.guidance > 1;
    report(clock.snapshot('encode', 0, 0));
    const conditioning = await timed('encode', () => encodePrompt(this.bundle, this.tokenizers, params.prompt, params.negativePrompt, guided));
    report(clock.advance(1, 'encode', 0, 0));
    const notices = [...this.bundle.notices, ...conditioning.notices];

    const plan = planLengths(params.seconds, config);
    const shape = { channels: config.latentChannels, frames: plan.latentFrames, freq: config.latentFreq };
    const unet = await this.bundle.session('unet');
    const vae = await this.bundle.session('vaeDecoder');
    const vocoder = await this.bundle.session('vocoder');
    const takes: Take[] = [];

    for (let index = 0; index < params.takes; index++) {
      const take = index + 1;
      const seed = params.seed + index;
      const scheduler = createScheduler(params.scheduler, config.scheduler);
      scheduler.setTimesteps(params.steps);
      const noise = new SeededRandom(seed).fillNormal(shape.channels * shape.frames * shape.freq);
      const initial = scheduler.initNoiseSigma === 1 ? noise : scale(noise, scheduler.initNoiseSigma);

      report(clock.snapshot('denoise', take, 0));
      const latents = await timed('denoise', () =>
        denoise(unet, scheduler, initial, shape, conditioning, params.guidance, config.llmDim, config.t5Dim, {
          signal: hooks.signal,
          onStep: (step) => report(clock.advance(1, 'denoise', take, step)),
        }),
      );
      await yieldToEventLoop();
      throwIfCancelled(hooks.signal);
      report(clock.snapshot('decode', take, 0));
      const mel = await timed('decode', () => decodeLatents(vae, latents, plan, config));
      report(clock.advance(1, 'decode', take, 0));
      await yieldToEventLoop();
      throwIfCancelled(hooks.signal);
      const samples = await timed('vocode', () => vocode(vocoder, mel, plan, config));
      report(clock.advance(1, 'vocode', take, 0));
      const embedding = await this.embedAudio(samples);
      const result: Take = { index, seed, samples, score: null, embedding };
      takes.push(result);
      hooks.onTake?.(result);
    }

    let ranked = takes;
    if (takes.length > 1) {
      report(clock.snapshot('rank', params.takes, 0));
      ranked = await timed('rank', async () =>
        rankByClap(
          conditioning.clapText,
          takes.map((t) => t.embedding),
          config.clapLogitScale,
        ).map(({ index, score }) => ({ ...takes[index], score })),
      );
    }
    timings.totalMs = performance.now() - started;
    timings.sessionMs = (await this.sessionMs()) - sessionMsBefore;
    return { sampleRate: config.sampleRate, takes: ranked, notices, provider: this.bundle.provider, timings };
  }

  /** Continue, vary, inpaint or loop a reference clip (mono, at the model rate). */
  transform(params: TransformParams, reference: Float32Array, hooks: TransformHooks = {}): Promise<TransformResult> {
    return runTransform(this.bundle, this.tokenizers, params, reference, hooks, (samples) => this.embedAudio(samples));
  }

  /**
   * CLAP audio embedding of a waveform at the model rate (diffusers `score_waveforms` features,
   * with a deterministic centre crop); ranking and the library's "more like this" compare these.
   */
  async embedAudio(samples: Float32Array): Promise<Float32Array> {
    const config = this.bundle.config;
    const clapAudio = await this.bundle.session('clapAudio');
    const features = clapAudioFeatures(samples, config.sampleRate, config.clapAudio);
    const out = await clapAudio.run({ input_features: float32(features, [1, 1, features.length / config.clapAudio.melBins, config.clapAudio.melBins]) });
    return (out.audio_embeds.data as Float32Array).slice();
  }

  /** CLAP text embedding, in the same space as embedAudio: "metallic clang" finds clangs. */
  async embedText(text: string): Promise<Float32Array> {
    return (await this.embedTexts([text]))[0];
  }

  /**
   * CLAP text embeddings of many texts, `batchSize` per run (padded to the longest in the batch;
   * the attention mask keeps padding out): Describe's vocabulary costs a few runs, not one per word.
   */
  async embedTexts(texts: string[], batchSize = 32): Promise<Float32Array[]> {
    const session = await this.bundle.session('clapText');
    const dim = this.bundle.config.clapDim;
    const out: Float32Array[] = [];
    for (let start = 0; start < texts.length; start += batchSize) {
      const batch = texts.slice(start, start + batchSize);
      const tokens = this.tokenizers.clap(batch);
      const result = await session.run({
        input_ids: int64(tokens.ids, [batch.length, tokens.length]),
        attention_mask: int64(tokens.mask, [batch.length, tokens.length]),
      });
      const data = result.text_embeds.data as Float32Array;
      for (let i = 0; i < batch.length; i++) out.push(data.slice(i * dim, (i + 1) * dim));
    }
    return out;
  }

  private async sessionMs(): Promise<number> {
    let total = 0;
    for (const key of ['clapText', 'clapAudio', 't5Encoder', 'projection', 'gpt2Prefill', 'gpt2Step', 'unet', 'vaeDecoder', 'vocoder'] as const) {
      if (this.bundle.isLoaded(key)) total += (await this.bundle.session(key)).runMs;
    }
    return total;
  }

  async release(): Promise<void> {
    await this.bundle.release();
  }
}
