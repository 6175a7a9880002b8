/**
 * Files a farm job's takes into the local library exactly as a local job's (WAV with its recipe
 * inside, `.json` sidecar, row with lineage and CLAP embedding), once: the farm job id is the
 * takes' library job id, and a rank already filed under it is not filed again, so a retried job,
 * a repeated completion event or a resumed submitter never makes a duplicate take.
 */
import type { ReferenceSource } from '../../shared/engine/lineage.ts';
import { InvalidRequestError } from '../../shared/errors.ts';
import type { Recipe } from '../../shared/library/recipe.ts';
import type { LibraryStore } from '../studio/library-store.ts';
import type { FarmOutcome } from './farm-client.ts';

export interface FiledTake {
  rank: number;
  takeId: string;
  /** False when it was already in the library from an earlier delivery of the same job. */
  added: boolean;
}

/**
 * The recipe as the submitter records it: the worker only knew the reference by its name, the
 * submitter knows where it came from (a file path, a take). The audio must be the same (SHA-256).
 */
export function withReference(recipe: Recipe, reference: ReferenceSource | undefined): Recipe {
  if (!reference || !recipe.lineage) return recipe;
  if (recipe.lineage.reference.sha256 !== reference.sha256) {
    throw new InvalidRequestError('result.recipe', 'A farm take was made from a different reference than the one submitted.', 'Submit the job again.');
  }
  return { ...recipe, lineage: { ...recipe.lineage, reference } };
}

export async function fileIntoLibrary(library: LibraryStore, jobId: string, outcome: FarmOutcome, reference?: ReferenceSource): Promise<FiledTake[]> {
  const already = new Map(library.takesOfJob(jobId).map((take) => [take.rank, take.id]));
  const filed: FiledTake[] = [];
  for (const { rank, take, recipe: received } of outcome.takes) {
    const existing = already.get(rank);
    if (existing) {
      filed.push({ rank, takeId: existing, added: false });
      continue;
    }
    const recipe = withReference(received, reference);
    const saved = await library.add({
      jobId,
      rank,
      params: recipe.params,
      seed: take.seed,
      score: take.score,
      sampleRate: outcome.result.sampleRate,
      samples: take.samples,
      modelId: recipe.model.id,
      device: recipe.device,
      lineage: recipe.lineage,
      loop: take.loop,
      recipe,
      embedding: take.embedding,
      createdAt: new Date(recipe.createdAt),
    });
    filed.push({ rank, takeId: saved.id, added: true });
  }
  return filed;
}
