/** A take's recipe from what made it: the engine task, the take itself and the model that ran it. */
import { readFileSync } from 'node:fs';
import type { LoadedInfo, TakeData, TakeTask } from '../../shared/engine/engine-protocol.ts';
import type { Lineage } from '../../shared/engine/lineage.ts';
import { RECIPE_FORMAT, RECIPE_VERSION, type Recipe } from '../../shared/library/recipe.ts';

let version: string | undefined;
/** The app version from package.json (read once; the packaged app ships it beside the code too). */
export function appVersion(): string {
  if (version === undefined) {
    try {
      version = (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version?: string }).version ?? '0.0.0';
    } catch {
      version = '0.0.0';
    }
  }
  return version;
}

export function makeRecipe(task: TakeTask, take: TakeData, model: LoadedInfo, lineage?: Lineage, createdAt: Date = new Date()): Recipe {
  return {
    format: RECIPE_FORMAT,
    version: RECIPE_VERSION,
    kind: task.kind,
    params: task.params,
    seed: take.seed,
    ...(take.strength !== undefined ? { strength: take.strength } : {}),
    ...(lineage ? { lineage } : {}),
    model: { id: model.bundleId, name: model.bundleName, bundleHash: model.bundleHash, ...(model.source ? { source: model.source } : {}), ...(model.license ? { license: model.license } : {}) },
    device: model.provider,
    sampleRate: model.sampleRate,
    samples: take.samples.length,
    ...(take.loop ? { loop: take.loop } : {}),
    createdAt: createdAt.toISOString(),
    app: { name: 'LOA Studio', version: appVersion() },
  };
}
