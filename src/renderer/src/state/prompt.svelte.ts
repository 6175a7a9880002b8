/** The prompt editor's fields, turned into a GenerateRequest. */
import { DEFAULT_GENERATE, GENERATE_RANGES, type GenerateNumberField, type SchedulerName } from '../../../shared/engine/generate-params.ts';
import { isTransformParams, type GenerateRequest, type JobParams } from '../../../shared/studio/studio-api.ts';
import { problemsOf, rangeProblem } from '../lib/field-check.ts';
import { promptLines } from '../lib/prompt-lines.ts';

/** A seed the user can type back in: the 31-bit range keeps it short. */
export function randomSeed(): number {
  const values = new Uint32Array(1);
  crypto.getRandomValues(values);
  return values[0] % 2 ** 31;
}

export class PromptState {
  prompt = $state('');
  negativePrompt = $state(DEFAULT_GENERATE.negativePrompt);
  seconds = $state(DEFAULT_GENERATE.seconds);
  steps = $state(DEFAULT_GENERATE.steps);
  scheduler = $state<SchedulerName>(DEFAULT_GENERATE.scheduler);
  guidance = $state(DEFAULT_GENERATE.guidance);
  takes = $state(DEFAULT_GENERATE.takes);
  /** Locked: every run uses `seed`. Unlocked: main picks a random one, shown on each take. */
  seedLocked = $state(false);
  seed = $state(0);
  /** The seed the last run started from (shown beside the lock while it is off). */
  lastSeed = $state<number | null>(null);

  /** Batch: every non-empty line of the prompt is a job of its own, with the same settings. */
  batch = $state(false);
  /** The prompts a Generate would run: the lines in batch mode, else the whole text. */
  prompts = $derived(this.batch ? promptLines(this.prompt) : this.prompt.trim() ? [this.prompt.trim()] : []);

  canGenerate = $derived(this.prompts.length > 0);

  /**
   * What is wrong with each typed number, by field (empty when all are in range). Nothing is ever
   * clamped: an out-of-range field keeps what was typed, says the allowed range, and Generate waits.
   */
  problems = $derived(
    problemsOf<GenerateNumberField>({
      seconds: rangeProblem('Length', this.seconds, GENERATE_RANGES.seconds),
      steps: rangeProblem('Steps', this.steps, GENERATE_RANGES.steps),
      guidance: rangeProblem('Guidance', this.guidance, GENERATE_RANGES.guidance),
      takes: rangeProblem('Takes', this.takes, GENERATE_RANGES.takes),
      seed: this.seedLocked ? rangeProblem('Seed', this.seed, GENERATE_RANGES.seed) : null,
    }),
  );
  valid = $derived(Object.keys(this.problems).length === 0);

  /** One request per prompt (batch mode: per line). */
  toRequests = (): GenerateRequest[] => this.prompts.map((prompt) => ({ ...this.toRequest(), prompt }));

  /** The request for the prompt (in batch mode, its first line), exactly as typed: main refuses what is out of range. */
  toRequest = (): GenerateRequest => {
    const request: GenerateRequest = {
      prompt: this.prompts[0] ?? '',
      negativePrompt: this.negativePrompt,
      seconds: Number(this.seconds),
      steps: Number(this.steps),
      scheduler: this.scheduler,
      guidance: Number(this.guidance),
      takes: Number(this.takes),
    };
    if (this.seedLocked) request.seed = Number(this.seed);
    return request;
  };

  /** Called with the job main accepted: remembers the seed it chose. */
  accepted = (params: JobParams): void => {
    this.lastSeed = params.seed;
    if (!this.seedLocked) this.seed = params.seed;
  };

  toggleBatch = (): void => {
    this.batch = !this.batch;
  };

  toggleSeedLock = (): void => {
    this.seedLocked = !this.seedLocked;
  };

  rollSeed = (): void => {
    this.seed = randomSeed();
  };

  /**
   * Recalls a take's recipe into the editor (its own seed, locked, so the same take comes back).
   * An audio-to-audio take brings its prompt and sampling settings; its length is the reference's.
   */
  recall = (params: JobParams, seed: number): void => {
    this.prompt = params.prompt;
    this.negativePrompt = params.negativePrompt;
    if (!isTransformParams(params)) this.seconds = params.seconds;
    this.steps = params.steps;
    this.scheduler = params.scheduler;
    this.guidance = params.guidance;
    this.takes = 1;
    this.seed = seed;
    this.seedLocked = true;
  };
}
