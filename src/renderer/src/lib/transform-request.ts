/**
 * Turning the reference lane's controls and the prompt editor's fields into a TransformRequest,
 * and a finished take back into the request that made it (R: same settings, a new seed); pure.
 */
import { InvalidRequestError } from '../../../shared/errors.ts';
import { DEFAULT_GENERATE, GENERATE_RANGES, type SchedulerName } from '../../../shared/engine/generate-params.ts';
import { MASKED_SCHEDULER, TRANSFORM_LIMITS, TRANSFORM_RANGES, type TransformOp } from '../../../shared/engine/transform-params.ts';
import { problemsOf, optionalRangeProblem, rangeProblem } from './field-check.ts';
import { isTransformParams, type GenerateRequest, type TakeInfo, type TransformRequest } from '../../../shared/studio/studio-api.ts';

/**
 * The lane's own settings, all shown beside its buttons: only the prompt and negative prompt come
 * from the prompt editor (issue 13: Continue once ran with the editor's hidden takes, steps and seed).
 */
export interface LaneSettings {
  steps: number;
  guidance: number;
  /** Takes per operation; a vary grid has its own seeds count instead. */
  takes: number;
  /** As typed; empty means a new random seed each run. */
  seed: string;
  continueSeconds: number;
  crossfadeMs: number;
  strength: number;
  grid: boolean;
  /** "0.25, 0.5, 0.75" as typed. */
  gridStrengths: string;
  gridSeeds: number;
  loopSeam: number;
}

export const DEFAULT_LANE: LaneSettings = {
  steps: DEFAULT_GENERATE.steps,
  guidance: DEFAULT_GENERATE.guidance,
  takes: 1,
  seed: '',
  continueSeconds: 5,
  crossfadeMs: 50,
  strength: 0.5,
  grid: false,
  gridStrengths: '0.25, 0.5, 0.75',
  gridSeeds: 4,
  loopSeam: 1,
};

/** "0.25, 0.5 0.75" → [0.25, 0.5, 0.75]; anything else is the user's typo, named. */
export function parseStrengths(text: string): number[] {
  const parts = text.split(/[\s,;]+/).filter(Boolean);
  if (parts.length === 0) throw new InvalidRequestError('strengths', 'Type at least one strength for the grid.', 'For example "0.25, 0.5, 0.75".');
  if (parts.length > TRANSFORM_LIMITS.maxStrengths) {
    throw new InvalidRequestError('strengths', `The grid takes at most ${TRANSFORM_LIMITS.maxStrengths} strengths, got ${parts.length}.`, 'Remove a few strengths.');
  }
  return parts.map((part) => {
    const value = Number(part);
    if (!Number.isFinite(value) || value < 0 || value > 1) {
      throw new InvalidRequestError('strengths', `“${part}” is not a strength from 0 to 1.`, '0 keeps the reference, 1 ignores it; 0.3–0.6 keeps its shape.');
    }
    return value;
  });
}

/** The grid's size before it is queued ("3 × 4 = 12 takes"), or null while the text does not parse. */
export function gridSize(lane: LaneSettings): { strengths: number; seeds: number } | null {
  try {
    if (rangeProblem('Grid seeds', lane.gridSeeds, GENERATE_RANGES.takes)) return null;
    return { strengths: parseStrengths(lane.gridStrengths).length, seeds: Number(lane.gridSeeds) };
  } catch {
    return null;
  }
}

/** The scheduler each operation runs: masked ones (continue, inpaint, loop) need DDIM (transform-params.ts). */
export function laneScheduler(op: TransformOp): SchedulerName {
  return op === 'vary' ? DEFAULT_GENERATE.scheduler : MASKED_SCHEDULER;
}

export type LaneField = 'steps' | 'guidance' | 'takes' | 'seed' | 'continueSeconds' | 'crossfadeMs' | 'gridSeeds' | 'loopSeam';

/** What is wrong with each of the lane's typed numbers (only the fields with a problem), in the ranges main accepts. */
export function laneProblems(lane: LaneSettings): Partial<Record<LaneField, string>> {
  return problemsOf<LaneField>({
    steps: rangeProblem('Steps', lane.steps, GENERATE_RANGES.steps),
    guidance: rangeProblem('Guidance', lane.guidance, GENERATE_RANGES.guidance),
    takes: rangeProblem('Takes', lane.takes, GENERATE_RANGES.takes),
    seed: optionalRangeProblem('Seed', lane.seed, GENERATE_RANGES.seed),
    continueSeconds: rangeProblem('Continue length', lane.continueSeconds, TRANSFORM_RANGES.continueSeconds),
    crossfadeMs: rangeProblem('Crossfade', lane.crossfadeMs, TRANSFORM_RANGES.crossfadeMs),
    gridSeeds: lane.grid ? gridProblem(lane) : null,
    loopSeam: rangeProblem('Loop seam', lane.loopSeam, TRANSFORM_RANGES.seamSeconds),
  });
}

/** A grid's seeds count and strengths, checked as main checks them (each in range, at most maxGridTakes cells). */
function gridProblem(lane: LaneSettings): string | null {
  const seeds = rangeProblem('Grid seeds', lane.gridSeeds, GENERATE_RANGES.takes);
  if (seeds) return seeds;
  let strengths: number;
  try {
    strengths = parseStrengths(lane.gridStrengths).length;
  } catch (error) {
    return (error as Error).message;
  }
  const cells = strengths * Number(lane.gridSeeds);
  return cells > TRANSFORM_LIMITS.maxGridTakes ? `A grid makes at most ${TRANSFORM_LIMITS.maxGridTakes} takes (not ${strengths} × ${lane.gridSeeds} = ${cells}).` : null;
}

/** The lane fields an operation reads: a problem in any of them keeps its button disabled. */
export const LANE_FIELDS_OF: Record<TransformOp, readonly LaneField[]> = {
  continue: ['steps', 'guidance', 'takes', 'seed', 'continueSeconds', 'crossfadeMs'],
  vary: ['steps', 'guidance', 'takes', 'seed', 'gridSeeds'],
  inpaint: ['steps', 'guidance', 'takes', 'seed', 'crossfadeMs'],
  loop: ['steps', 'guidance', 'takes', 'seed', 'loopSeam', 'crossfadeMs'],
};

/**
 * One operation on a reference, with exactly the lane's settings as shown (nothing clamped: main
 * refuses what is out of range). Only the prompt and negative prompt come from the editor.
 */
export function transformRequest(
  op: TransformOp,
  referenceId: string,
  lane: LaneSettings,
  editor: Pick<GenerateRequest, 'prompt' | 'negativePrompt'>,
  region: { start: number; end: number } | null,
): TransformRequest {
  const common: TransformRequest = {
    referenceId,
    op,
    prompt: editor.prompt,
    negativePrompt: editor.negativePrompt,
    steps: Number(lane.steps),
    guidance: Number(lane.guidance),
    scheduler: laneScheduler(op),
    takes: Number(lane.takes),
  };
  if (String(lane.seed).trim() !== '') common.seed = Number(lane.seed);
  const crossfadeMs = Number(lane.crossfadeMs);
  switch (op) {
    case 'continue':
      return { ...common, seconds: Number(lane.continueSeconds), crossfadeMs };
    case 'vary':
      return lane.grid ? { ...common, strengths: parseStrengths(lane.gridStrengths), takes: Number(lane.gridSeeds) } : { ...common, strengths: [Number(lane.strength)] };
    case 'inpaint':
      if (!region || !(region.end > region.start)) {
        throw new InvalidRequestError('from', 'Select the region to regenerate first.', 'Drag across the reference waveform to select it.');
      }
      return { ...common, from: region.start, to: region.end, crossfadeMs };
    case 'loop':
      return { ...common, seamSeconds: Number(lane.loopSeam), crossfadeMs };
  }
}

export type Rerun = { kind: 'generate'; request: GenerateRequest } | { kind: 'transform'; request: TransformRequest };

/** R on a take: the same request with the seed left out (main picks a new one). */
export function rerunRequest(take: TakeInfo): Rerun {
  if (!isTransformParams(take.params)) {
    const { seed: _seed, ...request } = take.params;
    return { kind: 'generate', request };
  }
  const referenceId = take.lineage?.reference.referenceId;
  if (!referenceId) {
    throw new InvalidRequestError(
      'reference',
      'This take’s reference is not in the studio, so it cannot be made again.',
      'Import the reference clip again and run the operation from the reference lane.',
    );
  }
  // The whole request as validated (all strengths of a grid), not just this cell's.
  const { seed: _seed, ...params } = take.lineage?.params ?? take.params;
  return { kind: 'transform', request: { referenceId, ...params } };
}
