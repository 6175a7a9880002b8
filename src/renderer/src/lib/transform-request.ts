/**
 * Turning the reference lane's controls and the prompt editor's fields into a TransformRequest,
 * and a finished take back into the request that made it (R: same settings, a new seed); pure.
 */
import { InvalidRequestError } from '../../../shared/errors.ts';
import { TRANSFORM_LIMITS, type TransformOp } from '../../../shared/engine/transform-params.ts';
import { isTransformParams, type GenerateRequest, type TakeInfo, type TransformRequest } from '../../../shared/studio/studio-api.ts';

/** The lane's own settings (the prompt, steps, guidance and seed come from the prompt editor). */
export interface LaneSettings {
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
    return { strengths: parseStrengths(lane.gridStrengths).length, seeds: Math.max(1, Math.round(lane.gridSeeds)) };
  } catch {
    return null;
  }
}

/**
 * One operation on a reference. `editor` is the prompt editor's request (already clamped); masked
 * operations (continue, inpaint, loop) run DDIM whatever the editor's scheduler (transform-params.ts).
 */
export function transformRequest(
  op: TransformOp,
  referenceId: string,
  lane: LaneSettings,
  editor: GenerateRequest,
  region: { start: number; end: number } | null,
): TransformRequest {
  const common: TransformRequest = {
    referenceId,
    op,
    prompt: editor.prompt,
    negativePrompt: editor.negativePrompt,
    steps: editor.steps,
    guidance: editor.guidance,
    scheduler: op === 'vary' ? editor.scheduler : 'ddim',
    takes: editor.takes,
  };
  if (editor.seed !== undefined) common.seed = editor.seed;
  const crossfadeMs = Number(lane.crossfadeMs);
  switch (op) {
    case 'continue':
      return { ...common, seconds: Number(lane.continueSeconds), crossfadeMs };
    case 'vary':
      return lane.grid
        ? { ...common, strengths: parseStrengths(lane.gridStrengths), takes: Math.max(1, Math.round(Number(lane.gridSeeds))) }
        : { ...common, strengths: [Number(lane.strength)] };
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
    throw new InvalidRequestError('reference', 'This take’s reference is not in the studio, so it cannot be made again.', 'Import the reference clip again and run the operation from the reference lane.');
  }
  // The whole request as validated (all strengths of a grid), not just this cell's.
  const { seed: _seed, ...params } = take.lineage?.params ?? take.params;
  return { kind: 'transform', request: { referenceId, ...params } };
}
