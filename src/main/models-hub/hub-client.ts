/**
 * The one place that talks to the Hub, through `@huggingface/hub` (its maintained JS client). Kept
 * to three calls so another transport can replace it. What the client does not do — resume and
 * checksums — the downloader does around it (`docs/checkpoints.md §7`).
 *
 * Files stored with Xet take the client's own Xet path inside `downloadFile` (XetBlob, sliced for
 * resume the same way). Nothing here can reach the real Hub, so that path is untested: the tests'
 * stand-in serves plain LFS redirects, as the Hub did before Xet and still does for LFS repos.
 */
import { downloadFile, HubApiError, listFiles, modelInfo } from '@huggingface/hub';

export interface RemoteFile {
  path: string;
  size: number;
  /** git blob sha1 of the file (for LFS files: of its pointer). */
  oid: string;
  /** LFS files: the content's sha256 and size. */
  lfs?: { oid: string; size: number };
  xetHash?: string;
}

export interface HubClient {
  /** The commit a branch, tag or commit id names. */
  resolveCommit(repo: string, revision: string, signal: AbortSignal): Promise<string>;
  /** Every file of the repo at `commit`. */
  listFiles(repo: string, commit: string, signal: AbortSignal): Promise<RemoteFile[]>;
  /** The file's bytes from `start` to its end. */
  read(repo: string, commit: string, path: string, start: number, signal: AbortSignal): Promise<ReadableStream<Uint8Array>>;
}

export interface HubClientOptions {
  hubUrl?: string;
  accessToken?: string;
  /** Replaces global fetch (the tests count requests with it). */
  fetch?: typeof fetch;
}

export const DEFAULT_HUB_URL = 'https://huggingface.co';

/** An HTTP status from the Hub, wherever the client buried it. */
export function hubStatus(error: unknown): number | undefined {
  if (error instanceof HubApiError) return error.statusCode;
  const m = /status (\d{3})/.exec(String((error as Error)?.message ?? error));
  return m ? Number(m[1]) : undefined;
}

export function createHubClient(options: HubClientOptions = {}): HubClient {
  const hubUrl = (options.hubUrl ?? DEFAULT_HUB_URL).replace(/\/+$/, '');
  const accessToken = options.accessToken || undefined;
  const baseFetch = options.fetch ?? fetch;
  /** Every request of one call carries that call's signal (cancel, stall timeout). */
  const fetchWith =
    (signal: AbortSignal): typeof fetch =>
    (input, init) =>
      baseFetch(input, { ...init, signal });
  return {
    async resolveCommit(repo, revision, signal) {
      const info = await modelInfo({ name: repo, revision, hubUrl, accessToken, fetch: fetchWith(signal), additionalFields: ['sha'] });
      const sha = (info as { sha?: string }).sha;
      if (!sha || !/^[0-9a-f]{40}$/.test(sha)) throw new Error(`the Hub named no commit for ${repo}@${revision}`);
      return sha;
    },
    async listFiles(repo, commit, signal) {
      const files: RemoteFile[] = [];
      for await (const entry of listFiles({ repo: { type: 'model', name: repo }, revision: commit, recursive: true, hubUrl, accessToken, fetch: fetchWith(signal) })) {
        if (entry.type !== 'file') continue;
        files.push({
          path: entry.path,
          size: entry.size,
          oid: entry.oid ?? '',
          ...(entry.lfs ? { lfs: { oid: entry.lfs.oid, size: entry.lfs.size } } : {}),
          ...(entry.xetHash ? { xetHash: entry.xetHash } : {}),
        });
      }
      return files;
    },
    async read(repo, commit, path, start, signal) {
      const blob = await downloadFile({ repo: { type: 'model', name: repo }, path, revision: commit, hubUrl, accessToken, fetch: fetchWith(signal) });
      if (!blob) throw new HubApiError(`${hubUrl}/${repo}/resolve/${commit}/${path}`, 404, undefined, `${path} is not in ${repo}@${commit}`);
      return (start > 0 ? blob.slice(start) : blob).stream() as ReadableStream<Uint8Array>;
    },
  };
}
