/**
 * The model builder: a diffusers-format AudioLDM 2 checkpoint folder in, an engine bundle out —
 * graphs written from the checkpoint's configs, weights hard-linked (not copied) beside them,
 * tokenizers, and a manifest that pins every file's SHA-256. Everything is checked and every graph
 * is built in memory before the first byte is written, and the bundle appears only when complete.
 */
import { copyFile, link, mkdir, realpath, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { COMPONENT_KEYS, CONTRACT, type ComponentKey, type Precision } from '../bundle/contract.ts';
import type { BundleManifest, FileEntry, GraphFile } from '../bundle/manifest.ts';
import { sha256File } from '../bundle/verify-files.ts';
import { bundleConfigFrom } from './bundle-config.ts';
import { weightsLocation } from './bundle-layout.ts';
import { Checkpoint, type CheckpointComponent } from './checkpoint/checkpoint.ts';
import { CheckpointError } from './checkpoint/checkpoint-error.ts';
import type { SafetensorsFile } from './checkpoint/safetensors.ts';
import { GRAPH_BUILDERS } from './components/registry.ts';
import { buildFloat16Graphs, float16GraphFile } from './float16-graphs.ts';
import { writeFloat16Weights } from './float16-weights.ts';
import type { Graph } from './onnx/graph.ts';

/** Bumped whenever built graphs change: recipes record it, caches key on it. */
export const BUILDER_VERSION = '2';

export interface BuildProgress {
  stage: 'check' | 'graphs' | 'weights' | 'hash' | 'done';
  done: number;
  total: number;
  detail?: string;
}

export interface BuildOptions {
  /** Where the checkpoint came from (recipes name it): a Hub repo id and revision, for example. */
  source?: { repo?: string; revision?: string };
  id?: string;
  name?: string;
  license?: string;
  /**
   * Graph precisions to write (default fp32 only). With 'fp16', components the contract allows in
   * fp16 also get `<file>.fp16.onnx` and converted weights (float16-graphs.ts) for GPU providers.
   */
  precisions?: Precision[];
  onProgress?: (progress: BuildProgress) => void;
}

export interface BuildResult {
  dir: string;
  manifest: BundleManifest;
  /** Things the user should know (weights copied because hard links were impossible). */
  notices: string[];
  /** Per converted weights file (fp16 builds): tensors written and values clamped to ±65504. */
  fp16Weights?: { component: CheckpointComponent; tensors: number; saturated: number; flushedToZero: number; bytes: number }[];
}

/** A graph's file bytes; the producer names the builder version (isBundleCurrent hashes the same bytes). */
export function graphBytes(graph: Graph): Uint8Array {
  return graph.toBytes(`loa-studio-builder ${BUILDER_VERSION}`);
}

async function fileEntry(dir: string, file: string): Promise<FileEntry> {
  const path = join(dir, file);
  return { file, sha256: await sha256File(path), bytes: (await stat(path)).size };
}

/** The graphs, built in memory: any config or weight problem surfaces here, before writing. */
export function buildGraphs(checkpoint: Checkpoint): Map<ComponentKey, { graph: Graph; component: CheckpointComponent }> {
  const graphs = new Map<ComponentKey, { graph: Graph; component: CheckpointComponent }>();
  for (const key of COMPONENT_KEYS) {
    const builder = GRAPH_BUILDERS[key];
    if (!builder) throw new CheckpointError(checkpoint.dir, `the builder cannot write the ${key} graph yet`, 'This version of LOA Studio cannot build that graph: update it.');
    graphs.set(key, { graph: builder.build(checkpoint), component: builder.component });
  }
  return graphs;
}

/**
 * Hard-links `from` to `to`; across file systems (EXDEV) or where links are refused, copies. A
 * symlink (a Hugging Face cache snapshot is made of them) is followed first: a hard link to the
 * link itself would dangle inside the bundle.
 */
async function linkOrCopy(from: string, to: string): Promise<'linked' | 'copied'> {
  from = await realpath(from);
  try {
    await link(from, to);
    return 'linked';
  } catch {
    await copyFile(from, to);
    return 'copied';
  }
}

export async function buildBundle(checkpointDir: string, outDir: string, options: BuildOptions = {}): Promise<BuildResult> {
  const progress = options.onProgress ?? (() => {});
  progress({ stage: 'check', done: 0, total: 1 });
  const checkpoint = await Checkpoint.open(checkpointDir);
  const config = bundleConfigFrom(checkpoint);
  const graphs = buildGraphs(checkpoint);
  const fp16 = options.precisions?.includes('fp16') ? buildFloat16Graphs(graphs) : undefined;
  progress({ stage: 'check', done: 1, total: 1 });

  const staging = join(dirname(outDir), `.${basename(outDir)}.partial-${process.pid}`);
  await rm(staging, { recursive: true, force: true });
  const notices: string[] = [];
  try {
    await mkdir(join(staging, 'weights'), { recursive: true });
    await mkdir(join(staging, CONTRACT.tokenizers.clap.dir), { recursive: true });
    await mkdir(join(staging, CONTRACT.tokenizers.t5.dir), { recursive: true });

    const components = new Set([...graphs.values()].map((g) => g.component));
    let done = 0;
    for (const component of components) {
      const from = (checkpoint.weights(component) as SafetensorsFile).path;
      progress({ stage: 'weights', done: done++, total: components.size, detail: component });
      if ((await linkOrCopy(from, join(staging, weightsLocation(component)))) === 'copied') {
        notices.push(`${component} weights were copied into the bundle (the checkpoint is on another disk, so they could not be shared).`);
      }
    }
    const fp16Weights: NonNullable<BuildResult['fp16Weights']> = [];
    for (const [component, plan] of fp16?.weights ?? []) {
      progress({ stage: 'weights', done: 0, total: 1, detail: `${component} fp16` });
      const written = await writeFloat16Weights(plan, (checkpoint.weights(component) as SafetensorsFile).path, join(staging, plan.location));
      fp16Weights.push({ component, tensors: written.tensors, bytes: written.bytes, ...written.stats });
      if (written.stats.saturated > 0) notices.push(`${written.stats.saturated} ${component} weights exceed float16's range and were clamped to ±65504 in the fp16 graphs.`);
    }

    done = 0;
    for (const [key, { graph }] of graphs) {
      progress({ stage: 'graphs', done: done++, total: graphs.size, detail: key });
      await writeFile(join(staging, CONTRACT.components[key].file), graphBytes(graph));
      const half = fp16?.graphs.get(key);
      if (half) await writeFile(join(staging, float16GraphFile(CONTRACT.components[key].file)), graphBytes(half.graph));
    }
    for (const [name, folder] of [
      ['clap', 'tokenizer'],
      ['t5', 'tokenizer_2'],
    ] as const) {
      for (const file of CONTRACT.tokenizers[name].files) {
        await copyFile(checkpoint.tokenizerFile(folder, file), join(staging, CONTRACT.tokenizers[name].dir, file));
      }
    }

    progress({ stage: 'hash', done: 0, total: graphs.size });
    const manifestComponents = {} as BundleManifest['components'];
    done = 0;
    for (const [key, { component }] of graphs) {
      const graphFile: GraphFile = { precision: 'fp32', ...(await fileEntry(staging, CONTRACT.components[key].file)), externalData: [await fileEntry(staging, weightsLocation(component))] };
      manifestComponents[key] = { graphs: [graphFile] };
      const half = fp16?.graphs.get(key);
      if (half) {
        const weights = fp16!.weights.get(half.component)!.location;
        manifestComponents[key].graphs.push({ precision: 'fp16', ...(await fileEntry(staging, float16GraphFile(CONTRACT.components[key].file))), externalData: [await fileEntry(staging, weights)] });
      }
      progress({ stage: 'hash', done: ++done, total: graphs.size, detail: key });
    }
    const tokenizers = {} as BundleManifest['tokenizers'];
    for (const name of ['clap', 't5'] as const) {
      tokenizers[name] = { files: await Promise.all(CONTRACT.tokenizers[name].files.map((f) => fileEntry(staging, `${CONTRACT.tokenizers[name].dir}/${f}`))) };
    }
    const manifest: BundleManifest = {
      format: 'loa-studio-bundle',
      contractVersion: CONTRACT.version,
      id: options.id ?? basename(outDir),
      name: options.name ?? `AudioLDM 2 (${options.source?.repo ?? basename(checkpointDir)})`,
      license: options.license ?? "Unknown: see the checkpoint's model card",
      source: {
        kind: 'checkpoint',
        repo: options.source?.repo ?? null,
        revision: options.source?.revision ?? null,
        // No local path here: the manifest's hash names the model in recipes, and must be the
        // same wherever the same checkpoint is built.
        builder: BUILDER_VERSION,
      },
      config,
      components: manifestComponents,
      tokenizers,
    };
    await writeFile(join(staging, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);

    // Swap in the finished bundle; an older one at the same place goes only once this one is whole.
    const previous = join(dirname(outDir), `.${basename(outDir)}.previous-${process.pid}`);
    const hadPrevious = await stat(outDir).then(
      () => true,
      () => false,
    );
    if (hadPrevious) await rename(outDir, previous);
    await rename(staging, outDir);
    if (hadPrevious) await rm(previous, { recursive: true, force: true });
    progress({ stage: 'done', done: 1, total: 1 });
    return { dir: outDir, manifest, notices, ...(fp16 ? { fp16Weights } : {}) };
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
}
