import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { join, normalize } from 'node:path';
import { ModelBundleError } from '../../../shared/errors.ts';
import type { SchedulerConfig } from '../schedulers/scheduler.ts';
import { BundleFileMissingError, MANIFEST_FILE, readManifestBytes, resolveInBundle } from './bundle-files.ts';
import { COMPONENT_KEYS, CONTRACT, type ComponentKey, type Precision } from './contract.ts';
import { manifestProblems } from './manifest-schema.ts';

export interface FileEntry {
  file: string;
  sha256: string;
  bytes: number;
}

export interface GraphFile extends FileEntry {
  precision: Precision;
  externalData?: FileEntry[];
}

export interface ClapAudioConfig {
  sampleRate: number;
  nFft: number;
  hopLength: number;
  melBins: number;
  fMin: number;
  fMax: number;
  maxSamples: number;
}

export interface BundleConfig {
  sampleRate: number;
  hopLength: number;
  melBins: number;
  latentChannels: number;
  latentFreq: number;
  vaeScaleFactor: number;
  vaeScalingFactor: number;
  unetSampleSize: number;
  maxNewTokens: number;
  clapDim: number;
  t5Dim: number;
  llmDim: number;
  gpt2Layers: number;
  gpt2Heads: number;
  gpt2HeadDim: number;
  clapMaxLength: number;
  t5MaxLength: number;
  clapLogitScale: number;
  clapAudio: ClapAudioConfig;
  scheduler: SchedulerConfig;
}

export interface BundleManifest {
  format: 'loa-studio-bundle';
  contractVersion: number;
  id: string;
  name: string;
  license: string;
  description?: string;
  source?: Record<string, unknown>;
  config: BundleConfig;
  components: Record<ComponentKey, { graphs: GraphFile[] }>;
  tokenizers: Record<'clap' | 't5', { files: FileEntry[] }>;
}

export { MANIFEST_FILE, resolveInBundle } from './bundle-files.ts';

function fail(dir: string, message: string): never {
  throw new ModelBundleError(join(dir, MANIFEST_FILE), message);
}

/**
 * SHA-256 of manifest.json's bytes: the manifest pins every graph file's SHA-256, so this one hash
 * names the exact weights a take was made with (recipes record it).
 */
export async function manifestHash(dir: string): Promise<string> {
  return createHash('sha256')
    .update(await readManifestBytes(dir))
    .digest('hex');
}

/** Reads and checks `manifest.json` (schema, then contract); file contents are checked by `verifyBundleFiles`. */
export async function readManifest(dir: string): Promise<BundleManifest> {
  const path = join(dir, MANIFEST_FILE);
  try {
    const info = await stat(dir);
    if (!info.isDirectory()) fail(dir, `${dir} is a file, not a model bundle folder.`);
  } catch (error) {
    if (error instanceof ModelBundleError) throw error;
    throw new ModelBundleError(path, `No model bundle at ${dir}: the folder does not exist.`, 'Pick a bundle folder (it holds manifest.json), or export one as described in models/README.md.');
  }
  let text: string;
  try {
    text = new TextDecoder().decode(await readManifestBytes(dir)); // a regular file, bounded
  } catch (error) {
    if (!(error instanceof BundleFileMissingError)) throw error; // a FIFO, a device, a link outside, too big
    throw new ModelBundleError(path, `No model bundle at ${dir}: manifest.json is missing.`, 'Pick a bundle folder (it holds manifest.json), or export one as described in models/README.md.');
  }
  let raw: BundleManifest;
  try {
    raw = JSON.parse(text) as BundleManifest;
  } catch (error) {
    fail(dir, `manifest.json is not valid JSON (${(error as Error).message}).`);
  }
  if (raw?.format !== 'loa-studio-bundle') fail(dir, 'manifest.json is not a LOA Studio bundle manifest (format is not "loa-studio-bundle").');
  if (raw.contractVersion !== CONTRACT.version) {
    fail(dir, `The bundle uses contract version ${String(raw.contractVersion)}; this LOA Studio reads version ${CONTRACT.version}.`);
  }
  // Types, ranges and relations (manifest-schema.ts); what follows checks it against the contract.
  const problems = manifestProblems(raw);
  if (problems.length > 0) fail(dir, `manifest.json ${problems.join('; ')}.`);
  for (const key of COMPONENT_KEYS) {
    const component = raw.components[key];
    for (const graph of component.graphs) {
      if (!CONTRACT.components[key].precisions.includes(graph.precision)) {
        fail(dir, `component "${key}" may not be ${String(graph.precision)} (allowed: ${CONTRACT.components[key].precisions.join(', ')}).`);
      }
      resolveInBundle(dir, graph.file);
      for (const extra of graph.externalData ?? []) resolveInBundle(dir, extra.file);
    }
    if (!component.graphs.some((g) => g.precision === 'fp32')) fail(dir, `component "${key}" has no fp32 graph (CPU needs one).`);
  }
  for (const name of ['clap', 't5'] as const) {
    const files = raw.tokenizers[name].files;
    const wanted = CONTRACT.tokenizers[name].files.map((f) => `${CONTRACT.tokenizers[name].dir}/${f}`);
    for (const want of wanted) {
      if (!files.some((f) => normalize(f.file) === normalize(want))) fail(dir, `manifest.json does not list ${want}.`);
    }
    files.forEach((f) => resolveInBundle(dir, f.file));
  }
  return raw;
}

/** Every file the manifest names, for checksum verification. */
export function manifestFiles(manifest: BundleManifest): FileEntry[] {
  const files: FileEntry[] = [];
  for (const key of COMPONENT_KEYS) {
    for (const graph of manifest.components[key].graphs) files.push(graph, ...(graph.externalData ?? []));
  }
  files.push(...manifest.tokenizers.clap.files, ...manifest.tokenizers.t5.files);
  return files;
}
