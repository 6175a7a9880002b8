/**
 * One install's files: reuses what the Hugging Face cache already holds (checked against the hash
 * its blob is named by), fetches the rest through download-blob.ts, and reports progress with a
 * rate and ETA over the last few seconds.
 */
import { rm } from 'node:fs/promises';
import { CancelledError, LoaError } from '../../shared/errors.ts';
import type { InstallEvent, InstallPlanFile } from '../../shared/models/hub-install.ts';
import { downloadBlob, sizeOf } from './download-blob.ts';
import { hashFile, hashKind, type HfRepoCache } from './hf-cache.ts';
import type { HubClient, RemoteFile } from './hub-client.ts';
import type { ModelInstallerOptions } from './model-installer.ts';

const PROGRESS_INTERVAL_MS = 100;
const RATE_WINDOW_MS = 5000;

export class FileFetcher {
  private total = 0;
  private done = 0;
  private samples: Array<{ t: number; bytes: number }> = [];
  private lastEmit = 0;

  constructor(
    private readonly options: ModelInstallerOptions,
    private readonly client: HubClient,
    private readonly cache: HfRepoCache,
    private readonly commit: string,
    private readonly signal: AbortSignal,
    private readonly emit: (e: InstallEvent) => void,
  ) {}

  setTotal(total: number, alreadyDone: number): void {
    this.total = total;
    this.done = alreadyDone;
  }

  async planFile(f: RemoteFile): Promise<{ file: InstallPlanFile; remaining: number }> {
    const hash = fileHash(f);
    const bytes = fileSize(f);
    const file = (state: InstallPlanFile['state']): InstallPlanFile => ({ path: f.path, bytes, check: hashKind(hash), hash, state });
    if ((await sizeOf(this.cache.blobPath(hash))) === bytes) return { file: file('cached'), remaining: 0 };
    const have = await sizeOf(this.cache.incompletePath(hash));
    if (have > 0 && have <= bytes) return { file: file('partial'), remaining: bytes - have };
    return { file: file('missing'), remaining: bytes };
  }

  /** Makes snapshots/<commit>/<path> point at a verified blob of the file. */
  async ensure(f: RemoteFile): Promise<void> {
    if (this.signal.aborted) throw new CancelledError('Install cancelled. What was downloaded stays in the cache and the next install resumes it.');
    const hash = fileHash(f);
    const bytes = fileSize(f);
    const blob = this.cache.blobPath(hash);
    const check = hashKind(hash);
    let reused = false;
    if ((await sizeOf(blob)) === bytes) {
      this.emit({ type: 'verify', file: f.path, check });
      if ((await hashFile(blob, check)) === hash) reused = true;
      else {
        this.emit({ type: 'notice', message: `${blob} does not match its checksum; fetching ${f.path} again.` });
        await rm(blob, { force: true });
        this.done -= Math.min(this.done, bytes);
      }
    }
    if (!reused) {
      const base = this.done;
      await downloadBlob(
        this.client,
        this.cache,
        { repo: this.cache.repo, commit: this.commit, path: f.path, size: bytes, hash },
        {
          signal: this.signal,
          retries: this.options.retries ?? 4,
          retryDelayMs: this.options.retryDelayMs ?? 500,
          idleTimeoutMs: this.options.idleTimeoutMs ?? 60_000,
          onBytes: (have) => this.progress(f.path, have, bytes, base + have, have === bytes),
          onRetry: (attempt, reason, delayMs) => this.emit({ type: 'retry', file: f.path, attempt, reason, delayMs }),
          onVerify: () => this.emit({ type: 'verify', file: f.path, check }),
        },
      );
      this.done = base + bytes;
    }
    await this.cache.linkSnapshot(this.commit, f.path, hash);
    this.emit({ type: 'file-done', file: f.path, reused });
  }

  private progress(file: string, fileBytes: number, fileTotal: number, overall: number, force: boolean): void {
    const now = Date.now();
    this.samples.push({ t: now, bytes: overall });
    while (this.samples.length > 2 && now - this.samples[0].t > RATE_WINDOW_MS) this.samples.shift();
    if (!force && now - this.lastEmit < PROGRESS_INTERVAL_MS) return;
    this.lastEmit = now;
    const first = this.samples[0];
    const seconds = (now - first.t) / 1000;
    const rate = seconds >= 1 && overall > first.bytes ? (overall - first.bytes) / seconds : null;
    const total = Math.max(this.total, overall);
    this.emit({ type: 'download', file, fileBytes, fileTotal, bytes: overall, total, rate, etaSeconds: rate ? (total - overall) / rate : null });
  }
}

/** LFS files are named by their sha256, small files by their git blob sha1 (as huggingface_hub does). */
export function fileHash(f: RemoteFile): string {
  // A Xet-stored file without LFS metadata has no sha256 listed, and its git oid is its pointer's.
  if (f.xetHash && !f.lfs)
    throw new LoaError(
      'IO_FAILED',
      `The Hub lists no sha256 for ${f.path} (stored with Xet only), so it cannot be checked.`,
      'LOA Studio uses no file it cannot check: download the checkpoint with another tool and install it from the Hugging Face cache.',
    );
  const hash = f.lfs?.oid ?? f.oid;
  if (!/^(?:[0-9a-f]{40}|[0-9a-f]{64})$/.test(hash)) throw new LoaError('IO_FAILED', `The Hub gave no usable checksum for ${f.path}.`, 'Try again later; LOA Studio uses no file it cannot check.');
  return hash;
}

export function fileSize(f: RemoteFile): number {
  return f.lfs?.size ?? f.size;
}
