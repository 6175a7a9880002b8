/**
 * The typed surface of "install from the Hub" (issue 11): what the studio's first-run screen and
 * Settings → Models show and call. Plain data only, so it crosses IPC and the browser bridge as is.
 * The service that implements it is `src/main/models-hub/model-installer.ts`.
 */

/** One file of a catalogue entry's download, as far as the published pages show it. */
export interface CatalogueFile {
  path: string;
  /** Exact byte count where a page gave it; null where it did not. */
  bytes: number | null;
  /** The size as the Hub's tree page rounds it ("2.11 MB"), where only that is known. */
  shown?: string;
  /** The Hub's LFS sha256, where a page gave it. */
  sha256?: string;
}

export interface CatalogueEntry {
  /** Hub repo id, `org/name`. */
  repo: string;
  title: string;
  /** What it is for, one sentence for a card. */
  purpose: string;
  isDefault: boolean;
  license: {
    /** SPDX id, e.g. CC-BY-NC-SA-4.0. */
    id: string;
    name: string;
    url: string;
    /** What accepting means, in plain words (non-commercial, attribution, share-alike). */
    terms: string[];
  };
  /** The commit the entry was checked against (may be a short id: see `revisionNote`). */
  checkedRevision: string;
  revisionNote?: string;
  download: {
    /** Exact bytes of the needed files; null while any needed file's size is unknown. */
    bytes: number | null;
    /** Bytes known exactly so far (a lower bound), and a human estimate where one can be given. */
    knownBytes: number;
    estimate?: string;
    /** The needed files the pages list (configs, safetensors, tokenizer files); never `.bin`. */
    files: CatalogueFile[];
    note: string;
  };
  /** Where the numbers come from. */
  source: string;
}

/** A snapshot of a repo in a Hugging Face cache (`models--org--name/snapshots/<commit>`). */
export interface CachedCheckpoint {
  repo: string;
  commit: string;
  /** Branch/tag names under refs/ that point at this commit. */
  refs: string[];
  cacheDir: string;
  snapshotDir: string;
  /** Every file the builder needs is present (not checked against the Hub: that happens on use). */
  complete: boolean;
  /** Needed files that are missing, when not complete. */
  missing: string[];
  /** Bytes of the needed files present (blobs, counted once). */
  bytes: number;
  /** The catalogue entry, when the repo is in the catalogue. */
  catalogue?: CatalogueEntry;
}

/** A built model in the app's models folder: its folder is what `--model` takes. */
export interface InstalledModel {
  id: string;
  dir: string;
  name: string;
  license: string;
  repo: string | null;
  revision: string | null;
  /** The checkpoint folder it was built from (a cache snapshot for Hub installs). */
  checkpoint: string | null;
  /** Bytes of the bundle's own files (graphs, tokenizers, manifest). */
  bytes: number;
  /** Bytes of files hard-linked with another place (the weights, shared with the cache snapshot). */
  sharedBytes: number;
}

export interface InstallPlanFile {
  path: string;
  bytes: number;
  /** 'sha256' for LFS files (the Hub's LFS oid), 'git-sha1' for small files stored in git. */
  check: 'sha256' | 'git-sha1';
  hash: string;
  /** Already in the cache (verified), partly there (resumes), or to fetch. */
  state: 'cached' | 'partial' | 'missing';
}

export type InstallEvent =
  | { type: 'resolve'; repo: string; revision: string; commit: string; fromCache: boolean }
  | { type: 'plan'; files: InstallPlanFile[]; totalBytes: number; downloadBytes: number; freeBytes: number | null }
  | {
      type: 'download';
      file: string;
      fileBytes: number;
      fileTotal: number;
      /** Overall, across every needed file (cached ones count as done). */
      bytes: number;
      total: number;
      /** Bytes per second over the last few seconds; null until measurable. */
      rate: number | null;
      etaSeconds: number | null;
    }
  | { type: 'verify'; file: string; check: 'sha256' | 'git-sha1' }
  | { type: 'file-done'; file: string; reused: boolean }
  | { type: 'retry'; file: string; attempt: number; reason: string; delayMs: number }
  | { type: 'build'; stage: 'check' | 'graphs' | 'weights' | 'hash' | 'done'; done: number; total: number; detail?: string }
  | { type: 'notice'; message: string }
  | { type: 'done'; model: InstalledModel };

export interface InstallRequest {
  /** `org/name`; anything else is refused before a request is made. */
  repo: string;
  /** Branch, tag or commit; default `main`. */
  revision?: string;
  /** Access token for gated or private repos (the app keeps it with safeStorage). */
  accessToken?: string;
  /** Use a complete snapshot already in a Hugging Face cache without asking the Hub (default true). */
  preferCache?: boolean;
}

/** What `remove` would delete, so the UI can ask first. */
export interface RemovePlan {
  id: string;
  /** The built model's folder (always removed). */
  modelDir: string | null;
  /** The Hugging Face cache snapshot it was built from, if any: shared with Python tools. */
  cacheSnapshot: { repo: string; commit: string; snapshotDir: string; bytes: number } | null;
  /** Other installed models built from the same snapshot (the snapshot is kept while they exist). */
  usedBy: string[];
}

export interface ModelsHubApi {
  catalogue(): CatalogueEntry[];
  /** Snapshots of supported checkpoints in every Hugging Face cache found (complete ones first). */
  findCached(): Promise<CachedCheckpoint[]>;
  /** Starts an install; events stream to `onEvent`. Resolves with the built model. */
  install(request: InstallRequest, onEvent?: (event: InstallEvent) => void): { id: string; result: Promise<InstalledModel> };
  /** Cancels an install: downloads stop, partial blobs stay resumable, nothing is half-used. */
  cancel(installId: string): void;
  list(): Promise<{ installed: InstalledModel[]; cached: CachedCheckpoint[] }>;
  planRemove(id: string): Promise<RemovePlan>;
  /** Removes the built model; the cache snapshot too only with `includeCache` (ask first: Python tools share it). */
  remove(id: string, options?: { includeCache?: boolean }): Promise<RemovePlan>;
}
