/**
 * `--farm <redis-url>` for generate, prompt lists and the audio-to-audio commands: the same jobs
 * runJobs would run here go to the farm's workers; each take comes back and is written exactly as
 * a local take (file, recipe sidecar, library row), once. Ctrl+C cancels every job not yet done.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { TakeTask } from '../../shared/engine/engine-protocol.ts';
import { REPO_ID_PATTERN } from '../../shared/studio/studio-validate.ts';
import { ensureBundle } from '../engine/builder/bundle-cache.ts';
import { manifestHash, readManifest } from '../engine/bundle/manifest.ts';
import { FarmClient, type FarmModelRequest, type FarmSubmitRequest } from '../farm/farm-client.ts';
import { fileIntoLibrary, withReference } from '../farm/farm-ingest.ts';
import { LibraryStore } from '../studio/library-store.ts';
import { progressLine, writeTake, type CliJob, type EngineSettings } from './run-job.ts';

/** AudioLDM 2's rate: a reference is resampled to it when the model is not on this machine to ask. */
const AUDIOLDM2_RATE = 16_000;

/**
 * The model a farm job asks for, from --model: a folder here is named by its exact bundle (the
 * manifest hash); a Hub repo id by the repo; no --model leaves the choice to the workers.
 */
export async function farmModelRequest(spec: string | undefined): Promise<{ model?: FarmModelRequest; sampleRate: number }> {
  if (spec === undefined) return { sampleRate: AUDIOLDM2_RATE };
  if (!existsSync(spec) && REPO_ID_PATTERN.test(spec)) return { model: { repo: spec }, sampleRate: AUDIOLDM2_RATE };
  const dir = await ensureBundle(resolve(spec));
  return { model: { bundleHash: await manifestHash(dir) }, sampleRate: (await readManifest(dir)).config.sampleRate };
}

function submitRequest(task: TakeTask, model: FarmModelRequest | undefined, referenceName: string, sampleRate: number): FarmSubmitRequest {
  if (task.kind === 'generate') return { kind: 'generate', params: task.params, ...(model ? { model } : {}) };
  return { kind: 'transform', params: task.params, reference: { name: referenceName, samples: task.reference, sampleRate }, ...(model ? { model } : {}) };
}

export async function runFarmJobs(engine: EngineSettings & { farm: string }, jobs: CliJob[]): Promise<void> {
  const { model, sampleRate } = await farmModelRequest(engine.modelSpec);
  const client = await FarmClient.connect(engine.farm);
  let library: LibraryStore | undefined;
  const pending = new Set<string>();
  const onSigint = () => {
    process.stderr.write(`\nCancelling ${pending.size} farm job(s)…\n`);
    for (const jobId of pending) void client.cancel(jobId).catch(() => {});
  };
  try {
    const workers = await client.workers();
    process.stderr.write(
      `Farm ${client.connection.display}: ${workers.length} worker(s)${workers.length ? ` (${workers.map((w) => `${w.name} on ${w.device}`).join(', ')})` : ' — jobs wait until one starts'}.\n`,
    );
    library = engine.libraryDir ? await LibraryStore.open(engine.libraryDir) : undefined;
    const submitted: Array<{ job: CliJob; jobId: string }> = [];
    for (const job of jobs) {
      const task = await job.task(sampleRate);
      // The worker knows the reference only by this label; the file's path stays here (withReference).
      const jobId = await client.submit(submitRequest(task, model, 'reference', sampleRate));
      pending.add(jobId);
      submitted.push({ job, jobId });
    }
    process.stderr.write(`Submitted ${submitted.length} job(s).\n`);
    process.on('SIGINT', onSigint);
    if (submitted.length === 1) client.on('progress', (jobId, p) => pending.has(jobId) && process.stderr.write(`\r${progressLine(p)}`));
    let done = 0;
    const failures: Error[] = [];
    await Promise.all(
      submitted.map(async ({ job, jobId }) => {
        try {
          const outcome = await client.result(jobId);
          pending.delete(jobId);
          if (submitted.length === 1) process.stderr.write('\n');
          for (const { rank, take, recipe } of outcome.takes) {
            await writeTake(job, take, rank, withReference(recipe, job.lineage?.(take)?.reference), outcome.result.sampleRate);
          }
          if (library) {
            const filed = await fileIntoLibrary(library, jobId, outcome, job.lineage?.(outcome.takes[0].take)?.reference);
            process.stderr.write(`  saved to the library ${engine.libraryDir} as ${filed.map((f) => f.takeId).join(', ')}\n`);
          }
          await client.release(jobId);
          done += 1;
          process.stderr.write(`Job ${done}/${submitted.length} done on ${outcome.result.worker} (${outcome.result.device}, ${outcome.result.timings.runMs} ms)${job.label ? `: ${job.label}` : ''}\n`);
        } catch (error) {
          pending.delete(jobId);
          failures.push(error as Error);
          process.stderr.write(`Job ${jobId}${job.label ? ` (${job.label})` : ''} failed: ${(error as Error).message}\n`);
        }
      }),
    );
    if (failures.length > 0) {
      const first = failures[0];
      if (failures.length > 1) first.message = `${failures.length} of ${submitted.length} farm jobs failed; the first: ${first.message}`;
      throw first;
    }
  } finally {
    process.off('SIGINT', onSigint);
    library?.close();
    await client.close();
  }
}
