/**
 * Audio-to-audio with the exportable parts only (docs/engine-spec.md §5): the reference goes through the
 * VAE mel front-end and encoder, then one "latent pass" either starts part-way down the noise
 * chain (SDEdit: vary) or pastes the reference's latents into a masked region at every step
 * (RePaint-style in/outpainting: continue, inpaint, loop). Every result keeps the reference's own
 * samples outside the generated span bit-identical, joined by equal-power crossfades.
 */
import { ProgressClock, type Progress } from '../../../shared/engine/progress.ts';
import { TRANSFORM_LIMITS, type ContinueParams, type InpaintParams, type LoopParams, type TransformParams } from '../../../shared/engine/transform-params.ts';
import { InvalidRequestError } from '../../../shared/errors.ts';
import { appendContinuation, replaceSpan, rotate } from '../../audio/splice.ts';
import type { BundleConfig } from '../bundle/manifest.ts';
import type { ModelBundle } from '../bundle/model-bundle.ts';
import { float32 } from '../onnx/onnx-runtime.ts';
import { SeededRandom } from '../random.ts';
import { DdimScheduler } from '../schedulers/ddim-scheduler.ts';
import { createScheduler } from '../schedulers/create-scheduler.ts';
import type { PromptTokenizers } from '../tokenizers/text-tokenizers.ts';
import { decodeLatents, vocode } from './decode.ts';
import { denoise, throwIfCancelled, yieldToEventLoop } from './denoise.ts';
import { encodePrompt, type PromptEmbeddings } from './encode-prompt.ts';
import { frameMask, pasteKnown, renoise, type LatentShape } from './latent-mask.ts';
import { planLengths } from './lengths.ts';
import { fitMelFrames, normaliseForVae, vaeLogMel } from './vae-mel.ts';

export interface TransformTake {
  /** Order of the take in the job (for a variation grid: strength-major). */
  index: number;
  seed: number;
  samples: Float32Array;
  score: null;
  /** Vary only: the strength this take was made with. */
  strength?: number;
  /** Loop only: sample frames of the loop (inclusive), for the WAV's smpl chunk. */
  loop?: { start: number; end: number };
  /** CLAP audio embedding, for the library's search by sound. */
  embedding: Float32Array;
}

export interface TransformHooks {
  signal?: AbortSignal;
  onProgress?: (progress: Progress) => void;
  onTake?: (take: TransformTake) => void;
}

export interface TransformResult {
  sampleRate: number;
  takes: TransformTake[];
  notices: string[];
  provider: string;
}

interface Ctx {
  bundle: ModelBundle;
  config: BundleConfig;
  conditioning: PromptEmbeddings;
  params: TransformParams;
  hooks: TransformHooks;
  clock: ProgressClock;
  /** 1-based pass counter across the job, for progress. */
  pass: number;
}

/** One continuation window: how much of the audio so far the model sees, and how much it adds. */
export interface ContinuationWindow {
  context: number;
  added: number;
}

/**
 * Splits a continuation of `newSamples` after `referenceSamples` into windows of at most `window`
 * samples (context + new). Each window adds at most half a window, so the model always sees at
 * least as much context as it writes, and never more than the audio there is.
 */
export function planContinuation(referenceSamples: number, newSamples: number, window: number): ContinuationWindow[] {
  const windows: ContinuationWindow[] = [];
  let have = referenceSamples;
  let left = newSamples;
  while (left > 0) {
    const added = have + left <= window ? left : Math.min(left, Math.floor(window / 2));
    const context = Math.min(have, window - added);
    windows.push({ context, added });
    have += added;
    left -= added;
  }
  return windows;
}

function seconds(samples: number, rate: number): string {
  return `${(samples / rate).toFixed(2)} s`;
}

function checkReference(reference: Float32Array, rate: number, maxSamples: number | null, op: string): void {
  const min = Math.round(TRANSFORM_LIMITS.minReferenceSeconds * rate);
  if (reference.length < min) {
    throw new InvalidRequestError('reference', `The reference is ${seconds(reference.length, rate)} long; ${op} needs at least ${TRANSFORM_LIMITS.minReferenceSeconds} s.`, 'Use a longer clip.');
  }
  if (maxSamples !== null && reference.length > maxSamples) {
    throw new InvalidRequestError(
      'reference',
      `The reference is ${seconds(reference.length, rate)} long; ${op} works on at most ${TRANSFORM_LIMITS.maxClipSeconds} s at once.`,
      'Trim the reference (select a region and send it to the reference lane), then try again.',
    );
  }
  for (let i = 0; i < reference.length; i++) {
    if (!Number.isFinite(reference[i])) throw new InvalidRequestError('reference', `The reference has a non-finite sample at ${i}.`, 'Re-import the clip; the importer replaces NaN samples.');
  }
}

/** VAE encoder on the clip's log-mel: the posterior mean × scaling factor (deterministic, docs/engine-spec.md §5.3). */
async function encodeReference(bundle: ModelBundle, clip: Float32Array, shape: LatentShape): Promise<Float32Array> {
  const config = bundle.config;
  const mel = fitMelFrames(vaeLogMel(clip, config), shape.frames * config.vaeScaleFactor, config.melBins);
  const encoder = await bundle.session('vaeEncoder');
  const out = await encoder.run({ mel: float32(mel, [1, 1, shape.frames * config.vaeScaleFactor, config.melBins]) });
  const moments = out.moments.data as Float32Array;
  const mean = moments.subarray(0, shape.channels * shape.frames * shape.freq); // channels 0..C−1
  const z = new Float32Array(mean.length);
  for (let i = 0; i < z.length; i++) z[i] = mean[i] * config.vaeScalingFactor;
  return z;
}

interface PassOptions {
  seed: number;
  /** SDEdit strength in (0, 1]; absent for masked passes. */
  strength?: number;
  /** Latent frames to keep from the clip; absent for SDEdit. */
  keep?: (frame: number, frameSamples: number) => boolean;
  take: number;
}

/**
 * One trip through the model for `clip` (at the model rate): encode, denoise from the reference
 * (SDEdit) or around it (masked), decode, vocode. Returns audio on the clip's timeline and level.
 */
async function latentPass(ctx: Ctx, clip: Float32Array, options: PassOptions): Promise<Float32Array> {
  const { bundle, config, params, hooks, clock } = ctx;
  const pass = ctx.pass++;
  const plan = planLengths((clip.length + config.hopLength) / config.sampleRate, config);
  const shape = { channels: config.latentChannels, frames: plan.latentFrames, freq: config.latentFreq };
  const size = shape.channels * shape.frames * shape.freq;
  const { samples: normalised, gain } = normaliseForVae(clip);
  const known = await encodeReference(bundle, normalised, shape);

  const scheduler = createScheduler(params.scheduler, config.scheduler);
  scheduler.setTimesteps(params.steps);
  const random = new SeededRandom(options.seed);
  const noise = random.fillNormal(size);
  let begin = 0;
  let initial: Float32Array;
  if (options.strength !== undefined) {
    const k = Math.min(Math.floor(params.steps * options.strength), params.steps);
    begin = params.steps - k;
    scheduler.setBeginIndex(begin);
    initial = scheduler.addNoise(known, noise, scheduler.timesteps[begin]);
  } else {
    initial = noise;
  }

  const frameSamples = config.hopLength * config.vaeScaleFactor;
  const mask = options.keep ? frameMask(shape.frames, (t) => options.keep!(t, frameSamples)) : null;
  // A fixed ε for the known part (docs/engine-spec.md §5.2: a fixed ε is more stable), drawn after the initial noise.
  const knownNoise = mask ? random.fillNormal(size) : null;
  const extra = 'resample' in params ? params.resample : 0;
  const ddim = scheduler instanceof DdimScheduler ? scheduler : null;

  hooks.onProgress?.(clock.advance(begin, 'denoise', pass, 0));
  const unet = await bundle.session('unet');
  let latents = await denoise(unet, scheduler, initial, shape, ctx.conditioning, params.guidance, config.llmDim, config.t5Dim, {
    signal: hooks.signal,
    begin,
    beforeStep: mask ? (x, t) => pasteKnown(x, scheduler.addNoise(known, knownNoise!, t), mask, shape) : undefined,
    resample:
      mask && ddim && extra > 0
        ? {
            extra,
            renoise: (x, t) => {
              const { alphaProdT, alphaProdPrev } = ddim.coefficients(t);
              return renoise(x, random.fillNormal(size), alphaProdT, alphaProdPrev);
            },
          }
        : undefined,
    onStep: (step) => hooks.onProgress?.(clock.advance(1, 'denoise', pass, begin + step)),
  });
  if (mask) latents = pasteKnown(latents, known, mask, shape);

  await yieldToEventLoop();
  throwIfCancelled(hooks.signal);
  hooks.onProgress?.(clock.snapshot('decode', pass, 0));
  const mel = await decodeLatents(await bundle.session('vaeDecoder'), latents, plan, config);
  hooks.onProgress?.(clock.advance(1, 'decode', pass, 0));
  await yieldToEventLoop();
  throwIfCancelled(hooks.signal);
  const audio = await vocode(await bundle.session('vocoder'), mel, plan, config);
  hooks.onProgress?.(clock.advance(1, 'vocode', pass, 0));

  const out = new Float32Array(clip.length);
  const n = Math.min(out.length, audio.length);
  for (let i = 0; i < n; i++) out[i] = audio[i] / gain;
  return out;
}

function concat(a: Float32Array, b: Float32Array): Float32Array {
  const out = new Float32Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

async function continueTake(ctx: Ctx, p: ContinueParams, reference: Float32Array, seed: number, take: number): Promise<Float32Array> {
  const { config } = ctx;
  const rate = config.sampleRate;
  const fade = Math.round((p.crossfadeMs / 1000) * rate);
  let current = reference;
  for (const w of planContinuation(reference.length, Math.round(p.seconds * rate), Math.round(TRANSFORM_LIMITS.windowSeconds * rate))) {
    const context = current.subarray(current.length - w.context);
    const keepFrames = Math.floor(w.context / (config.hopLength * config.vaeScaleFactor));
    const generated = await latentPass(ctx, concat(context, new Float32Array(w.added)), { seed, keep: (t) => t < keepFrames, take });
    current = appendContinuation(current, generated, w.context, w.added, fade);
  }
  return current;
}

/** Regenerates [from, to) of `clip` (samples) and splices it back with fades inside the span. */
async function regenerateSpan(ctx: Ctx, clip: Float32Array, from: number, to: number, fadeMs: number, seed: number, take: number): Promise<Float32Array> {
  const { config } = ctx;
  const rate = config.sampleRate;
  const maxWindow = Math.round(TRANSFORM_LIMITS.maxClipSeconds * rate);
  // The model sees the span and as much surrounding audio as fits, centred on the span.
  const margin = Math.max(0, Math.floor((maxWindow - (to - from)) / 2));
  const start = Math.max(0, from - margin);
  const end = Math.min(clip.length, to + margin);
  const window = clip.subarray(start, end);
  const first = from - start;
  const last = to - start;
  const generated = await latentPass(ctx, window, {
    seed,
    take,
    keep: (t, frameSamples) => (t + 1) * frameSamples <= first || t * frameSamples >= last,
  });
  const replacement = clip.slice();
  replacement.set(generated, start);
  return replaceSpan(clip, replacement, from, to, Math.round((fadeMs / 1000) * rate));
}

async function inpaintTake(ctx: Ctx, p: InpaintParams, reference: Float32Array, seed: number, take: number): Promise<Float32Array> {
  const rate = ctx.config.sampleRate;
  const from = Math.round(p.from * rate);
  const to = Math.min(reference.length, Math.round(p.to * rate));
  return regenerateSpan(ctx, reference, from, to, p.crossfadeMs, seed, take);
}

/**
 * Loop: rotate the clip by half its length so its wrap-around point sits in the middle, regenerate
 * a stretch around it, and rotate back. The last sample now flows into the first (they were
 * neighbours in one generated stretch), and the middle is the original's own continuity.
 */
async function loopTake(ctx: Ctx, p: LoopParams, reference: Float32Array, seed: number, take: number): Promise<Float32Array> {
  const rate = ctx.config.sampleRate;
  const n = reference.length;
  const half = Math.floor(n / 2);
  const seam = Math.min(Math.round(p.seamSeconds * rate), half);
  const rotated = rotate(reference, half);
  const wrap = n - half;
  const regenerated = await regenerateSpan(ctx, rotated, wrap - Math.floor(seam / 2), wrap + Math.ceil(seam / 2), p.crossfadeMs, seed, take);
  return rotate(regenerated, n - half);
}

function passesPerTake(p: TransformParams, referenceSamples: number, rate: number): number {
  if (p.op !== 'continue') return 1;
  return planContinuation(referenceSamples, Math.round(p.seconds * rate), Math.round(TRANSFORM_LIMITS.windowSeconds * rate)).length;
}

export async function runTransform(
  bundle: ModelBundle,
  tokenizers: PromptTokenizers,
  params: TransformParams,
  reference: Float32Array,
  hooks: TransformHooks = {},
  embed: (samples: Float32Array) => Promise<Float32Array>,
): Promise<TransformResult> {
  const config = bundle.config;
  const rate = config.sampleRate;
  const maxClip = Math.round(TRANSFORM_LIMITS.maxClipSeconds * rate);
  checkReference(reference, rate, params.op === 'continue' || params.op === 'inpaint' ? null : maxClip, params.op);
  if (params.op === 'inpaint') {
    const duration = reference.length / rate;
    if (params.from >= duration) {
      throw new InvalidRequestError('from', `The region starts at ${params.from} s, after the reference ends (${duration.toFixed(2)} s).`, 'Select a region inside the clip.');
    }
    if (Math.min(params.to, duration) - params.from > TRANSFORM_LIMITS.maxClipSeconds) {
      throw new InvalidRequestError('to', `The region is longer than ${TRANSFORM_LIMITS.maxClipSeconds} s.`, 'Regenerate a shorter region at a time.');
    }
  }

  const jobs: Array<{ seed: number; strength?: number }> = [];
  if (params.op === 'vary') {
    for (const strength of params.strengths) for (let k = 0; k < params.takes; k++) jobs.push({ seed: params.seed + k, strength });
  } else {
    for (let k = 0; k < params.takes; k++) jobs.push({ seed: params.seed + k });
  }
  // SDEdit runs floor(steps·strength) steps; a strength that rounds to none is the reference itself.
  const denoisedSteps = (strength: number) => Math.min(Math.floor(params.steps * strength), params.steps);
  const notices: string[] = [];
  if (params.op === 'vary') {
    for (const s of new Set(params.strengths)) {
      if (s > 0 && denoisedSteps(s) === 0) {
        notices.push(`Strength ${s} with ${params.steps} steps rounds to no denoising step, so those takes are the reference itself. Raise the strength or the steps.`);
      }
    }
  }
  const modelPasses = jobs.filter((j) => j.strength === undefined || denoisedSteps(j.strength) > 0).length * passesPerTake(params, reference.length, rate);
  const clock = new ProgressClock(Math.max(1, modelPasses), params.steps);
  hooks.onProgress?.(clock.snapshot('encode', 0, 0));
  const conditioning = await encodePrompt(bundle, tokenizers, params.prompt, params.negativePrompt, params.guidance > 1);
  hooks.onProgress?.(clock.advance(1, 'encode', 0, 0));
  const ctx: Ctx = { bundle, config, conditioning, params, hooks, clock, pass: 1 };

  const takes: TransformTake[] = [];
  for (const [index, job] of jobs.entries()) {
    throwIfCancelled(hooks.signal);
    let samples: Float32Array;
    let loop: TransformTake['loop'];
    switch (params.op) {
      case 'vary':
        // Strength 0 is the reference itself: no noise is added, so nothing is left to denoise.
        samples = denoisedSteps(job.strength!) === 0 ? reference.slice() : await latentPass(ctx, reference, { seed: job.seed, strength: job.strength, take: index + 1 });
        break;
      case 'continue':
        samples = await continueTake(ctx, params, reference, job.seed, index + 1);
        break;
      case 'inpaint':
        samples = await inpaintTake(ctx, params, reference, job.seed, index + 1);
        break;
      case 'loop':
        samples = await loopTake(ctx, params, reference, job.seed, index + 1);
        loop = { start: 0, end: samples.length - 1 };
        break;
    }
    const embedding = await embed(samples);
    const take: TransformTake = { index, seed: job.seed, samples, score: null, embedding, ...(job.strength !== undefined ? { strength: job.strength } : {}), ...(loop ? { loop } : {}) };
    takes.push(take);
    hooks.onTake?.(take);
  }
  return { sampleRate: rate, takes, notices: [...bundle.notices, ...conditioning.notices, ...notices], provider: bundle.provider };
}
