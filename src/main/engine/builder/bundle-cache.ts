/**
 * Lets every `--model` take a checkpoint folder as well as a bundle: a checkpoint is built once into
 * a cache folder keyed by what decides the graphs (the builder version, the configs, each weight
 * file's size and modification time), and later loads use that bundle at once.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, join } from 'node:path';
import { MANIFEST_FILE, type BundleManifest } from '../bundle/manifest.ts';
import { weightsLocation } from './bundle-layout.ts';
import { Checkpoint } from './checkpoint/checkpoint.ts';
import type { SafetensorsFile } from './checkpoint/safetensors.ts';
import { buildBundle, buildGraphs, BUILDER_VERSION, graphBytes, type BuildProgress } from './build-bundle.ts';

export function defaultBundleCache(): string {
  return join(process.env.LOA_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'loa-studio'), 'bundles');
}

const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

/** What decides a built bundle: cheap to compute (no weight is read, only its header's size and mtime). */
async function checkpointKey(dir: string): Promise<string> {
  const hash = createHash('sha256').update(`builder ${BUILDER_VERSION}\n`);
  const walk = async (folder: string, depth: number): Promise<void> => {
    const entries = (await readdir(folder, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      const path = join(folder, entry.name);
      if (entry.isDirectory() && depth < 1 && !entry.name.startsWith('.')) await walk(path, depth + 1);
      else if (/\.json$/.test(entry.name)) hash.update(`${path}\n`).update(await readFile(path));
      else if (/\.safetensors$/.test(entry.name)) {
        const info = await stat(path);
        hash.update(`${path} ${info.size} ${info.mtimeMs}\n`);
      }
    }
  };
  await walk(dir, 0);
  return hash.digest('hex').slice(0, 16);
}

/**
 * Whether `bundleDir` is exactly what building `checkpointDir` would give now: every graph's bytes
 * (built in memory) and every weight file (the same file, hard-linked) as its manifest says. Lets a
 * test run reuse a bundle another run is using instead of swapping it out from under it.
 */
export async function isBundleCurrent(checkpointDir: string, bundleDir: string): Promise<boolean> {
  let manifest: BundleManifest;
  try {
    manifest = JSON.parse(await readFile(join(bundleDir, MANIFEST_FILE), 'utf8')) as BundleManifest;
  } catch {
    return false;
  }
  const checkpoint = await Checkpoint.open(checkpointDir);
  for (const [key, { graph, component }] of buildGraphs(checkpoint)) {
    const entry = manifest.components[key]?.graphs.find((g) => g.precision === 'fp32');
    if (!entry || entry.sha256 !== createHash('sha256').update(graphBytes(graph)).digest('hex')) return false;
    const weights = await stat(join(bundleDir, weightsLocation(component))).catch(() => undefined);
    const source = await stat((checkpoint.weights(component) as SafetensorsFile).path);
    if (!weights || weights.ino !== source.ino || weights.size !== source.size) return false;
  }
  return true;
}

/**
 * The bundle folder for `dir`: `dir` itself when it is a bundle, else the cached build of the
 * checkpoint there (built now when missing).
 */
export async function ensureBundle(dir: string, options: { cacheDir?: string; onProgress?: (p: BuildProgress) => void } = {}): Promise<string> {
  // Not a checkpoint: the bundle loader says what is wrong with it as a bundle.
  if ((await exists(join(dir, MANIFEST_FILE))) || !(await exists(join(dir, 'model_index.json')))) return dir;
  const real = await realpath(dir);
  const target = join(options.cacheDir ?? defaultBundleCache(), `${basename(real)}-${await checkpointKey(real)}`);
  if (await exists(join(target, MANIFEST_FILE))) return target;
  try {
    await buildBundle(real, target, { id: basename(real), onProgress: options.onProgress });
  } catch (error) {
    // Another process may have built the same bundle at the same moment: theirs is as good.
    if (await exists(join(target, MANIFEST_FILE))) return target;
    throw error;
  }
  return target;
}
