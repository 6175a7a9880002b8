/**
 * A seeded random-weight AudioLDM 2 checkpoint in diffusers' on-disk format, written without
 * Python. Which tensors: exactly those the registered graph builders (components/registry.ts) ask
 * for when built against `Checkpoint.planned(configs)`, plus the few that `save_pretrained` writes
 * and no graph reads (saved-extras.ts). Their values: random-fill.ts, one stream per tensor.
 */
import { mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { Checkpoint, CHECKPOINT_COMPONENTS, type CheckpointComponent } from '../checkpoint/checkpoint.ts';
import type { ComponentKey } from '../../bundle/contract.ts';
import { GRAPH_BUILDERS, type GraphBuilder } from '../components/registry.ts';
import { WeightRecorder } from '../onnx/weights.ts';
import { configFiles, type RandomCheckpointConfigs } from './config-sets.ts';
import { fillChunks, fillFor, tensorStreamSeed } from './random-fill.ts';
import { initCorrection, savedExtras, type PlannedTensor } from './saved-extras.ts';
import { tensorBytes, writeSafetensors } from './safetensors-writer.ts';

/** transformers components save `model.safetensors`, diffusers ones `diffusion_pytorch_model.safetensors`. */
export const WEIGHTS_FILE: Record<CheckpointComponent, string> = {
  text_encoder: 'model.safetensors',
  text_encoder_2: 'model.safetensors',
  language_model: 'model.safetensors',
  projection_model: 'diffusion_pytorch_model.safetensors',
  unet: 'diffusion_pytorch_model.safetensors',
  vae: 'diffusion_pytorch_model.safetensors',
  vocoder: 'model.safetensors',
};

/** The project's tiny tokenizers, in the hub's file layout (fixtures/audioldm2-tiny/README.md). */
export const TINY_TOKENIZERS = resolve(import.meta.dirname, '../../../../../fixtures/audioldm2-tiny/checkpoint');

export interface PlannedComponent {
  component: CheckpointComponent;
  /** The registered graphs that read this folder (none: the file holds only saved extras). */
  graphs: ComponentKey[];
  tensors: PlannedTensor[];
}

export type CheckpointPlan = Record<CheckpointComponent, PlannedComponent>;

/**
 * Every tensor each component's file will hold, by building every registered graph against the
 * configs. A tensor both recorded and listed as a saved extra takes the extra's dtype and value
 * (e.g. a buffer a builder declares as float zeros but the library saves as int64).
 */
export function planRandomCheckpoint(configs: RandomCheckpointConfigs, builders: Partial<Record<ComponentKey, GraphBuilder>> = GRAPH_BUILDERS): CheckpointPlan {
  const planned = Checkpoint.planned(configs);
  const graphs = new Map<CheckpointComponent, ComponentKey[]>();
  for (const [key, builder] of Object.entries(builders) as Array<[ComponentKey, GraphBuilder]>) {
    builder.build(planned);
    graphs.set(builder.component, [...(graphs.get(builder.component) ?? []), key]);
  }
  const plan = {} as CheckpointPlan;
  for (const component of CHECKPOINT_COMPONENTS) {
    const { config, configPath } = planned.components[component];
    const recorder = planned.weights(component);
    if (!(recorder instanceof WeightRecorder)) throw new Error('a planned checkpoint records its weights');
    const correct = initCorrection(component, config, configPath);
    const tensors = new Map<string, PlannedTensor>();
    for (const spec of recorder.specs.values()) {
      tensors.set(spec.name, { name: spec.name, dtype: 'F32', shape: spec.shape, fill: correct(spec) ?? fillFor(spec.init, spec.shape) });
    }
    for (const extra of savedExtras(component, config, configPath)) {
      const recorded = tensors.get(extra.name);
      if (recorded && recorded.shape.join(',') !== extra.shape.join(',')) {
        throw new Error(`${component}: a graph asks for ${extra.name} as [${recorded.shape.join(', ')}] but the library saves it as [${extra.shape.join(', ')}]`);
      }
      tensors.set(extra.name, extra);
    }
    plan[component] = { component, graphs: graphs.get(component) ?? [], tensors: [...tensors.values()] };
  }
  return plan;
}

export const tensorCount = (t: { shape: readonly number[] }): number => t.shape.reduce((a, b) => a * b, 1);

/** Number of values (parameters and buffers) the plan writes, per component and in all. */
export function planParameterCounts(plan: CheckpointPlan): { perComponent: Record<CheckpointComponent, number>; total: number } {
  const perComponent = {} as Record<CheckpointComponent, number>;
  let total = 0;
  for (const component of CHECKPOINT_COMPONENTS) {
    perComponent[component] = plan[component].tensors.reduce((sum, t) => sum + tensorCount(t), 0);
    total += perComponent[component];
  }
  return { perComponent, total };
}

export interface RandomCheckpointProgress {
  component: CheckpointComponent;
  tensor: string;
  bytesWritten: number;
  totalBytes: number;
}

export interface RandomCheckpointOptions {
  seed: number;
  /** A checkpoint folder whose tokenizer/ and tokenizer_2/ files are copied (default: the project's tiny tokenizers). */
  tokenizersFrom?: string;
  onProgress?: (progress: RandomCheckpointProgress) => void;
}

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

/**
 * Writes the checkpoint folder `dir` (replacing one that is there). Everything is written into a
 * temporary sibling folder first and renamed into place at the end, so a crash or an error leaves
 * either the old folder or the new one, never a half-written one.
 */
export async function writeRandomCheckpoint(dir: string, configs: RandomCheckpointConfigs, options: RandomCheckpointOptions): Promise<CheckpointPlan> {
  tensorStreamSeed(options.seed, '', ''); // refuses a bad seed before anything is written
  const plan = planRandomCheckpoint(configs);
  const target = resolve(dir);
  await mkdir(dirname(target), { recursive: true });
  const stamp = `${process.pid}-${Date.now()}`;
  const temp = join(dirname(target), `.${basename(target)}.partial-${stamp}`);
  await mkdir(temp);
  try {
    for (const { key, file } of configFiles()) {
      await mkdir(dirname(join(temp, file)), { recursive: true });
      await writeFile(join(temp, file), json(configs[key]));
    }
    const tokenizers = options.tokenizersFrom ?? TINY_TOKENIZERS;
    for (const folder of ['tokenizer', 'tokenizer_2']) {
      await mkdir(join(temp, folder));
      // Read and written rather than copied, so the copies do not inherit the source's read-only mode.
      for (const file of (await readdir(join(tokenizers, folder))).sort()) await writeFile(join(temp, folder, file), await readFile(join(tokenizers, folder, file)));
    }
    await writeWeights(temp, plan, options);
    let old: string | undefined;
    if (
      await stat(target).then(
        () => true,
        () => false,
      )
    ) {
      old = join(dirname(target), `.${basename(target)}.old-${stamp}`);
      await rename(target, old);
    }
    await rename(temp, target);
    if (old) await rm(old, { recursive: true, force: true });
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    throw error;
  }
  return plan;
}

async function writeWeights(root: string, plan: CheckpointPlan, options: RandomCheckpointOptions): Promise<void> {
  const totalBytes = CHECKPOINT_COMPONENTS.reduce((sum, c) => sum + plan[c].tensors.reduce((s, t) => s + tensorBytes(t.dtype, t.shape), 0), 0);
  let before = 0;
  for (const component of CHECKPOINT_COMPONENTS) {
    const tensors = plan[component].tensors.map((t) => ({
      name: t.name,
      dtype: t.dtype,
      shape: t.shape,
      chunks: () => fillChunks(t.fill, t.dtype, tensorCount(t), tensorStreamSeed(options.seed, component, t.name)),
    }));
    let done = 0;
    await writeSafetensors(join(root, component, WEIGHTS_FILE[component]), tensors, {
      onTensor: ({ name, bytesWritten }) => {
        done = bytesWritten;
        options.onProgress?.({ component, tensor: name, bytesWritten: before + bytesWritten, totalBytes });
      },
    });
    before += done;
  }
}
