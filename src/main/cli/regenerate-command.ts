/**
 * `npm run loa -- regenerate <take.wav> --out <f> [--model <dir>] [--reference <file>] [--device …]`:
 * makes a take again from the recipe inside it (or in the `<take>.json` beside it). The same
 * bundle, seed and settings on the same execution provider give the same samples, bit for bit;
 * so the bundle and the reference are checked by hash before any model work. An exported file
 * is made again the same way: the take, then the export's rendering of it.
 */
import { ensureBundle } from '../engine/builder/bundle-cache.ts';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEVICES, type DeviceName } from '../../shared/engine/generate-params.ts';
import { AudioDecodeError, InvalidRequestError, LoaError, ModelBundleError } from '../../shared/errors.ts';
import type { Recipe } from '../../shared/library/recipe.ts';
import { renderingText } from '../../shared/library/rendering-text.ts';
import { exportMetadata } from '../export/export-metadata.ts';
import { renderExport } from '../export/render-export.ts';
import { importReferenceFile } from '../audio/reference-import.ts';
import { MANIFEST_FILE, manifestHash, readManifest } from '../engine/bundle/manifest.ts';
import { readRecipe, readSidecar } from '../library/wav-metadata.ts';
import { regenerationTask } from '../library/regeneration-task.ts';
import { ENGINE_OPTIONS, engineSettings, runJob, sidecarPath, UsageError, type TakeFile } from './run-job.ts';

export const REGENERATE_USAGE = 'Usage: npm run loa -- regenerate <take.wav> --out <file.wav> [--model <dir>] [--reference <file>] [--device auto|cpu|…] [--threads <n>]';

/** The recipe of a take: its iXML chunk first, then its sidecar. Says which it used. */
export async function loadRecipe(path: string): Promise<{ recipe: Recipe; source: string }> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new InvalidRequestError('file', `${path} does not exist.`, 'Check the path of the take to regenerate.');
    throw new LoaError('IO_FAILED', `Cannot read ${path}: ${(error as Error).message}.`, 'Check that the file is readable.');
  }
  let inside: Recipe | null;
  try {
    inside = readRecipe(bytes);
  } catch (error) {
    if (!(error instanceof AudioDecodeError)) throw error;
    throw new AudioDecodeError(`${path} is not a WAV file (${error.message}).`, 'Regenerate reads the WAV takes LOA Studio writes; pick one of those.');
  }
  if (inside) return { recipe: inside, source: 'its iXML chunk' };
  const sidecar = sidecarPath(path);
  const text = await readFile(sidecar, 'utf8').catch(() => null);
  const beside = text === null ? null : readSidecar(text);
  if (beside) return { recipe: beside, source: sidecar };
  throw new InvalidRequestError(
    'file',
    `${path} has no LOA Studio recipe (none in the file${text === null ? '' : `, none readable in ${sidecar}`}).`,
    'Only takes written by LOA Studio can be regenerated; another tool may have stripped the recipe, so try the original file or its .json.',
  );
}

function sha256Hex(samples: Float32Array): string {
  return createHash('sha256')
    .update(new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength))
    .digest('hex');
}

/** The recipe's provider when the user named none: bit-identical output needs the same one. */
function recipeDevice(recipe: Recipe): DeviceName | undefined {
  return (DEVICES as readonly string[]).includes(recipe.device) ? (recipe.device as DeviceName) : undefined;
}

/** Checks that `bundleDir` is the bundle the take was made with, by its manifest's SHA-256. */
async function checkBundle(recipe: Recipe, modelDir: string): Promise<number> {
  // A checkpoint folder names the bundle built from it (the same one the take's engine loaded).
  const bundleDir = await ensureBundle(modelDir);
  const manifest = await readManifest(bundleDir);
  const hash = await manifestHash(bundleDir);
  if (hash !== recipe.model.bundleHash) {
    throw new ModelBundleError(
      resolve(bundleDir, MANIFEST_FILE),
      `The take was made with "${recipe.model.name}" (${recipe.model.id}, manifest SHA-256 ${recipe.model.bundleHash}), but ${bundleDir} is "${manifest.name}" (${manifest.id}, manifest SHA-256 ${hash}).`,
      'Pass --model <dir> for the bundle the take was made with; another bundle cannot make the same take.',
    );
  }
  return manifest.config.sampleRate;
}

/** The reference the transform ran on, read again and checked against the recipe's SHA-256. */
async function loadReference(recipe: Recipe, override: string | undefined, rate: number): Promise<Float32Array> {
  const source = recipe.lineage!.reference;
  if (override === undefined && source.kind !== 'file') {
    throw new InvalidRequestError('reference', `The take was made from the studio take ${source.id}, not a file.`, 'Export that take and pass it with --reference <file>.');
  }
  const path = override === undefined ? source.id : resolve(override);
  const what = override === undefined ? `The reference ${path}` : `--reference ${path}`;
  const hint = 'Pass --reference <file> with the exact audio the take was made from.';
  let samples: Float32Array;
  try {
    samples = (await importReferenceFile(path, rate)).samples;
  } catch (error) {
    if (!(error instanceof LoaError)) throw error;
    throw new InvalidRequestError('reference', `${what} changed or is missing: ${error.message}`, hint);
  }
  const hash = sha256Hex(samples);
  if (hash !== source.sha256) {
    throw new InvalidRequestError('reference', `${what} changed or is missing: its audio has SHA-256 ${hash}, the take was made from ${source.sha256}.`, hint);
  }
  return samples;
}

/** "Regenerating vary take (strength 0.6) of “a low hum” (seed 3, dpmpp 4 steps) on tiny-random". */
export function regenerationLine(recipe: Recipe): string {
  const p = recipe.params;
  const what = 'op' in p ? `${p.op} take${recipe.strength === undefined ? '' : ` (strength ${recipe.strength})`}` : 'take';
  return `Regenerating ${what} of “${p.prompt}” (seed ${recipe.seed}, ${p.scheduler} ${p.steps} steps) on ${recipe.model.id}`;
}

export async function regenerate(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, strict: true, options: { ...ENGINE_OPTIONS, reference: { type: 'string', short: 'r' } } });
  if (positionals.length !== 1) throw new UsageError('file', positionals.length === 0 ? 'Missing the take to regenerate (<file.wav>).' : 'Give one take to regenerate.', REGENERATE_USAGE);
  if (!values.out) throw new UsageError('out', 'Missing --out <file.wav>.', REGENERATE_USAGE);
  const input = resolve(positionals[0]);
  const out = resolve(values.out);
  if (out === input) throw new UsageError('out', '--out is the take being regenerated.', 'Write the new take to another file, then compare the two.');

  const { recipe, source } = await loadRecipe(input);
  if (values.reference !== undefined && recipe.kind !== 'transform') {
    throw new UsageError('reference', '--reference applies only to audio-to-audio takes; this one was made from text alone.', REGENERATE_USAGE);
  }
  const engine = engineSettings({ ...values, device: values.device ?? recipeDevice(recipe) });
  // Bundle and reference are checked before the model loads: a mismatch costs milliseconds.
  const rate = await checkBundle(recipe, engine.bundleDir);
  const reference = recipe.kind === 'transform' ? await loadReference(recipe, values.reference, rate) : undefined;
  const task = regenerationTask(recipe, reference);

  process.stderr.write(`${regenerationLine(recipe)} (recipe from ${source}).\n`);
  if (engine.device !== recipe.device) {
    process.stderr.write(`notice: the take was made on ${recipe.device} and you asked for ${engine.device}: on another provider the samples may differ slightly.\n`);
  }
  const rendering = recipe.rendering;
  if (rendering) process.stderr.write(`The file is an export of take ${rendering.takeId}: the take is rendered again as it was (${renderingText({ ...rendering, result: undefined })}).\n`);
  // An export is rendered from the regenerated take exactly as before (rendering is deterministic).
  const exportFile: TakeFile | undefined = rendering
    ? async (take, made, rate) => ({ bytes: (await renderExport(take.samples, rate, rendering, rendering.region, exportMetadata(made, rendering))).bytes, recipe: { ...made, rendering } })
    : undefined;
  await runJob(
    engine,
    out,
    () => task,
    recipe.seed,
    1,
    () => recipe.lineage,
    exportFile,
  );
}
