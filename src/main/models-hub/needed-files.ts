/**
 * Which files of a repo the builder reads (never the `.bin` duplicates), and the check that runs
 * on the small files alone — model_index.json's classes and every config, graphs planned without
 * weights — so an unsupported checkpoint is refused before gigabytes are fetched.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildGraphs } from '../engine/builder/build-bundle.ts';
import { bundleConfigFrom } from '../engine/builder/bundle-config.ts';
import { Checkpoint, CHECKPOINT_COMPONENTS, checkModelIndex, type CheckpointConfigs } from '../engine/builder/checkpoint/checkpoint.ts';
import { CheckpointError } from '../engine/builder/checkpoint/checkpoint-error.ts';

const DIFFUSERS_WEIGHTS = 'diffusion_pytorch_model.safetensors';
const TRANSFORMERS_WEIGHTS = 'model.safetensors';

/** Configs and tokenizer files: small, fetched first. */
export const SMALL_FILES: readonly string[] = [
  'model_index.json',
  ...CHECKPOINT_COMPONENTS.map((c) => `${c}/config.json`),
  'scheduler/scheduler_config.json',
  'feature_extractor/preprocessor_config.json',
  'tokenizer/tokenizer.json',
  'tokenizer/tokenizer_config.json',
  'tokenizer_2/tokenizer.json',
  'tokenizer_2/tokenizer_config.json',
];

/** Both names the builder accepts for a component's weights, the one its library writes first. */
export function weightCandidates(component: string, library?: unknown): string[] {
  const first = library === 'transformers' ? TRANSFORMERS_WEIGHTS : DIFFUSERS_WEIGHTS;
  const second = first === DIFFUSERS_WEIGHTS ? TRANSFORMERS_WEIGHTS : DIFFUSERS_WEIGHTS;
  return [`${component}/${first}`, `${component}/${second}`];
}

/**
 * The weight file of each component among `available` paths (a repo listing or a snapshot).
 * Missing or sharded weights are refused with the builder's own words.
 */
export function weightFiles(modelIndex: Record<string, unknown>, available: ReadonlySet<string>, where: string): string[] {
  return CHECKPOINT_COMPONENTS.map((component) => {
    const library = Array.isArray(modelIndex[component]) ? (modelIndex[component] as unknown[])[0] : undefined;
    const candidates = weightCandidates(component, library);
    const found = candidates.find((c) => available.has(c));
    if (found) return found;
    const sharded = [...available].some((p) => p.startsWith(`${component}/`) && p.endsWith('.safetensors.index.json'));
    throw new CheckpointError(
      `${where}/${candidates[0]}`,
      sharded ? 'the weights are split into shards, which the builder does not read yet' : 'it is missing (.bin weights are not read: they can run code)',
      'This repo has no single-file safetensors weights for that component, so LOA Studio cannot build it.',
    );
  });
}

export function missingSmallFiles(available: ReadonlySet<string>): string[] {
  return SMALL_FILES.filter((f) => !available.has(f));
}

/**
 * Everything the builder can check from the small files in `dir`: model_index classes, every
 * config value it reads, and the graphs themselves planned against configs alone. Throws the
 * builder's CheckpointError.
 */
export async function precheckSmallFiles(dir: string): Promise<Record<string, unknown>> {
  const readJson = async (rel: string): Promise<Record<string, unknown>> => {
    const path = join(dir, rel);
    try {
      return JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
    } catch (error) {
      throw new CheckpointError(path, `cannot read it (${(error as Error).message})`);
    }
  };
  const modelIndex = await readJson('model_index.json');
  checkModelIndex(join(dir, 'model_index.json'), modelIndex);
  const configs = {} as CheckpointConfigs;
  for (const component of CHECKPOINT_COMPONENTS) configs[component] = await readJson(`${component}/config.json`);
  configs.scheduler = await readJson('scheduler/scheduler_config.json');
  configs.feature_extractor = await readJson('feature_extractor/preprocessor_config.json');
  const planned = Checkpoint.planned(configs, dir);
  bundleConfigFrom(planned);
  buildGraphs(planned);
  return modelIndex;
}
