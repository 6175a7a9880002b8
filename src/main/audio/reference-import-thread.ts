/**
 * Reference import off the main thread: one short-lived worker per import, so a 10-minute clip's
 * resampling never blocks the event loop that answers the UI (and a crash in a WASM decoder
 * takes down the worker, not the studio).
 */
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { fromErrorEnvelope, LoaError, type ErrorEnvelope } from '../../shared/errors.ts';
import { siblingEntry } from '../worker-entry.ts';
import type { ReferenceClip } from './reference-import.ts';

export type ImportJob = { path: string; targetRate: number } | { bytes: Uint8Array; name?: string; targetRate: number };

type Reply = { ok: true; clip: ReferenceClip } | { ok: false; error: ErrorEnvelope } | { progress: number };

/**
 * A built .js entry starts directly. Under tsx (dev, tests) a worker does not inherit the TypeScript
 * loader, so a tiny bootstrap registers tsx in the worker first and then imports the .ts entry.
 */
function startWorker(path: string): Worker {
  if (!path.endsWith('.ts')) return new Worker(path);
  const bootstrap = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(pathToFileURL(path).href)}); })`;
  return new Worker(bootstrap, { eval: true });
}

/** `onProgress` hears how far the import has got (0..1; resampling is most of a long clip's time). */
export function importReferenceOffThread(job: ImportJob, onProgress?: (fraction: number) => void): Promise<ReferenceClip> {
  const worker = startWorker(siblingEntry(import.meta.url, 'reference-import-worker').path);
  return new Promise<ReferenceClip>((resolve, reject) => {
    let settled = false;
    worker.on('message', (reply: Reply) => {
      if ('progress' in reply) {
        onProgress?.(reply.progress);
        return;
      }
      settled = true;
      if (reply.ok) resolve(reply.clip);
      else reject(fromErrorEnvelope(reply.error));
      void worker.terminate();
    });
    worker.once('error', (error) => {
      settled = true;
      reject(new LoaError('AUDIO_DECODE', `Reading the clip failed: ${error.message}`, 'Try another file, or convert this one to WAV.'));
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new LoaError('AUDIO_DECODE', `The clip reader stopped unexpectedly (exit ${code}).`, 'Try another file, or convert this one to WAV.'));
    });
    worker.postMessage(job, 'bytes' in job ? [job.bytes.buffer as ArrayBuffer] : []);
  });
}
