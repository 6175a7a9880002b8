/**
 * Audio-to-audio requests (docs/engine-spec.md §5): a reference clip plus a prompt, turned into a
 * continuation, variations, a regenerated region, or a seamless loop. Validated like
 * GenerateParams, before any model work; checks that need the clip's length happen in the engine.
 */
import { InvalidRequestError } from '../errors.ts';
import { DEFAULT_GENERATE, GENERATE_RANGES, integerInRange, LIMITS, numberInRange, SCHEDULERS, text, validateSeed, type NumberRange, type SchedulerName } from './generate-params.ts';
import { SCHEDULER_INFO } from './schedulers.ts';

export type TransformOp = 'continue' | 'vary' | 'inpaint' | 'loop';
export const TRANSFORM_OPS: readonly TransformOp[] = ['continue', 'vary', 'inpaint', 'loop'];

interface TransformCommon {
  prompt: string;
  negativePrompt: string;
  steps: number;
  scheduler: SchedulerName;
  guidance: number;
  /** Seed of the first take; take k uses seed + k. */
  seed: number;
  takes: number;
}

export interface ContinueParams extends TransformCommon {
  op: 'continue';
  /** New seconds after the reference. */
  seconds: number;
  /** Equal-power crossfade at the seam. */
  crossfadeMs: number;
  /** RePaint resampling: extra passes per step (0 = plain outpainting). */
  resample: number;
}

export interface VaryParams extends TransformCommon {
  op: 'vary';
  /** One take per strength per seed: a grid of strengths × takes. 0 returns the reference. */
  strengths: number[];
}

export interface InpaintParams extends TransformCommon {
  op: 'inpaint';
  /** Region of the reference to regenerate, in seconds. */
  from: number;
  to: number;
  crossfadeMs: number;
  resample: number;
}

export interface LoopParams extends TransformCommon {
  op: 'loop';
  /** Length of the stretch around the wrap-around point that is regenerated. */
  seamSeconds: number;
  crossfadeMs: number;
  resample: number;
}

export type TransformParams = ContinueParams | VaryParams | InpaintParams | LoopParams;

export const TRANSFORM_LIMITS = {
  /** Context + new audio the model sees at once when continuing; longer continuations slide. */
  windowSeconds: 10.24,
  maxContinueSeconds: 60,
  /** Vary, inpaint and loop work on the whole clip (inpaint: a window around the region) at once. */
  maxClipSeconds: LIMITS.maxSeconds,
  minReferenceSeconds: 0.5,
  maxCrossfadeMs: 2000,
  maxResample: 10,
  maxStrengths: 8,
  maxGridTakes: 32,
  minSeamSeconds: 0.2,
  maxSeamSeconds: 10,
} as const;

/** The lane's own number fields, with the ranges validateTransformParams accepts (the renderer reads the same table). */
export const TRANSFORM_RANGES = {
  continueSeconds: { min: LIMITS.minSeconds, max: TRANSFORM_LIMITS.maxContinueSeconds, whole: false },
  seamSeconds: { min: TRANSFORM_LIMITS.minSeamSeconds, max: TRANSFORM_LIMITS.maxSeamSeconds, whole: false },
  crossfadeMs: { min: 0, max: TRANSFORM_LIMITS.maxCrossfadeMs, whole: false },
  strength: { min: 0, max: 1, whole: false },
} as const satisfies Record<string, NumberRange>;

// Masked generation (continue, inpaint, loop) runs DDIM: the pasted region breaks the multistep
// solver's history (docs/engine-spec.md §5.8), and DDIM's stateless step allows RePaint resampling.
/** The sampler continue, inpaint and loop run when a request names none (the renderer's lane sends it too). */
export const MASKED_SCHEDULER: SchedulerName = 'ddim';
const MASKED_DEFAULTS = { steps: SCHEDULER_INFO[MASKED_SCHEDULER].defaultSteps, scheduler: MASKED_SCHEDULER, crossfadeMs: 50, resample: 0 };
const MASKED_SCHEDULERS = SCHEDULERS.filter((id) => SCHEDULER_INFO[id].masked);

const KNOWN: Record<TransformOp, readonly string[]> = {
  continue: ['seconds', 'crossfadeMs', 'resample'],
  vary: ['strength', 'strengths'],
  inpaint: ['from', 'to', 'crossfadeMs', 'resample'],
  loop: ['seamSeconds', 'crossfadeMs', 'resample'],
};
const COMMON = ['op', 'prompt', 'negativePrompt', 'steps', 'scheduler', 'guidance', 'seed', 'takes'];

/** A region's ends: checked against the clip's length in the engine, which knows it. */
const SECONDS_INTO_CLIP: NumberRange = { min: 0, max: Number.MAX_SAFE_INTEGER, whole: false };

function inRange(field: string, value: unknown, fallback: number, range: NumberRange, hint?: string): number {
  return value === undefined ? fallback : numberInRange(field, value, range, hint);
}

export function validateTransformParams(input: unknown, randomSeed: () => number): TransformParams {
  if (typeof input !== 'object' || input === null) throw new InvalidRequestError('request', 'The audio-to-audio request must be an object.');
  const raw = input as Record<string, unknown>;
  const op = raw.op as TransformOp;
  if (!TRANSFORM_OPS.includes(op)) {
    throw new InvalidRequestError('op', `op must be one of ${TRANSFORM_OPS.join(', ')}, got ${JSON.stringify(raw.op)}.`);
  }
  const known = new Set([...COMMON, ...KNOWN[op]]);
  for (const key of Object.keys(raw)) {
    if (!known.has(key)) throw new InvalidRequestError(key, `Unknown setting "${key}" for ${op}.`);
  }
  const masked = op !== 'vary';
  const prompt = text('prompt', raw.prompt, false);
  const negativePrompt = raw.negativePrompt === undefined ? DEFAULT_GENERATE.negativePrompt : text('negativePrompt', raw.negativePrompt, true);
  const steps = raw.steps === undefined ? (masked ? MASKED_DEFAULTS.steps : DEFAULT_GENERATE.steps) : numberInRange('steps', raw.steps, GENERATE_RANGES.steps);
  const scheduler = (raw.scheduler ?? (masked ? MASKED_DEFAULTS.scheduler : DEFAULT_GENERATE.scheduler)) as SchedulerName;
  if (!SCHEDULERS.includes(scheduler)) {
    throw new InvalidRequestError('scheduler', `scheduler must be one of ${SCHEDULERS.join(', ')}, got ${JSON.stringify(raw.scheduler)}.`);
  }
  if (masked && !SCHEDULER_INFO[scheduler].masked) {
    throw new InvalidRequestError(
      'scheduler',
      `${op} runs ${MASKED_SCHEDULERS.map((id) => SCHEDULER_INFO[id].label).join(' or ')} only (the pasted reference breaks ${SCHEDULER_INFO[scheduler].title}'s multistep history).`,
      `Choose scheduler ${MASKED_SCHEDULERS.map((id) => `"${id}"`).join(' or ')}, or leave it out.`,
    );
  }
  const guidance = inRange('guidance', raw.guidance, DEFAULT_GENERATE.guidance, GENERATE_RANGES.guidance);
  const seed = raw.seed === undefined ? validateSeed(randomSeed()) : validateSeed(raw.seed);
  const takes = raw.takes === undefined ? 1 : numberInRange('takes', raw.takes, GENERATE_RANGES.takes);
  if (seed + takes - 1 > LIMITS.maxSeed) throw new InvalidRequestError('seed', `seed + takes exceeds ${LIMITS.maxSeed}.`);
  const common = { prompt, negativePrompt, steps, scheduler, guidance, seed, takes };
  const crossfadeMs = () => inRange('crossfadeMs', raw.crossfadeMs, MASKED_DEFAULTS.crossfadeMs, TRANSFORM_RANGES.crossfadeMs);
  const resample = () => (raw.resample === undefined ? MASKED_DEFAULTS.resample : integerInRange('resample', raw.resample, 0, TRANSFORM_LIMITS.maxResample));

  switch (op) {
    case 'continue':
      return {
        op,
        ...common,
        seconds: inRange('seconds', raw.seconds, 5, TRANSFORM_RANGES.continueSeconds),
        crossfadeMs: crossfadeMs(),
        resample: resample(),
      };
    case 'vary': {
      if (raw.strength !== undefined && raw.strengths !== undefined) throw new InvalidRequestError('strength', 'Give strength or strengths, not both.');
      const list = raw.strengths ?? [raw.strength ?? 0.5];
      if (!Array.isArray(list) || list.length < 1 || list.length > TRANSFORM_LIMITS.maxStrengths) {
        throw new InvalidRequestError('strengths', `strengths must be a list of 1 to ${TRANSFORM_LIMITS.maxStrengths} numbers.`);
      }
      const strengths = list.map((s) => inRange('strength', s, 0.5, TRANSFORM_RANGES.strength, '0 keeps the reference, 1 ignores it; 0.3–0.6 keeps its shape.'));
      if (strengths.length * takes > TRANSFORM_LIMITS.maxGridTakes) {
        throw new InvalidRequestError(
          'takes',
          `${strengths.length} strengths × ${takes} seeds is ${strengths.length * takes} takes; the limit is ${TRANSFORM_LIMITS.maxGridTakes}.`,
          'Use fewer strengths or seeds.',
        );
      }
      return { op, ...common, strengths };
    }
    case 'inpaint': {
      for (const field of ['from', 'to'] as const) {
        if (raw[field] === undefined) throw new InvalidRequestError(field, `inpaint needs ${field} (seconds).`, 'Select the region to regenerate.');
      }
      const from = inRange('from', raw.from, 0, SECONDS_INTO_CLIP);
      const to = inRange('to', raw.to, 0, SECONDS_INTO_CLIP);
      if (!(to > from)) throw new InvalidRequestError('to', `The region must end after it starts (from ${from} s, to ${to} s).`, 'Select a region on the waveform first.');
      return { op, ...common, from, to, crossfadeMs: crossfadeMs(), resample: resample() };
    }
    case 'loop':
      return {
        op,
        ...common,
        seamSeconds: inRange('seamSeconds', raw.seamSeconds, 1, TRANSFORM_RANGES.seamSeconds),
        crossfadeMs: crossfadeMs(),
        resample: resample(),
      };
  }
}
