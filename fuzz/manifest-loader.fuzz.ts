/**
 * A seeded, bounded fuzzer for the model bundle loader's file side: readManifest (JSON, the zod
 * schema, the contract checks) and verifyBundleFiles (regular files inside the bundle, sizes,
 * checksums), on a small bundle it writes itself (placeholder graph files: no ONNX Runtime here).
 * Inputs: the manifest mutated as JSON (a value replaced by an absurd one, a key dropped or added)
 * or as bytes, and the folder mutated (a file replaced by a FIFO, a folder, a link to /dev/zero or
 * outside the bundle, a truncated copy).
 *
 * What counts as a finding: an error other than ModelBundleError, a case slower than SLOW_MS (a
 * FIFO or /dev/zero read would hang it), or a manifest accepted with a config the engine cannot
 * use (a scheduler its samplers refuse, a non-positive or non-finite number). Replays from (seed,
 * case); --save <dir> keeps a finding's manifest for a fixture in fuzz/manifest-findings/.
 *
 *   npm run fuzz:manifest -- [--seed <n>] [--seconds <s>] [--cases <n>] [--case <i>] [--save <dir>]
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { ModelBundleError } from '../src/shared/errors.ts';
import { COMPONENT_KEYS, CONTRACT } from '../src/main/engine/bundle/contract.ts';
import { readManifest } from '../src/main/engine/bundle/manifest.ts';
import { ChecksumCache, verifyBundleFiles } from '../src/main/engine/bundle/verify-files.ts';
import { createScheduler } from '../src/main/engine/schedulers/create-scheduler.ts';
import { mutate } from './audio-mutate.ts';
import { fuzzLoop, isEntryModule, runFuzzCli, type FuzzOptions, type FuzzReport } from './fuzz-runner.ts';
import { FuzzRandom } from './prng.ts';

const SLOW_MS = 3000;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface ManifestFinding {
  seed: number;
  index: number;
  mutation: string;
  problem: string;
  manifest: string;
}

export type ManifestFuzzReport = FuzzReport<ManifestFinding>;
export type ManifestFuzzOptions = FuzzOptions;

/** A config the engine accepts (the tiny bundle's), for every key the contract lists. */
const CONFIG: Record<string, Json> = {
  sampleRate: 16000,
  hopLength: 160,
  melBins: 64,
  latentChannels: 8,
  latentFreq: 16,
  vaeScaleFactor: 4,
  vaeScalingFactor: 0.4110932946205139,
  unetSampleSize: 256,
  maxNewTokens: 8,
  clapDim: 32,
  t5Dim: 48,
  llmDim: 64,
  gpt2Layers: 2,
  gpt2Heads: 4,
  gpt2HeadDim: 16,
  clapMaxLength: 512,
  t5MaxLength: 128,
  clapLogitScale: 14.285714251833989,
  clapAudio: { sampleRate: 48000, nFft: 1024, hopLength: 480, melBins: 64, fMin: 50, fMax: 14000, maxSamples: 480000 },
  scheduler: {
    _class_name: 'DDIMScheduler',
    beta_end: 0.0195,
    beta_schedule: 'scaled_linear',
    beta_start: 0.0015,
    clip_sample: false,
    num_train_timesteps: 1000,
    prediction_type: 'epsilon',
    rescale_betas_zero_snr: false,
    set_alpha_to_one: false,
    steps_offset: 1,
    thresholding: false,
    timestep_spacing: 'leading',
    trained_betas: null,
  },
};

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Writes a bundle of placeholder files and the manifest that describes them; returns the manifest. */
export function writeFuzzBundle(dir: string): { [key: string]: Json } {
  mkdirSync(dir, { recursive: true });
  const entry = (file: string, text: string) => {
    const bytes = new TextEncoder().encode(text);
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), bytes);
    return { file, sha256: sha256(bytes), bytes: bytes.length };
  };
  const components: Record<string, Json> = {};
  for (const key of COMPONENT_KEYS) components[key] = { graphs: [{ precision: 'fp32', ...entry(CONTRACT.components[key].file, `placeholder graph ${key}\n`), externalData: [] }] };
  const tokenizers: Record<string, Json> = {};
  for (const name of ['clap', 't5'] as const) {
    const { dir: folder, files } = CONTRACT.tokenizers[name];
    tokenizers[name] = { files: files.map((f) => entry(`${folder}/${f}`, `{"placeholder": "${name} ${f}"}\n`)) };
  }
  const config: Record<string, Json> = {};
  for (const key of CONTRACT.configKeys) config[key] = structuredClone(CONFIG[key] ?? 1);
  const manifest = {
    format: 'loa-studio-bundle',
    contractVersion: CONTRACT.version,
    id: 'fuzz',
    name: 'Fuzz bundle',
    license: 'MIT',
    source: { kind: 'fuzz', builder: '1' },
    config,
    components,
    tokenizers,
  };
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
  return manifest;
}

const ABSURD: Json[] = [
  0,
  -1,
  -16000,
  0.5,
  1e9,
  1e308,
  -1e308,
  2 ** 53,
  null,
  true,
  '',
  '16000',
  'x'.repeat(5000),
  {},
  [],
  [1, 2],
  { a: {} },
  '../../etc/passwd',
  '/dev/zero',
  'manifest.json',
  'a'.repeat(64),
];

/** Every path to a value in the document. */
function paths(value: Json, at: Array<string | number> = [], out: Array<Array<string | number>> = []): Array<Array<string | number>> {
  out.push(at);
  if (Array.isArray(value)) value.forEach((v, i) => paths(v, [...at, i], out));
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) paths(v, [...at, k], out);
  return out;
}

function parentOf(doc: Json, path: Array<string | number>): { parent: Record<string | number, Json> | Json[]; key: string | number } | null {
  if (path.length === 0) return null;
  let node: Json = doc;
  for (const step of path.slice(0, -1)) node = (node as Record<string | number, Json>)[step];
  return { parent: node as Record<string | number, Json>, key: path[path.length - 1] };
}

/** One JSON-level mutation, described in words for the finding. */
function mutateJson(rng: FuzzRandom, doc: Json): string {
  const all = paths(doc).filter((p) => p.length > 0);
  const path = rng.pick(all);
  const where = parentOf(doc, path)!;
  const name = path.join('.');
  switch (rng.int(4)) {
    case 0: {
      const value = structuredClone(rng.pick(ABSURD));
      (where.parent as Record<string | number, Json>)[where.key] = value;
      return `${name} = ${JSON.stringify(value).slice(0, 40)}`;
    }
    case 1:
      if (Array.isArray(where.parent)) where.parent.splice(where.key as number, 1);
      else delete (where.parent as Record<string, Json>)[where.key];
      return `drop ${name}`;
    case 2: {
      const target = rng.pick(
        all.filter((p) => {
          const v = parentOf(doc, p)!;
          const x = (v.parent as Record<string | number, Json>)[v.key];
          return x !== null && typeof x === 'object' && !Array.isArray(x);
        }),
      );
      const node = target ? ((parentOf(doc, target)!.parent as Record<string | number, Json>)[parentOf(doc, target)!.key] as Record<string, Json>) : null;
      if (node) node[`extra${rng.int(100)}`] = structuredClone(rng.pick(ABSURD));
      return `add a key under ${target?.join('.') ?? '?'}`;
    }
    default: {
      const other = rng.pick(all);
      const from = parentOf(doc, other)!;
      (where.parent as Record<string | number, Json>)[where.key] = structuredClone((from.parent as Record<string | number, Json>)[from.key]);
      return `${name} = the value of ${other.join('.')}`;
    }
  }
}

type FsMutation = 'fifo' | 'folder' | 'dev-zero' | 'outside' | 'truncate' | 'dangling';

/** Replaces a bundle file (or manifest.json) with something that is not the regular file it was. */
function mutateFolder(rng: FuzzRandom, dir: string, files: string[]): string {
  const file = rng.chance(0.2) ? 'manifest.json' : rng.pick(files);
  const path = join(dir, file);
  const kind: FsMutation = rng.pick(['fifo', 'folder', 'dev-zero', 'outside', 'truncate', 'dangling'] as const);
  if (kind !== 'truncate') rmSync(path, { force: true, recursive: true });
  switch (kind) {
    case 'fifo':
      execFileSync('mkfifo', [path]);
      break;
    case 'folder':
      mkdirSync(path);
      break;
    case 'dev-zero':
      symlinkSync('/dev/zero', path);
      break;
    case 'outside':
      symlinkSync(resolve(dir, '..', 'outside.bin'), path);
      break;
    case 'dangling':
      symlinkSync(join(dir, 'no-such-file'), path);
      break;
    case 'truncate':
      writeFileSync(path, '');
      break;
  }
  return `${file} → ${kind}`;
}

export interface ManifestCase {
  mutation: string;
  text: string;
}

/** Builds case `index` in `dir` (a fresh folder): the bundle, then the mutations; returns what was done. */
export function manifestCase(seed: number, index: number, dir: string): ManifestCase {
  const rng = FuzzRandom.forCase(seed, index);
  const doc = writeFuzzBundle(dir) as Json;
  const files = paths(doc)
    .filter((p) => p.at(-1) === 'file')
    .map((p) => {
      const w = parentOf(doc, p)!;
      return (w.parent as Record<string, Json>)[w.key] as string;
    });
  const steps: string[] = [];
  const mode = rng.int(10);
  let text: string;
  if (mode < 6) {
    for (let n = rng.range(1, 3); n > 0; n--) steps.push(mutateJson(rng, doc));
    text = JSON.stringify(doc, null, rng.chance(0.5) ? 2 : 0);
  } else if (mode < 8) {
    const bytes = mutate(rng, new TextEncoder().encode(JSON.stringify(doc)), new TextEncoder().encode('{"a":[1,{"b":null}]}'), 3);
    steps.push('manifest bytes mutated');
    text = new TextDecoder().decode(bytes);
  } else {
    if (rng.chance(0.5)) steps.push(mutateJson(rng, doc));
    text = JSON.stringify(doc);
  }
  writeFileSync(join(dir, 'manifest.json'), text);
  if (mode >= 8 && process.platform !== 'win32') steps.push(mutateFolder(rng, dir, files));
  return { mutation: steps.join('; '), text };
}

/** What the engine needs of an accepted config beyond its schema; the first problem, or null. */
function unusable(config: Record<string, unknown>): string | null {
  for (const [key, value] of Object.entries(config)) {
    if (typeof value === 'number' && !(Number.isFinite(value) && value > 0) && key !== 'fMin') return `config.${key} is ${value}`;
  }
  try {
    createScheduler('ddim', config.scheduler as never);
    createScheduler('dpmpp', config.scheduler as never);
  } catch (error) {
    return `the samplers refuse the scheduler: ${(error as Error).message}`;
  }
  return null;
}

export async function checkBundle(dir: string): Promise<string[]> {
  const problems: string[] = [];
  const started = performance.now();
  try {
    const manifest = await readManifest(dir);
    const bad = unusable(manifest.config as unknown as Record<string, unknown>);
    if (bad) problems.push(`readManifest accepted a config the engine cannot use: ${bad}`);
    await verifyBundleFiles(dir, manifest, new ChecksumCache());
  } catch (error) {
    if (!(error instanceof ModelBundleError)) problems.push(`threw ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
  }
  const ms = performance.now() - started;
  if (ms > SLOW_MS) problems.push(`took ${ms.toFixed(0)} ms`);
  return problems;
}

export function fuzzManifestLoader(options: ManifestFuzzOptions): Promise<ManifestFuzzReport> {
  const { seed } = options;
  return fuzzLoop(options, {
    title: 'manifest loader',
    open: () => {
      const root = mkdtempSync(join(tmpdir(), 'loa-fuzz-manifest-'));
      writeFileSync(join(root, 'outside.bin'), 'outside the bundle\n');
      return root;
    },
    close: (root) => rmSync(root, { recursive: true, force: true }),
    async runCase(index, root) {
      const dir = join(root, `case-${index}`);
      const input = manifestCase(seed, index, dir);
      const problems = await checkBundle(dir);
      rmSync(dir, { recursive: true, force: true });
      return { label: input.mutation, problems, finding: (problem) => ({ seed, index, mutation: input.mutation, problem, manifest: input.text }) };
    },
  });
}

if (isEntryModule(import.meta.url)) {
  runFuzzCli('manifest', fuzzManifestLoader, { save: { field: 'manifest', file: (finding) => `manifest-${finding.seed}-${finding.index}.json` } });
}
