/**
 * Worker thread entry: decoding and resampling a long clip takes seconds to a minute of CPU
 * (libsamplerate-js is plain JavaScript), which must not stall the main process that serves the UI.
 */
import { parentPort } from 'node:worker_threads';
import { toErrorEnvelope } from '../../shared/errors.ts';
import { importReference, importReferenceFile } from './reference-import.ts';
import type { ImportJob } from './reference-import-thread.ts';

parentPort!.on('message', async (job: ImportJob) => {
  try {
    const progress = (fraction: number) => parentPort!.postMessage({ progress: fraction });
    const clip = 'path' in job ? await importReferenceFile(job.path, job.targetRate, {}, progress) : await importReference({ bytes: job.bytes, name: job.name }, job.targetRate, {}, progress);
    parentPort!.postMessage({ ok: true, clip }, [clip.samples.buffer as ArrayBuffer]);
  } catch (error) {
    parentPort!.postMessage({ ok: false, error: toErrorEnvelope(error) });
  }
});
