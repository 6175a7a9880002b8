/**
 * What every engine command of the CLI shares: engine flags, starting the engine, a progress line
 * on stderr, Ctrl+C to cancel, and writing each take atomically.
 */
import { homedir } from 'node:os';
import { createHash, randomUUID } from 'node:crypto';
import { basename, join, resolve } from 'node:path';
import type { Lineage } from '../../shared/engine/lineage.ts';
import type { Recipe } from '../../shared/library/recipe.ts';
import { makeRecipe } from '../library/make-recipe.ts';
import { LibraryStore } from '../studio/library-store.ts';
import { recipeChunks, sidecarJson } from '../library/wav-metadata.ts';
import type { TakeData, TakeTask } from '../../shared/engine/engine-protocol.ts';
import { validateDevice, type DeviceName } from '../../shared/engine/generate-params.ts';
import type { Progress } from '../../shared/engine/progress.ts';
import { InvalidRequestError } from '../../shared/errors.ts';
import { encodeWav } from '../audio/wav.ts';
import { EngineHost } from '../engine/host/engine-host.ts';
import { takePath, writeFileAtomic } from '../io/atomic-write.ts';

export const DEFAULT_MODEL_DIR = 'models/audioldm2';

/** `x.wav` → `x.json`: the recipe sidecar beside a take. */
export function sidecarPath(wav: string): string {
  return `${wav.replace(/\.wav$/i, '')}.json`;
}

export function cacheDir(): string {
  return process.env.LOA_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'loa-studio');
}

export class UsageError extends InvalidRequestError {}

export const ENGINE_OPTIONS = {
  out: { type: 'string', short: 'o' },
  model: { type: 'string', short: 'm' },
  device: { type: 'string' },
  threads: { type: 'string' },
  /** Also save every take into this library (the studio's SQLite library folder). */
  library: { type: 'string' },
  /** Run the jobs on a render farm (redis:// or rediss:// URL) instead of this machine's engine. */
  farm: { type: 'string' },
} as const;

export const MODEL_OPTIONS = {
  steps: { type: 'string' },
  scheduler: { type: 'string' },
  guidance: { type: 'string' },
  negative: { type: 'string' },
  seed: { type: 'string' },
  takes: { type: 'string' },
} as const;

export interface EngineSettings {
  bundleDir: string;
  device: DeviceName;
  threads: number | undefined;
  libraryDir?: string;
  /** The render farm's URL: jobs go to its workers, takes come back here. */
  farm?: string;
  /** --model as given (a farm job names the model it needs from it). */
  modelSpec?: string;
}

export function engineSettings(values: { model?: string; device?: string; threads?: string; library?: string; farm?: string }): EngineSettings {
  const device = validateDevice(values.device);
  const threads = values.threads === undefined ? undefined : Number(values.threads);
  if (threads !== undefined && (!Number.isInteger(threads) || threads < 1 || threads > 256)) {
    throw new UsageError('threads', `--threads must be a whole number from 1 to 256, got ${values.threads}.`);
  }
  // `--farm env` reads the URL from LOA_FARM_URL, so a password never shows in the process list.
  const farm = values.farm === 'env' ? farmUrlFromEnv() : values.farm;
  return {
    bundleDir: resolve(values.model ?? DEFAULT_MODEL_DIR),
    device,
    threads,
    ...(values.library ? { libraryDir: resolve(values.library) } : {}),
    ...(farm ? { farm } : {}),
    ...(values.model ? { modelSpec: values.model } : {}),
  };
}

export function farmUrlFromEnv(): string {
  const url = process.env.LOA_FARM_URL;
  if (!url) throw new UsageError('farm', 'LOA_FARM_URL is not set.', 'Set LOA_FARM_URL=redis://[user:password@]host:6379, or give the URL itself.');
  return url;
}

/** The bytes of one output file for a take, and the recipe it carries (also written beside it). */
export type TakeFile = (take: TakeData, recipe: Recipe, sampleRate: number) => Promise<{ bytes: Uint8Array; recipe: Recipe }>;

/** A take as the model made it: float32 with its recipe inside (bext, iXML, LIST/INFO; loops a smpl chunk too). */
export const takeFile: TakeFile = async (take, recipe, sampleRate) => {
  // The bext reference names the audio itself, so the same take gets the same reference.
  const chunks = recipeChunks(recipe, {
    takeId: createHash('sha256')
      .update(new Uint8Array(take.samples.buffer, take.samples.byteOffset, take.samples.byteLength))
      .digest('hex')
      .slice(0, 16),
  });
  return { bytes: encodeWav([take.samples], sampleRate, 'float32', { ...(take.loop ? { loop: take.loop } : {}), chunks }), recipe };
};

/**
 * A variation grid's take file: `x.wav` → `x_s0.25_seed7.wav`. Every cell of a grid is named by
 * its own strength and seed, so a folder of them reads as the grid it is (issue 13).
 */
export function gridTakePath(out: string, strength: number, seed: number): string {
  const dot = out.toLowerCase().endsWith('.wav') ? out.length - 4 : out.length;
  return `${out.slice(0, dot)}_s${strength}_seed${seed}${out.slice(dot) || '.wav'}`;
}

/** One job of a CLI run: what to make, and where its takes go (`out`, `out-2.wav`, …). */
export interface CliJob {
  out: string;
  task: (sampleRate: number) => TakeTask | Promise<TakeTask>;
  seed: number;
  takes: number;
  lineage?: (take: TakeData) => Lineage | undefined;
  /** How each take's file is made; by default the take with its recipe inside. */
  file?: TakeFile;
  /** Said before the job starts when there are several ("rain on a tin roof"). */
  label?: string;
  /** Where take `rank` (1 = best) goes; `out`, `out-2.wav`, … by default. */
  path?: (take: TakeData, rank: number) => string;
}

/**
 * Starts the engine, runs one job with a progress line on stderr (Ctrl+C cancels), and writes
 * each take atomically: `out`, `out-2.wav`, … as `file` makes it (by default the take with its
 * recipe inside) and the recipe beside it (`out.json`), so `regenerate` can make it again.
 */
export function runJob(
  engine: EngineSettings,
  out: string,
  task: (sampleRate: number) => TakeTask | Promise<TakeTask>,
  seed: number,
  takes: number,
  lineage?: (take: TakeData) => Lineage | undefined,
  file?: TakeFile,
  path?: CliJob['path'],
): Promise<void> {
  return runJobs(engine, [{ out, task, seed, takes, lineage, file, path }]);
}

/** runJob for several jobs on one engine (the model loads once); Ctrl+C cancels the running job and the rest. */
export async function runJobs(engine: EngineSettings, jobs: CliJob[]): Promise<void> {
  if (engine.farm) return (await import('./farm-jobs.ts')).runFarmJobs({ ...engine, farm: engine.farm }, jobs);
  const host = new EngineHost({ bundleDir: engine.bundleDir, device: engine.device, cacheDir: cacheDir(), intraOpThreads: engine.threads });
  const tty = process.stderr.isTTY;
  let lastLine = '';
  const print = (line: string) => {
    if (tty) process.stderr.write(`\r${line.padEnd(lastLine.length)}`);
    else if (line.split(' ')[1] !== lastLine.split(' ')[1] || line.startsWith('100%')) process.stderr.write(`${line}\n`);
    lastLine = line;
  };
  let library: LibraryStore | undefined;
  try {
    process.stderr.write(`Loading ${engine.bundleDir} …\n`);
    const info = await host.start();
    for (const notice of info.notices) process.stderr.write(`notice: ${notice}\n`);
    process.stderr.write(`Model ${info.bundleName} on ${info.provider} (${Math.round(info.loadMs)} ms).\n`);
    // Opened before anything is written: a damaged library stops here, not after the first file.
    library = engine.libraryDir ? await LibraryStore.open(engine.libraryDir) : undefined;
    for (const [index, job] of jobs.entries()) {
      const { seed, takes } = job;
      if (jobs.length > 1) process.stderr.write(`Job ${index + 1}/${jobs.length}${job.label ? `: ${job.label}` : ''}\n`);
      process.stderr.write(`Seed ${seed}${takes > 1 ? `…${seed + takes - 1}` : ''}.\n`);
      const task = await job.task(info.sampleRate);
      const running = host.run(task, { onProgress: (p) => print(progressLine(p)) });
      let interrupted = false;
      const onSigint = () => {
        if (interrupted) process.exit(130);
        interrupted = true;
        process.stderr.write('\nCancelling… (Ctrl+C again to quit at once)\n');
        host.cancel(running.jobId);
      };
      process.on('SIGINT', onSigint);
      const output = await running.result.finally(() => process.off('SIGINT', onSigint));
      if (tty) process.stderr.write('\n');
      lastLine = '';
      for (const notice of output.notices.filter((n) => !info.notices.includes(n))) process.stderr.write(`notice: ${notice}\n`);
      const jobId = randomUUID().replaceAll('-', '');
      for (const [rank, take] of output.takes.entries()) {
        const recipe = makeRecipe(task, take, info, job.lineage?.(take));
        await writeTake(job, take, rank + 1, recipe, output.sampleRate);
        if (library) {
          const saved = await library.add({
            jobId,
            rank: rank + 1,
            params: task.params,
            seed: take.seed,
            score: take.score,
            sampleRate: output.sampleRate,
            samples: take.samples,
            modelId: info.bundleId,
            device: info.provider,
            lineage: recipe.lineage,
            loop: take.loop,
            recipe,
            embedding: take.embedding,
          });
          process.stderr.write(`  saved to the library ${engine.libraryDir} as ${saved.id}\n`);
        }
      }
    }
  } finally {
    library?.close();
    await host.stop();
  }
}

/** Writes take `rank` of a job (the file and its recipe sidecar, atomically) and says so on stderr. */
export async function writeTake(job: CliJob, take: TakeData, rank: number, recipe: Recipe, sampleRate: number): Promise<string> {
  const path = job.path?.(take, rank) ?? takePath(job.out, rank);
  const written = await (job.file ?? takeFile)(take, recipe, sampleRate);
  await writeFileAtomic(path, written.bytes);
  await writeFileAtomic(sidecarPath(path), new TextEncoder().encode(sidecarJson(written.recipe)));
  const notes = [
    take.score === null ? '' : `CLAP ${take.score.toFixed(3)}`,
    take.strength === undefined ? '' : `strength ${take.strength}`,
    take.loop ? `loop ${take.loop.start}–${take.loop.end}` : '',
  ]
    .filter(Boolean)
    .join(', ');
  process.stderr.write(`wrote ${path} (seed ${take.seed}, ${(take.samples.length / sampleRate).toFixed(2)} s${notes ? `, ${notes}` : ''}) + ${basename(sidecarPath(path))}\n`);
  return path;
}

export function progressLine(p: Progress): string {
  const pct = `${Math.round(p.fraction * 100)}%`.padStart(4);
  const where = p.stage === 'denoise' ? `take ${p.take}/${p.takes} step ${p.step}/${p.steps}` : p.take > 0 ? `take ${p.take}/${p.takes}` : '';
  const eta = p.etaMs === null ? '' : ` ETA ${formatSeconds(p.etaMs)}`;
  return `${pct} ${p.stage.padEnd(7)} ${where}${eta}`;
}

function formatSeconds(ms: number): string {
  const s = Math.ceil(ms / 1000);
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}
