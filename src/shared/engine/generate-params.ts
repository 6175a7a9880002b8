import { InvalidRequestError } from '../errors.ts';
import { isSchedulerName, SCHEDULER_INFO, SCHEDULERS, type SchedulerName } from './schedulers.ts';

export { SCHEDULERS, type SchedulerName };
export type DeviceName = 'auto' | 'cpu' | 'cuda' | 'dml' | 'coreml' | 'webgpu';

export const DEVICES: readonly DeviceName[] = ['auto', 'cpu', 'cuda', 'dml', 'coreml', 'webgpu'];

/** Everything that decides what a text-to-audio generation produces. */
export interface GenerateParams {
  prompt: string;
  negativePrompt: string;
  seconds: number;
  steps: number;
  scheduler: SchedulerName;
  guidance: number;
  /** Seed of the first take; take k uses seed + k so any take can be regenerated alone. */
  seed: number;
  takes: number;
}

// diffusers docs recommend "Low quality." as the negative prompt; the blog's
// "AudioLDM 2, but faster" uses DPM-Solver++ at 20–25 steps instead of 200 DDIM.
export const DEFAULT_GENERATE: Omit<GenerateParams, 'prompt' | 'seed'> = {
  negativePrompt: 'Low quality.',
  seconds: 10,
  steps: SCHEDULER_INFO.dpmpp.defaultSteps,
  scheduler: 'dpmpp',
  guidance: 3.5,
  takes: 1,
};

export const LIMITS = {
  minSeconds: 0.5,
  maxSeconds: 30,
  minSteps: 1,
  /**
   * DPM-Solver++ needs T // (steps + 1) ≥ 1 with AudioLDM 2's T = 1000 training steps
   * (schedulers/timesteps.ts), so 1000 passed this check and then failed inside the engine.
   */
  maxSteps: 999,
  minGuidance: 1,
  maxGuidance: 30,
  minTakes: 1,
  maxTakes: 16,
  maxSeed: Number.MAX_SAFE_INTEGER,
  /** Far beyond any tokenizer limit; longer text is a paste accident, not a prompt. */
  maxPromptChars: 20_000,
} as const;

/** A number field's accepted range: one table that main's validators and the renderer's fields both read. */
export interface NumberRange {
  min: number;
  max: number;
  /** Whole numbers only (steps, takes, seed). */
  whole: boolean;
}

export type GenerateNumberField = 'seconds' | 'steps' | 'guidance' | 'takes' | 'seed';

export const GENERATE_RANGES: Record<GenerateNumberField, NumberRange> = {
  seconds: { min: LIMITS.minSeconds, max: LIMITS.maxSeconds, whole: false },
  steps: { min: LIMITS.minSteps, max: LIMITS.maxSteps, whole: true },
  guidance: { min: LIMITS.minGuidance, max: LIMITS.maxGuidance, whole: false },
  takes: { min: LIMITS.minTakes, max: LIMITS.maxTakes, whole: true },
  seed: { min: 0, max: LIMITS.maxSeed, whole: true },
};

/** "a whole number from 1 to 16" / "a number from 0.5 to 30": the words every out-of-range message uses. */
export function rangeText(range: NumberRange): string {
  return `${range.whole ? 'a whole number' : 'a number'} from ${range.min} to ${range.max}`;
}

/** The value as a number when it lies in `range`; otherwise an InvalidRequestError naming the range. Never clamps. */
export function numberInRange(field: string, value: unknown, range: NumberRange, hint?: string): number {
  if (range.whole) return integerInRange(field, value, range.min, range.max);
  const n = finiteNumber(field, value);
  if (n < range.min || n > range.max) throw new InvalidRequestError(field, `${field} must be from ${range.min} to ${range.max}, got ${n}.`, hint);
  return n;
}

export function finiteNumber(field: string, value: unknown): number {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n)) {
    throw new InvalidRequestError(field, `${field} must be a number, got ${JSON.stringify(value)}.`);
  }
  return n;
}

export function integerInRange(field: string, value: unknown, min: number, max: number): number {
  const n = finiteNumber(field, value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new InvalidRequestError(field, `${field} must be a whole number from ${min} to ${max}, got ${JSON.stringify(value)}.`);
  }
  return n;
}

const GUIDANCE_HINT = 'Use 1 for no guidance (faster) or 2.5–5 for prompt-faithful audio.';

export function validateSeed(value: unknown): number {
  const n = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) {
    throw new InvalidRequestError('seed', `seed must be a non-negative whole number (at most ${LIMITS.maxSeed}), got ${JSON.stringify(value)}.`);
  }
  return n;
}

export function text(field: string, value: unknown, allowEmpty: boolean): string {
  if (typeof value !== 'string') throw new InvalidRequestError(field, `${field} must be text.`);
  if (!allowEmpty && value.trim() === '') {
    throw new InvalidRequestError(field, `${field} is empty.`, 'Describe the sound you want, e.g. "glass shattering on concrete".');
  }
  if (value.length > LIMITS.maxPromptChars) {
    throw new InvalidRequestError(field, `${field} is ${value.length} characters long; the limit is ${LIMITS.maxPromptChars}.`, 'Shorten the text: the model reads at most 128 T5 tokens anyway.');
  }
  return value;
}

/**
 * Checks an untrusted request (CLI flags, IPC payload, WebSocket message) and fills defaults.
 * Runs before any heavy work so a typo never costs a model load.
 */
export function validateGenerateParams(input: unknown, randomSeed: () => number): GenerateParams {
  if (typeof input !== 'object' || input === null) throw new InvalidRequestError('request', 'The generate request must be an object.');
  const raw = input as Record<string, unknown>;
  const known = new Set(['prompt', 'negativePrompt', 'seconds', 'steps', 'scheduler', 'guidance', 'seed', 'takes']);
  for (const key of Object.keys(raw)) {
    if (!known.has(key)) throw new InvalidRequestError(key, `Unknown setting "${key}".`);
  }
  const prompt = text('prompt', raw.prompt, false);
  const negativePrompt = raw.negativePrompt === undefined ? DEFAULT_GENERATE.negativePrompt : text('negativePrompt', raw.negativePrompt, true);

  const seconds = raw.seconds === undefined ? DEFAULT_GENERATE.seconds : numberInRange('seconds', raw.seconds, GENERATE_RANGES.seconds);
  const steps = raw.steps === undefined ? DEFAULT_GENERATE.steps : numberInRange('steps', raw.steps, GENERATE_RANGES.steps);
  const scheduler = raw.scheduler === undefined ? DEFAULT_GENERATE.scheduler : raw.scheduler;
  if (!isSchedulerName(scheduler)) {
    throw new InvalidRequestError('scheduler', `scheduler must be one of ${SCHEDULERS.join(', ')}, got ${JSON.stringify(scheduler)}.`);
  }
  const guidance = raw.guidance === undefined ? DEFAULT_GENERATE.guidance : numberInRange('guidance', raw.guidance, GENERATE_RANGES.guidance, GUIDANCE_HINT);
  const seed = raw.seed === undefined ? validateSeed(randomSeed()) : validateSeed(raw.seed);
  const takes = raw.takes === undefined ? DEFAULT_GENERATE.takes : numberInRange('takes', raw.takes, GENERATE_RANGES.takes);
  if (seed + takes - 1 > LIMITS.maxSeed) {
    throw new InvalidRequestError('seed', `seed + takes exceeds ${LIMITS.maxSeed}.`);
  }
  return { prompt, negativePrompt, seconds, steps, scheduler, guidance, seed, takes };
}

export function validateDevice(value: unknown): DeviceName {
  if (value === undefined) return 'auto';
  if (!DEVICES.includes(value as DeviceName)) {
    throw new InvalidRequestError('device', `device must be one of ${DEVICES.join(', ')}, got ${JSON.stringify(value)}.`);
  }
  return value as DeviceName;
}
