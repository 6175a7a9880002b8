/**
 * Builder specs on configs alone: a planned checkpoint whose component records the tensors a
 * build asks for, their parameter count, and the published cvssp/audioldm2 configs (the committed
 * copy in models/configs/audioldm2, read through `loadConfigSet`).
 */
import { Checkpoint, CHECKPOINT_COMPONENTS, type CheckpointComponent, type CheckpointConfigs, type Config } from '../checkpoint/checkpoint.ts';
import type { SafetensorsFile } from '../checkpoint/safetensors.ts';
import { WeightRecorder } from '../onnx/weights.ts';
import { loadConfigSet, type RandomCheckpointConfigs } from '../random-checkpoint/config-sets.ts';
import { fixtureCheckpoint } from './graph-harness.ts';

/**
 * A checkpoint of configs only: `component` has `config` and records into `recorder`; every
 * other component's config is empty unless given in `others` (the VAE reads the vocoder's mel width).
 */
export function plannedCheckpoint(component: CheckpointComponent, config: Config, recorder = new WeightRecorder(), others: Partial<Record<CheckpointComponent, Config>> = {}): Checkpoint {
  const configs = Object.fromEntries(CHECKPOINT_COMPONENTS.map((c) => [c, {}])) as unknown as CheckpointConfigs;
  Object.assign(configs, others, { [component]: config });
  const checkpoint = Checkpoint.planned(configs);
  checkpoint.components[component].weights = recorder;
  return checkpoint;
}

/**
 * The oracle fixture's own `component` config planned (with the fixture's `others` configs too),
 * to check what a build asks for against `file`, the tensors diffusers saved for it.
 */
export async function plannedFixture(component: CheckpointComponent, others: CheckpointComponent[] = []): Promise<{ checkpoint: Checkpoint; recorder: WeightRecorder; file: SafetensorsFile }> {
  const fixture = await fixtureCheckpoint();
  const recorder = new WeightRecorder();
  const checkpoint = plannedCheckpoint(component, fixture.config(component), recorder, Object.fromEntries(others.map((c) => [c, fixture.config(c)])));
  return { checkpoint, recorder, file: fixture.weights(component) as SafetensorsFile };
}

/** The values of the recorded tensors whose names `keep` accepts (all of them by default). */
export function parameterCount(recorder: WeightRecorder, keep: (name: string) => boolean = () => true): number {
  return [...recorder.specs.values()].filter((s) => keep(s.name)).reduce((sum, s) => sum + s.shape.reduce((a, b) => a * b, 1), 0);
}

let audioldm2: Promise<RandomCheckpointConfigs> | undefined;

/**
 * The published cvssp/audioldm2 config of `component` (models/configs/README.md: the hub's configs
 * as docs/checkpoints.md §2 records them, GPT-2's partial one completed with the base
 * defaults), a fresh copy each call for the caller to change.
 */
export async function publishedConfig(component: CheckpointComponent): Promise<Config> {
  audioldm2 ??= loadConfigSet('audioldm2');
  return structuredClone((await audioldm2)[component]);
}
