/**
 * Which of a worker's models a job asks for: the exact bundle (manifest hash) or the Hub checkpoint
 * it was built from (repo, and revision when given). A job that names no model runs on the
 * worker's first. A worker without the model refuses the job with a reason that names both sides.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { InvalidRequestError } from '../../shared/errors.ts';
import { REPO_ID_PATTERN } from '../../shared/studio/studio-validate.ts';
import { ensureBundle } from '../engine/builder/bundle-cache.ts';
import { manifestHash, readManifest } from '../engine/bundle/manifest.ts';
import { modelIdFor } from '../models-hub/model-installer.ts';
import type { FarmModelRequest } from './farm-payload.ts';

export interface WorkerModel {
  /** The bundle folder the engine loads. */
  dir: string;
  id: string;
  name: string;
  bundleHash: string;
  repo: string | null;
  revision: string | null;
}

/** A worker's `--model`: a bundle or checkpoint folder, or a Hub repo id installed in `modelsDir`. */
export async function loadWorkerModel(spec: string, modelsDir: string): Promise<WorkerModel> {
  const folder = !existsSync(spec) && REPO_ID_PATTERN.test(spec) ? join(modelsDir, modelIdFor(spec)) : resolve(spec);
  if (!existsSync(folder)) {
    throw new InvalidRequestError(
      'model',
      `No model at ${folder}.`,
      REPO_ID_PATTERN.test(spec) ? `Install it first: npm run loa -- models install ${spec}` : 'Give a bundle folder, a checkpoint folder or an installed Hub repo id.',
    );
  }
  const dir = await ensureBundle(folder);
  const manifest = await readManifest(dir);
  const text = (value: unknown) => (typeof value === 'string' ? value : null);
  return { dir, id: manifest.id, name: manifest.name, bundleHash: await manifestHash(dir), repo: text(manifest.source?.repo), revision: text(manifest.source?.revision) };
}

/** One line naming a model request, for reasons and logs. */
export function describeModelRequest(request: FarmModelRequest): string {
  if (request.bundleHash) return `bundle ${request.bundleHash.slice(0, 12)}`;
  return `${request.repo}${request.revision ? `@${request.revision}` : ''}`;
}

export function describeWorkerModel(model: WorkerModel): string {
  return `${model.id} (bundle ${model.bundleHash.slice(0, 12)}${model.repo ? `, ${model.repo}${model.revision ? `@${model.revision.slice(0, 12)}` : ''}` : ''})`;
}

/** The worker model for a job; throws when the worker has none that fits. */
export function matchModel(request: FarmModelRequest | undefined, models: readonly WorkerModel[], worker: string): WorkerModel {
  if (!request) return models[0];
  const found = models.find((m) => (request.bundleHash ? m.bundleHash === request.bundleHash : m.repo === request.repo && (request.revision === undefined || m.revision === request.revision)));
  if (found) return found;
  throw new InvalidRequestError(
    'model',
    `Worker ${worker} does not have the model this job needs (${describeModelRequest(request)}); it has ${models.map(describeWorkerModel).join(', ')}.`,
    'Start a worker with that model (--model), or submit the job for a model the farm has.',
  );
}
