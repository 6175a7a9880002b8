import type { TakeTask } from '../../shared/engine/engine-protocol.ts';
import type { GenerateParams } from '../../shared/engine/generate-params.ts';
import type { TransformParams } from '../../shared/engine/transform-params.ts';
import { InvalidRequestError } from '../../shared/errors.ts';
import type { Recipe } from '../../shared/library/recipe.ts';

/** The job that makes exactly this take again: its own seed, one take, its own strength. */
export function regenerationTask(recipe: Recipe, reference?: Float32Array): TakeTask {
  if (recipe.kind === 'generate') return { kind: 'generate', params: { ...(recipe.params as GenerateParams), seed: recipe.seed, takes: 1 } };
  const params = recipe.params as TransformParams;
  if (params.op !== 'vary') return { kind: 'transform', params: { ...params, seed: recipe.seed, takes: 1 }, reference: reference! };
  const strength = recipe.strength ?? recipe.lineage?.strength ?? (params.strengths.length === 1 ? params.strengths[0] : undefined);
  if (strength === undefined)
    throw new InvalidRequestError('strength', 'The recipe is one take of a variation grid but does not say its strength.', "Regenerate from the take's own file or its .json.");
  return { kind: 'transform', params: { ...params, seed: recipe.seed, takes: 1, strengths: [strength] }, reference: reference! };
}
