/**
 * One file from the Hub into the cache's blobs/: bytes grow in `blobs/<hash>.incomplete` (the name
 * huggingface_hub also resumes from), a dropped connection, a stall or a crashed app continues from
 * the bytes already there with a Range request, and the file takes its real name only once its
 * checksum matches the Hub's (sha256 of LFS files, git's blob sha1 of small ones). A mismatch
 * deletes the bytes and fetches the file again.
 */
import { mkdir, open, readFile, rename, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { CancelledError, DiskFullError, isDiskFull, LoaError } from '../../shared/errors.ts';
import { hashFile, hashKind, type HfRepoCache } from './hf-cache.ts';
import { hubStatus, type HubClient } from './hub-client.ts';

export interface BlobRequest {
  repo: string;
  commit: string;
  path: string;
  size: number;
  hash: string;
}

export interface BlobDownloadOptions {
  signal: AbortSignal;
  /** Further attempts after a network error, a stall, a 5xx/408/429 answer or a checksum mismatch. */
  retries: number;
  retryDelayMs: number;
  /** A connection that delivers nothing for this long is dropped and resumed. */
  idleTimeoutMs: number;
  /** Bytes of this file on disk so far (called often; the caller throttles). */
  onBytes: (have: number) => void;
  onRetry: (attempt: number, reason: string, delayMs: number) => void;
  onVerify: () => void;
}

export const sizeOf = (path: string) =>
  stat(path).then(
    (s) => s.size,
    () => -1,
  );

class ChecksumMismatch extends Error {}
class Stalled extends Error {}

/** Whether `error` may go away by trying again (with the bytes kept). */
function retryable(error: unknown): boolean {
  if (error instanceof ChecksumMismatch || error instanceof Stalled) return true;
  const status = hubStatus(error);
  if (status !== undefined) return status >= 500 || status === 408 || status === 429;
  return true; // network errors: reset, refused, "terminated"
}

function reasonOf(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  const base = error instanceof Error ? error.message : String(error);
  return cause?.code || cause?.message ? `${base} (${cause.code ?? cause.message})` : base;
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });

/**
 * One writer per partial blob across processes (the studio and a CLI install of the same repo):
 * `<cache>/.locks/models--org--name/<hash>.loa.lock` holds the writer's pid, and a lock whose
 * process is gone (a crash) is taken over. huggingface_hub's own `<hash>.lock` files are left alone.
 */
async function lockBlob(cache: HfRepoCache, file: BlobRequest): Promise<() => Promise<void>> {
  const lock = join(cache.cacheDir, '.locks', basename(cache.dir), `${file.hash}.loa.lock`);
  await mkdir(dirname(lock), { recursive: true });
  for (let tries = 0; tries < 3; tries++) {
    try {
      await writeFile(lock, String(process.pid), { flag: 'wx' });
      return () => rm(lock, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const pid = Number(await readFile(lock, 'utf8').catch(() => ''));
      if (Number.isInteger(pid) && pid > 0 && alive(pid)) {
        throw new LoaError(
          'IO_FAILED',
          `Another LOA Studio process (pid ${pid}) is downloading ${file.path} into ${cache.dir}.`,
          'Wait for that install to finish (or stop it), then install again: nothing is downloaded twice.',
        );
      }
      await rm(lock, { force: true }); // its process is gone
    }
  }
  throw new LoaError('IO_FAILED', `Could not lock ${lock}.`, 'Try the install again.');
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Downloads (or resumes) the blob and verifies it; returns once `blobs/<hash>` holds the right bytes. */
export async function downloadBlob(client: HubClient, cache: HfRepoCache, file: BlobRequest, options: BlobDownloadOptions): Promise<void> {
  const target = cache.blobPath(file.hash);
  await mkdir(dirname(target), { recursive: true });
  const unlock = await lockBlob(cache, file);
  try {
    await downloadLocked(client, cache, file, options);
  } finally {
    await unlock();
  }
}

async function downloadLocked(client: HubClient, cache: HfRepoCache, file: BlobRequest, options: BlobDownloadOptions): Promise<void> {
  const target = cache.blobPath(file.hash);
  const partial = cache.incompletePath(file.hash);
  for (let attempt = 0; ; attempt++) {
    if (options.signal.aborted) throw new CancelledError('Install cancelled. What was downloaded stays in the cache and the next install resumes it.');
    try {
      await fetchInto(client, file, partial, options);
      options.onVerify();
      if ((await hashFile(partial, hashKind(file.hash))) !== file.hash) {
        await rm(partial, { force: true });
        throw new ChecksumMismatch(`${file.path} did not match the Hub's ${hashKind(file.hash)} ${file.hash}; its bytes were deleted`);
      }
      await rename(partial, target);
      return;
    } catch (error) {
      if (options.signal.aborted) throw new CancelledError('Install cancelled. What was downloaded stays in the cache and the next install resumes it.');
      if (isDiskFull(error))
        throw new DiskFullError(partial, `The disk filled up while downloading ${file.path} into ${dirname(target)}. The bytes so far are kept: free some space and install again to resume.`);
      if (error instanceof LoaError) throw error;
      if (!retryable(error) || attempt >= options.retries) {
        const status = hubStatus(error);
        const hint =
          status === 401 || status === 403
            ? 'The repo is private or gated, or the token is wrong: accept its terms on the Hub and give an access token (HF_TOKEN).'
            : 'Check your connection and install again: it resumes where it stopped.';
        throw new LoaError('IO_FAILED', `Could not download ${file.path} from ${file.repo}: ${reasonOf(error)}.`, hint);
      }
      const delayMs = options.retryDelayMs * 2 ** attempt;
      options.onRetry(attempt + 1, reasonOf(error), delayMs);
      await sleep(delayMs, options.signal);
    }
  }
}

/** Appends the missing bytes to `partial` from where it ends. */
async function fetchInto(client: HubClient, file: BlobRequest, partial: string, options: BlobDownloadOptions): Promise<void> {
  let have = Math.max(0, await sizeOf(partial));
  if (have > file.size) {
    await truncate(partial, 0);
    have = 0;
  }
  options.onBytes(have);
  if (have === file.size) {
    if (file.size === 0) await (await open(partial, 'a')).close();
    return;
  }
  const controller = new AbortController();
  const onAbort = () => controller.abort(options.signal.reason);
  options.signal.addEventListener('abort', onAbort, { once: true });
  let idle: NodeJS.Timeout | undefined;
  const touch = () => {
    clearTimeout(idle);
    idle = setTimeout(() => controller.abort(new Stalled(`no data for ${Math.round(options.idleTimeoutMs / 1000)} s`)), options.idleTimeoutMs);
  };
  touch();
  const handle = await open(partial, 'a');
  try {
    const stream = await client.read(file.repo, file.commit, file.path, have, controller.signal);
    const reader = stream.getReader();
    const aborted = new Promise<never>((_, reject) => {
      const fail = () => reject(controller.signal.reason instanceof Error ? controller.signal.reason : new Stalled(String(controller.signal.reason)));
      if (controller.signal.aborted) fail();
      controller.signal.addEventListener('abort', fail, { once: true });
    });
    aborted.catch(() => {});
    for (;;) {
      const { done, value } = await Promise.race([reader.read(), aborted]);
      if (done) break;
      touch();
      if (have + value.length > file.size) throw new ChecksumMismatch(`the server sent more than the ${file.size} bytes of ${file.path}`);
      await handle.write(value);
      have += value.length;
      options.onBytes(have);
    }
    reader.cancel().catch(() => {});
    if (have < file.size) throw new Error(`the connection closed after ${have} of ${file.size} bytes`);
  } catch (error) {
    if (controller.signal.aborted && controller.signal.reason instanceof Stalled) throw controller.signal.reason;
    throw typeof error === 'string' ? new Error(error) : error;
  } finally {
    clearTimeout(idle);
    options.signal.removeEventListener('abort', onAbort);
    controller.abort();
    await handle.close().catch(() => {});
  }
}
