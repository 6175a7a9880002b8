/**
 * Named checkpoint config sets kept as data in models/configs/<name>/ (the layout of a diffusers
 * checkpoint folder, configs only): `tiny` (the diffusers oracle fixture's) and `audioldm2` (the
 * published cvssp/audioldm2). models/configs/README.md says where each comes from.
 */
import { readFile, readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { CheckpointError } from '../checkpoint/checkpoint-error.ts';
import { CHECKPOINT_COMPONENTS, type CheckpointConfigs, type Config } from '../checkpoint/checkpoint.ts';

export const CONFIG_SETS_DIR = resolve(import.meta.dirname, '../../../../../models/configs');

/** Everything a checkpoint folder holds besides weights and tokenizers. */
export type RandomCheckpointConfigs = CheckpointConfigs & { model_index: Config };

/** Where each config lives in a checkpoint folder (and in a config set). */
export function configFiles(): Array<{ key: keyof RandomCheckpointConfigs; file: string }> {
  return [
    { key: 'model_index', file: 'model_index.json' },
    ...CHECKPOINT_COMPONENTS.map((component) => ({ key: component, file: join(component, 'config.json') })),
    { key: 'scheduler', file: join('scheduler', 'scheduler_config.json') },
    { key: 'feature_extractor', file: join('feature_extractor', 'preprocessor_config.json') },
  ];
}

export async function configSetNames(root = CONFIG_SETS_DIR): Promise<string[]> {
  const entries = await readdir(root, { withFileTypes: true });
  return entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
}

/** Reads the config set `name` (a folder of `root`). */
export async function loadConfigSet(name: string, root = CONFIG_SETS_DIR): Promise<RandomCheckpointConfigs> {
  const known = await configSetNames(root);
  if (!known.includes(name)) throw new CheckpointError(join(root, name), `there is no config set "${name}"`, `Pick one of: ${known.join(', ')}.`);
  const configs = {} as RandomCheckpointConfigs;
  for (const { key, file } of configFiles()) {
    const path = join(root, name, file);
    let value: unknown;
    try {
      value = JSON.parse(await readFile(path, 'utf8'));
    } catch (error) {
      throw new CheckpointError(path, `cannot read it as JSON (${(error as Error).message})`, 'Every config set holds every config of a checkpoint folder (models/configs/README.md).');
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new CheckpointError(path, 'it is not a JSON object');
    configs[key] = value as Config;
  }
  return configs;
}
