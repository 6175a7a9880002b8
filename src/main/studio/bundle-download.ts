/**
 * Downloads a model bundle: its manifest, then every file the manifest lists (graphs, external
 * data, tokenizer files) from beside it. Each file grows in `<file>.partial`; a dropped connection
 * or a restarted download continues from the partial bytes (HTTP Range), and a file only takes its
 * real name once its sha256 matches the manifest. manifest.json is written last, so a folder with
 * one is always complete.
 */
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, win32 } from 'node:path';
import { LoaError, ModelBundleError } from '../../shared/errors.ts';
import type { DownloadProgress } from '../../shared/studio/studio-api.ts';
import { MANIFEST_FILE, resolveInBundle, type FileEntry } from '../engine/bundle/manifest.ts';
import { sha256File } from '../engine/bundle/verify-files.ts';
import { writeFileAtomic } from '../io/atomic-write.ts';

export interface DownloadOptions {
  /** Bundles land in `<modelsDir>/<bundle id>/`. */
  modelsDir: string;
  onProgress?: (progress: DownloadProgress) => void;
  /** Further attempts per request after a network error or a 5xx answer. */
  retries?: number;
  retryDelayMs?: number;
  /** A connection that delivers nothing for this long is dropped and retried. */
  idleTimeoutMs?: number;
}

/** Far above any real manifest (~15 kB); a bigger answer is not a manifest. */
const MAX_MANIFEST_BYTES = 4 << 20;
const PROGRESS_INTERVAL_MS = 100;
const BUNDLE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

class HttpStatusError extends Error {
  constructor(
    readonly status: number,
    url: string,
  ) {
    super(`the server answered HTTP ${status} for ${url}`);
  }
  get retryable(): boolean {
    return this.status >= 500 || this.status === 408 || this.status === 429;
  }
}

/** undici says only "fetch failed"; the reason (ECONNREFUSED, ENOTFOUND, …) sits in `cause`. */
function describe(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const detail = cause?.code ?? cause?.message;
  return detail ? `${(error as Error).message} (${detail})` : String((error as Error).message ?? error);
}

const downloadFailed = (what: string, error: unknown) =>
  new LoaError('IO_FAILED', `Could not download ${what}: ${describe(error)}.`, 'Check the address and your connection, then try again: the download resumes where it stopped.');

/** Every file a manifest lists, once each, refused if a path could leave the bundle folder. */
export function bundleFiles(manifest: Record<string, unknown>, dir: string): FileEntry[] {
  const entries: unknown[] = [];
  for (const component of Object.values((manifest.components ?? {}) as Record<string, { graphs?: unknown[] }>)) {
    for (const graph of component?.graphs ?? []) entries.push(graph, ...((graph as { externalData?: unknown[] })?.externalData ?? []));
  }
  for (const tokenizer of Object.values((manifest.tokenizers ?? {}) as Record<string, { files?: unknown[] }>)) entries.push(...(tokenizer?.files ?? []));
  const byName = new Map<string, FileEntry>();
  for (const entry of entries) {
    const e = entry as FileEntry;
    if (typeof e?.file !== 'string' || !/^[0-9a-f]{64}$/.test(e.sha256) || !Number.isSafeInteger(e.bytes) || e.bytes < 0) {
      throw new ModelBundleError(MANIFEST_FILE, `The manifest lists a file without a name, sha256 or size: ${JSON.stringify(entry)?.slice(0, 80)}.`);
    }
    // Checked for both path flavours, so a manifest can't escape on Windows with `..\` either.
    const parts = e.file.split(/[\\/]/);
    if (isAbsolute(e.file) || win32.isAbsolute(e.file) || /^[A-Za-z]:/.test(e.file) || parts.includes('..') || e.file.includes('\u0000') || e.file === MANIFEST_FILE) {
      throw new ModelBundleError(MANIFEST_FILE, `The manifest names a file outside the bundle folder: ${e.file}. Nothing was downloaded.`, 'Only download bundles from a source you trust.');
    }
    resolveInBundle(dir, e.file);
    byName.set(e.file, e);
  }
  if (byName.size === 0) throw new ModelBundleError(MANIFEST_FILE, 'The manifest lists no files.');
  return [...byName.values()];
}

export class BundleDownloader {
  constructor(private readonly options: DownloadOptions) {}

  /** Downloads the bundle and returns its folder. */
  async download(manifestUrl: string): Promise<string> {
    if (!/^https?:$/.test(new URL(manifestUrl).protocol)) {
      throw new ModelBundleError(
        manifestUrl,
        `Bundles download over http or https only, not ${new URL(manifestUrl).protocol}.`,
        'Paste an http(s) address, or import a folder that is already on this computer.',
      );
    }
    const bytes = await this.withRetries(manifestUrl, () => this.fetchManifest(manifestUrl));
    let manifest: Record<string, unknown>;
    try {
      manifest = JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
    } catch (error) {
      throw new ModelBundleError(manifestUrl, `${manifestUrl} is not a JSON manifest (${(error as Error).message}).`, "Use the address of the bundle's manifest.json.");
    }
    if (manifest?.format !== 'loa-studio-bundle' || typeof manifest.id !== 'string' || !BUNDLE_ID.test(manifest.id)) {
      throw new ModelBundleError(manifestUrl, `${manifestUrl} is not a LOA Studio bundle manifest (format "loa-studio-bundle" with an id made of letters, digits, . _ -).`);
    }
    const dir = join(this.options.modelsDir, manifest.id);
    for (const entry of bundleFiles(manifest, dir)) {
      // Path segments are escaped one by one, so a name can't turn into a query or another folder.
      const url = new URL(entry.file.split('/').map(encodeURIComponent).join('/'), manifestUrl).href;
      await this.downloadFile(manifestUrl, url, entry, resolveInBundle(dir, entry.file));
    }
    await writeFileAtomic(join(dir, MANIFEST_FILE), bytes);
    return dir;
  }

  private async fetchManifest(url: string): Promise<Uint8Array> {
    const response = await fetch(url, { signal: AbortSignal.timeout(this.options.idleTimeoutMs ?? 60_000) });
    if (!response.ok) throw new HttpStatusError(response.status, url);
    return readCapped(
      response,
      MAX_MANIFEST_BYTES,
      () => new ModelBundleError(url, `${url} is more than ${MAX_MANIFEST_BYTES} bytes: too big to be a bundle manifest.`, "Use the address of the bundle's manifest.json."),
    );
  }

  private async downloadFile(manifestUrl: string, url: string, entry: FileEntry, target: string): Promise<void> {
    const report = (receivedBytes: number, done: boolean) => this.options.onProgress?.({ url: manifestUrl, file: entry.file, receivedBytes, totalBytes: entry.bytes, done });
    if ((await sizeOf(target)) === entry.bytes && (await sha256File(target)) === entry.sha256) {
      report(entry.bytes, true); // already here from an earlier download
      return;
    }
    const partial = `${target}.partial`;
    await mkdir(dirname(target), { recursive: true });
    await this.withRetries(entry.file, () => this.fetchInto(url, entry, partial, report));
    if ((await sha256File(partial)) !== entry.sha256) {
      await rm(partial, { force: true });
      throw new ModelBundleError(
        target,
        `${entry.file} does not match its checksum in the manifest: the download was corrupted or the server has a different file. The partial file was deleted.`,
        'Try the download again; if it fails the same way, the bundle on the server is broken.',
      );
    }
    await rename(partial, target);
    report(entry.bytes, true);
  }

  /** Appends the missing bytes to `partial` (Range from its current length), or starts over if the server ignores the range. */
  private async fetchInto(url: string, entry: FileEntry, partial: string, report: (received: number, done: boolean) => void): Promise<void> {
    let have = await sizeOf(partial);
    if (have > entry.bytes) {
      await rm(partial, { force: true });
      have = 0;
    }
    if (have === entry.bytes) return;
    const controller = new AbortController();
    let idle: NodeJS.Timeout | undefined;
    const touch = () => {
      clearTimeout(idle);
      idle = setTimeout(() => controller.abort(new Error('the connection stalled')), this.options.idleTimeoutMs ?? 60_000);
    };
    touch();
    try {
      const response = await fetch(url, { headers: have > 0 ? { Range: `bytes=${have}-` } : {}, signal: controller.signal });
      if (response.status === 416) {
        await rm(partial, { force: true }); // our partial is longer than the server's file: start over
        throw new HttpStatusError(503, url);
      }
      if (!response.ok || !response.body) throw new HttpStatusError(response.status, url);
      const resumed = response.status === 206 && response.headers.get('content-range')?.startsWith(`bytes ${have}-`) === true;
      let received = resumed ? have : 0;
      const file = await open(partial, resumed ? 'a' : 'w');
      let lastReport = 0;
      try {
        for await (const chunk of response.body) {
          touch();
          received += chunk.length;
          if (received > entry.bytes) {
            await file.close().catch(() => {});
            await rm(partial, { force: true });
            throw new ModelBundleError(entry.file, `The server sent more than the ${entry.bytes} bytes the manifest lists for ${entry.file}.`);
          }
          await file.write(chunk);
          if (Date.now() - lastReport >= PROGRESS_INTERVAL_MS) {
            lastReport = Date.now();
            report(received, false);
          }
        }
      } finally {
        await file.close().catch(() => {});
      }
    } catch (error) {
      throw controller.signal.aborted && !(error instanceof LoaError) ? (controller.signal.reason as Error) : error;
    } finally {
      clearTimeout(idle);
    }
  }

  /** Network errors and 5xx answers are retried (each retry resumes); anything else fails at once. */
  private async withRetries<T>(what: string, attempt: () => Promise<T>): Promise<T> {
    const retries = this.options.retries ?? 4;
    for (let n = 0; ; n++) {
      try {
        return await attempt();
      } catch (error) {
        if (error instanceof LoaError) throw error;
        const retryable = error instanceof HttpStatusError ? error.retryable : true;
        if (!retryable || n >= retries) throw downloadFailed(what, error);
        await new Promise((resolve) => setTimeout(resolve, (this.options.retryDelayMs ?? 500) * 2 ** n));
      }
    }
  }
}

/**
 * A response body of at most `limit` bytes. The declared length is checked first and the stream
 * is read chunk by chunk and cancelled the moment it passes the limit, so an endless or lying
 * server costs at most `limit` plus one chunk of memory.
 */
export async function readCapped(response: Response, limit: number, tooBig: () => Error): Promise<Uint8Array> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > limit) {
    await response.body?.cancel().catch(() => {});
    throw tooBig();
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (response.body) {
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.length;
      if (size > limit) {
        await reader.cancel().catch(() => {});
        throw tooBig();
      }
      chunks.push(value);
    }
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return bytes;
}

async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}
