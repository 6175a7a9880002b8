/**
 * A diffusers-format AudioLDM 2 checkpoint folder (what `AudioLDM2Pipeline.save_pretrained` and the
 * Hub's cvssp/audioldm2 hold): model_index.json names a class per component folder; each folder has
 * its config and one safetensors file. Everything is checked before any graph is written.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { CheckpointError } from './checkpoint-error.ts';
import { readSafetensors, type SafetensorsFile } from './safetensors.ts';
import { WeightRecorder } from '../onnx/weights.ts';

/** The component folders the builder reads, and the class each must be (model_index.json). */
export const COMPONENT_CLASSES = {
  text_encoder: 'ClapModel',
  text_encoder_2: 'T5EncoderModel',
  language_model: 'GPT2Model',
  projection_model: 'AudioLDM2ProjectionModel',
  unet: 'AudioLDM2UNet2DConditionModel',
  vae: 'AutoencoderKL',
  vocoder: 'SpeechT5HifiGan',
} as const;

export type CheckpointComponent = keyof typeof COMPONENT_CLASSES;
export const CHECKPOINT_COMPONENTS = Object.keys(COMPONENT_CLASSES) as CheckpointComponent[];

/** Accepted classes for the folders that hold no weights. */
const OTHER_CLASSES: Record<string, readonly string[]> = {
  tokenizer: ['RobertaTokenizer', 'RobertaTokenizerFast'],
  tokenizer_2: ['T5Tokenizer', 'T5TokenizerFast'],
  scheduler: ['DDIMScheduler', 'DPMSolverMultistepScheduler', 'PNDMScheduler', 'LMSDiscreteScheduler', 'EulerDiscreteScheduler'],
  feature_extractor: ['ClapFeatureExtractor'],
};

const WEIGHT_FILES = ['model.safetensors', 'diffusion_pytorch_model.safetensors'];

/** Configs are small; a multi-megabyte "config" is not one. */
const MAX_CONFIG_BYTES = 1024 * 1024;

export type Config = Record<string, unknown>;

export interface CheckpointFolder {
  component: CheckpointComponent;
  config: Config;
  configPath: string;
  /** The weights' header, or (for a planned checkpoint) a recorder of what the graphs ask for. */
  weights: SafetensorsFile | WeightRecorder;
}

/** Configs of every component, as a planned (not yet written) checkpoint has them. */
export type CheckpointConfigs = Record<CheckpointComponent, Config> & { scheduler: Config; feature_extractor: Config };

export class Checkpoint {
  private constructor(
    readonly dir: string,
    readonly modelIndex: Config,
    readonly components: Record<CheckpointComponent, CheckpointFolder>,
    readonly scheduler: Config,
    readonly featureExtractor: Config,
  ) {}

  config(component: CheckpointComponent): Config {
    return this.components[component].config;
  }

  weights(component: CheckpointComponent): SafetensorsFile | WeightRecorder {
    return this.components[component].weights;
  }

  /**
   * A checkpoint that exists only as configs: building graphs against it records every tensor
   * each component needs (`WeightRecorder.specs`) — what the random-checkpoint generator writes
   * and what parameter counts are checked against.
   */
  static planned(configs: CheckpointConfigs, dir = '(planned)'): Checkpoint {
    const components = {} as Record<CheckpointComponent, CheckpointFolder>;
    for (const component of CHECKPOINT_COMPONENTS) {
      const configPath = join(dir, component, 'config.json');
      components[component] = { component, config: configs[component], configPath, weights: new WeightRecorder(join(dir, component, 'model.safetensors')) };
    }
    const modelIndex: Config = { _class_name: 'AudioLDM2Pipeline' };
    return new Checkpoint(dir, modelIndex, components, configs.scheduler, configs.feature_extractor);
  }

  /** Tokenizer files the engine reads (tokenizer.json per tokenizer folder). */
  tokenizerFile(which: 'tokenizer' | 'tokenizer_2', file: string): string {
    return join(this.dir, which, file);
  }

  static async open(dir: string): Promise<Checkpoint> {
    const indexPath = join(dir, 'model_index.json');
    const modelIndex = await readJson(indexPath);
    checkModelIndex(indexPath, modelIndex);
    const components = {} as Record<CheckpointComponent, CheckpointFolder>;
    for (const component of CHECKPOINT_COMPONENTS) {
      const configPath = join(dir, component, 'config.json');
      const config = await readJson(configPath);
      // diffusers saves diffusion_pytorch_model.safetensors, transformers model.safetensors.
      const expected = (modelIndex[component] as string[])[0] === 'transformers' ? 'model.safetensors' : 'diffusion_pytorch_model.safetensors';
      const weights = await openWeights(join(dir, component), expected);
      components[component] = { component, config, configPath, weights };
    }
    const scheduler = await readJson(join(dir, 'scheduler', 'scheduler_config.json'));
    const featureExtractor = await readJson(join(dir, 'feature_extractor', 'preprocessor_config.json'));
    for (const file of [join(dir, 'tokenizer', 'tokenizer.json'), join(dir, 'tokenizer_2', 'tokenizer.json')]) {
      await requireFile(file, 'the engine tokenizes with it');
    }
    return new Checkpoint(dir, modelIndex, components, scheduler, featureExtractor);
  }
}

/**
 * Refuses a model_index.json that names a pipeline or a component class the builder does not read
 * (a speech fine-tune's VitsModel, say) — checkable before any weight is downloaded.
 */
export function checkModelIndex(indexPath: string, modelIndex: Config): void {
  if (modelIndex._class_name !== 'AudioLDM2Pipeline') {
    throw new CheckpointError(
      indexPath,
      `its _class_name is ${JSON.stringify(modelIndex._class_name)}, not AudioLDM2Pipeline`,
      'Pick the folder of an AudioLDM 2 checkpoint (cvssp/audioldm2 or a fine-tune of it).',
    );
  }
  const classOf = (folder: string): string => {
    const entry = modelIndex[folder];
    if (!Array.isArray(entry) || typeof entry[1] !== 'string') throw new CheckpointError(indexPath, `it names no class for "${folder}"`);
    return entry[1];
  };
  for (const [folder, allowed] of Object.entries(OTHER_CLASSES)) {
    const cls = classOf(folder);
    if (!allowed.includes(cls))
      throw new CheckpointError(indexPath, `"${folder}" is ${cls}; the builder supports ${allowed.join(', ')}`, 'This checkpoint is not a text-to-audio AudioLDM 2 the builder supports.');
  }
  for (const component of CHECKPOINT_COMPONENTS) {
    const cls = classOf(component);
    if (cls !== COMPONENT_CLASSES[component]) {
      throw new CheckpointError(
        indexPath,
        `"${component}" is ${cls}; the builder supports ${COMPONENT_CLASSES[component]}`,
        'This checkpoint is not a text-to-audio AudioLDM 2 the builder supports (speech models use VITS, for example).',
      );
    }
  }
}

async function requireFile(path: string, why: string): Promise<number> {
  let info;
  try {
    info = await stat(path);
  } catch {
    throw new CheckpointError(path, `it is missing (${why})`);
  }
  if (!info.isFile()) throw new CheckpointError(path, 'it is not a regular file');
  return info.size;
}

async function readJson(path: string): Promise<Config> {
  const size = await requireFile(path, 'every checkpoint has it');
  if (size > MAX_CONFIG_BYTES) throw new CheckpointError(path, `it is ${size} bytes, too large for a config`);
  let value: unknown;
  try {
    value = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new CheckpointError(path, `it is not valid JSON (${(error as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new CheckpointError(path, 'it is not a JSON object');
  return value as Config;
}

async function openWeights(folder: string, expected: string): Promise<SafetensorsFile> {
  for (const name of [expected, ...WEIGHT_FILES.filter((n) => n !== expected)]) {
    const path = join(folder, name);
    const exists = await stat(path).then(
      () => true,
      () => false,
    );
    if (exists) return readSafetensors(path);
  }
  const sharded =
    (await stat(join(folder, 'model.safetensors.index.json')).then(
      () => true,
      () => false,
    )) ||
    (await stat(join(folder, 'diffusion_pytorch_model.safetensors.index.json')).then(
      () => true,
      () => false,
    ));
  throw new CheckpointError(
    join(folder, expected),
    sharded ? 'the weights are split into shards, which the builder does not read yet' : 'it is missing (.bin weights are not read: they can run code)',
  );
}
