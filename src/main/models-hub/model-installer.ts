/**
 * Install from the Hub (issue 11): the service the CLI and the studio share (`ModelsHubApi`).
 *
 * install(repo): a complete snapshot already in a Hugging Face cache is used with no request at
 * all (each file checked against the hash its blob is named by). Otherwise the revision is resolved
 * to a commit, the repo listed, model_index.json fetched and checked, the space needed checked
 * against the disk, the small files fetched and the whole checkpoint checked by the builder on
 * configs alone — an unsupported fine-tune is refused here, before any weight — then the weights.
 * Every file lands in the cache layout Python's huggingface_hub uses, resumable and checksummed
 * (`download-blob.ts`); files already there are verified and reused, never fetched again. Last the
 * builder writes the bundle into `<modelsDir>/<org>--<name>`, the folder `--model` takes.
 */
import { hubBytes } from '../../shared/models/hub-bytes.ts';
import { randomUUID } from 'node:crypto';
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { CancelledError, DiskFullError, InvalidRequestError, LoaError, ModelBundleError } from '../../shared/errors.ts';
import type { CachedCheckpoint, CatalogueEntry, InstalledModel, InstallEvent, InstallPlanFile, InstallRequest, ModelsHubApi, RemovePlan } from '../../shared/models/hub-install.ts';
import { buildBundle } from '../engine/builder/build-bundle.ts';
import { checkModelIndex } from '../engine/builder/checkpoint/checkpoint.ts';
import { CheckpointError } from '../engine/builder/checkpoint/checkpoint-error.ts';
import { writeFileAtomic } from '../io/atomic-write.ts';
import { catalogue, catalogueEntry } from './catalogue.ts';
import { sizeOf } from './download-blob.ts';
import { FileFetcher, fileSize } from './file-fetcher.ts';
import { COMMIT, hashFile, hashKind, HfRepoCache, hfCacheDirs, listCachedSnapshots, removeSnapshot, REPO_ID, snapshotFiles } from './hf-cache.ts';
import { createHubClient, hubStatus, type HubClient } from './hub-client.ts';
import { fsOf, INSTALL_RECORD, readInstalled, snapshotBytes, snapshotOf, type InstallRecord } from './installed-models.ts';
import { missingSmallFiles, precheckSmallFiles, SMALL_FILES, weightFiles } from './needed-files.ts';

export { INSTALL_RECORD } from './installed-models.ts';

export interface ModelInstallerOptions {
  /** Built models land in `<modelsDir>/<org>--<name>/`. */
  modelsDir: string;
  /** Hugging Face caches, searched in order; downloads go to the first. Default: `hfCacheDirs()`. */
  cacheDirs?: string[];
  hubUrl?: string;
  accessToken?: string;
  fetch?: typeof fetch;
  /** Replaces the @huggingface/hub client (tests). */
  client?: HubClient;
  retries?: number;
  retryDelayMs?: number;
  idleTimeoutMs?: number;
  /** Kept free beyond the download, for the bundle's graphs and everything else (default 64 MB). */
  spaceMarginBytes?: number;
}

export function modelIdFor(repo: string): string {
  return repo.replace('/', '--');
}

/** The licence line a bundle's manifest carries (and exported recipes name). */
export function licenseLine(entry: CatalogueEntry | undefined, repo: string): string {
  if (!entry) return `See the model card of ${repo} on the Hugging Face Hub`;
  return `${entry.license.id} (${entry.license.name}: non-commercial, attribution, share-alike) ${entry.license.url}`;
}

export class ModelInstaller implements ModelsHubApi {
  private readonly cacheDirs: string[];
  private readonly active = new Map<string, { repo: string; controller: AbortController }>();

  constructor(private readonly options: ModelInstallerOptions) {
    this.cacheDirs = (options.cacheDirs?.length ? options.cacheDirs : hfCacheDirs()).map((d) => resolve(d));
  }

  catalogue(): CatalogueEntry[] {
    return catalogue();
  }

  install(request: InstallRequest, onEvent: (event: InstallEvent) => void = () => {}): { id: string; result: Promise<InstalledModel> } {
    const id = randomUUID();
    const controller = new AbortController();
    const busy = [...this.active.values()].some((a) => a.repo.toLowerCase() === request.repo.toLowerCase());
    this.active.set(id, { repo: request.repo, controller });
    const result = (
      busy
        ? Promise.reject(new InvalidRequestError('repo', `${request.repo} is already being installed.`, 'Wait for that install to finish or cancel it.'))
        : this.run(request, controller.signal, onEvent)
    ).finally(() => this.active.delete(id));
    return { id, result };
  }

  cancel(installId: string): void {
    this.active.get(installId)?.controller.abort(new CancelledError('Install cancelled.'));
  }

  /** The same install as `install`, for callers that hold their own AbortSignal (the CLI's Ctrl+C). */
  async run(request: InstallRequest, signal: AbortSignal, emit: (event: InstallEvent) => void = () => {}): Promise<InstalledModel> {
    const repo = request.repo.trim();
    if (!REPO_ID.test(repo)) throw new InvalidRequestError('repo', `"${request.repo}" is not a Hub repo id.`, 'Give it as org/name, e.g. cvssp/audioldm2.');
    const revision = (request.revision ?? 'main').trim();
    if (!/^[\w./-]{1,200}$/.test(revision) || revision.includes('..')) throw new InvalidRequestError('revision', `"${revision}" is not a branch, tag or commit id.`);

    if (request.preferCache !== false) {
      const cached = await this.completeSnapshot(repo, revision);
      if (cached) {
        const used = await this.useSnapshot(repo, revision, cached, signal, emit);
        if (used) return used;
      }
    }

    const client = this.options.client ?? createHubClient({ hubUrl: this.options.hubUrl, accessToken: request.accessToken ?? this.options.accessToken, fetch: this.options.fetch });
    const commit = COMMIT.test(revision) ? revision : await this.metadata(`the commit of ${repo}@${revision}`, signal, (s) => client.resolveCommit(repo, revision, s));
    emit({ type: 'resolve', repo, revision, commit, fromCache: false });
    const listing = await this.metadata(`the file list of ${repo}`, signal, (s) => client.listFiles(repo, commit, s));
    const remote = new Map(listing.map((f) => [f.path, f]));
    const where = `${repo}@${commit.slice(0, 8)}`;
    const missing = missingSmallFiles(new Set(remote.keys()));
    if (missing.length) {
      throw new CheckpointError(
        `${where}/${missing[0]}`,
        remote.has('model_index.json') ? 'it is not in the repo, and the builder reads it' : 'it is not in the repo: this is not a diffusers AudioLDM 2 checkpoint',
        'This repo cannot be built by LOA Studio; pick an AudioLDM 2 checkpoint such as cvssp/audioldm2.',
      );
    }

    // A snapshot of this commit in any cache is completed where it is; otherwise the first cache.
    const cacheDir = (await this.findSnapshotDir(repo, commit)) ?? this.cacheDirs[0];
    const cache = new HfRepoCache(cacheDir, repo);
    const fetcher = new FileFetcher(this.options, client, cache, commit, signal, emit);

    fetcher.setTotal(fileSize(remote.get('model_index.json')!), 0);
    await fetcher.ensure(remote.get('model_index.json')!);
    const modelIndex = await readJsonFile(join(cache.snapshotDir(commit), 'model_index.json'));
    checkModelIndex(`${where}/model_index.json`, modelIndex);
    const weights = weightFiles(modelIndex, new Set(remote.keys()), where).map((p) => remote.get(p)!);
    const small = SMALL_FILES.map((p) => remote.get(p)!);
    const all = [...small, ...weights];

    const plan = await Promise.all(all.map((f) => fetcher.planFile(f)));
    const downloadBytes = plan.reduce((n, p) => n + p.remaining, 0);
    const totalBytes = all.reduce((n, f) => n + fileSize(f), 0);
    const freeBytes = await this.checkSpace(
      repo,
      cacheDir,
      downloadBytes,
      weights.reduce((n, f) => n + fileSize(f), 0),
      small.reduce((n, f) => n + fileSize(f), 0),
    );
    emit({ type: 'plan', files: plan.map((p) => p.file), totalBytes, downloadBytes, freeBytes });
    fetcher.setTotal(
      totalBytes,
      plan.filter((p) => p.file.state === 'cached').reduce((n, p) => n + p.file.bytes, 0),
    );

    for (const f of small) if (f.path !== 'model_index.json') await fetcher.ensure(f);
    await precheckSmallFiles(cache.snapshotDir(commit));
    for (const f of weights) await fetcher.ensure(f);
    if (!COMMIT.test(revision)) await cache.writeRef(revision, commit);
    return this.build(repo, commit, cache.snapshotDir(commit), signal, emit);
  }

  /** Uses a complete snapshot with no request: every needed file is checked against its blob's name. */
  private async useSnapshot(repo: string, revision: string, snap: CachedCheckpoint, signal: AbortSignal, emit: (e: InstallEvent) => void): Promise<InstalledModel | undefined> {
    const cache = new HfRepoCache(snap.cacheDir, repo);
    const modelIndex = await readJsonFile(join(snap.snapshotDir, 'model_index.json'));
    const files = [...SMALL_FILES, ...weightFiles(modelIndex, new Set(await snapshotFiles(snap.snapshotDir)), snap.snapshotDir)];
    const planned: InstallPlanFile[] = [];
    for (const path of files) {
      const blob = await cache.snapshotBlob(snap.commit, path);
      if (!blob) return undefined; // a copied (not linked) file cannot be checked offline: ask the Hub
      planned.push({ path, bytes: await sizeOf(cache.blobPath(blob)), check: hashKind(blob), hash: blob, state: 'cached' });
    }
    emit({ type: 'resolve', repo, revision, commit: snap.commit, fromCache: true });
    const total = planned.reduce((n, f) => n + f.bytes, 0);
    emit({ type: 'plan', files: planned, totalBytes: total, downloadBytes: 0, freeBytes: null });
    for (const f of planned) {
      if (signal.aborted) throw new CancelledError('Install cancelled.');
      emit({ type: 'verify', file: f.path, check: f.check });
      if ((await hashFile(cache.blobPath(f.hash), f.check)) !== f.hash) {
        emit({ type: 'notice', message: `${f.path} in ${snap.snapshotDir} does not match its checksum; asking the Hub for it again.` });
        await rm(cache.blobPath(f.hash), { force: true });
        return undefined;
      }
      emit({ type: 'file-done', file: f.path, reused: true });
    }
    await precheckSmallFiles(snap.snapshotDir);
    return this.build(repo, snap.commit, snap.snapshotDir, signal, emit);
  }

  private async build(repo: string, commit: string, snapshotDir: string, signal: AbortSignal, emit: (e: InstallEvent) => void): Promise<InstalledModel> {
    if (signal.aborted) throw new CancelledError('Install cancelled before the build; the download is complete in the cache.');
    const entry = catalogueEntry(repo);
    if (entry && !commit.startsWith(entry.checkedRevision) && !entry.checkedRevision.startsWith(commit)) {
      emit({ type: 'notice', message: `${repo} is at commit ${commit.slice(0, 12)}; the catalogue was checked against ${entry.checkedRevision}. The builder checked this one's files itself.` });
    }
    const id = modelIdFor(repo);
    const outDir = join(resolve(this.options.modelsDir), id);
    const result = await buildBundle(snapshotDir, outDir, {
      source: { repo, revision: commit },
      id,
      name: entry ? `${entry.title} (${repo})` : `AudioLDM 2 (${repo})`,
      license: licenseLine(entry, repo),
      onProgress: (p) => emit({ type: 'build', ...p }),
    });
    for (const notice of result.notices) emit({ type: 'notice', message: notice });
    // The manifest names no local path (its hash must not depend on one), so where the weights
    // came from — what `remove` may offer to delete from the cache — is recorded beside it.
    const record: InstallRecord = { repo, commit, snapshotDir: resolve(snapshotDir), installedAt: new Date().toISOString() };
    await writeFileAtomic(join(outDir, INSTALL_RECORD), new TextEncoder().encode(`${JSON.stringify(record, null, 2)}\n`));
    if (signal.aborted) {
      await rm(outDir, { recursive: true, force: true });
      throw new CancelledError('Install cancelled; the built model was removed (the download stays in the cache).');
    }
    const model = await readInstalled(outDir);
    emit({ type: 'done', model });
    return model;
  }

  /** Metadata calls (commit, listing): retried like downloads, each bounded by the stall timeout. */
  private async metadata<T>(what: string, signal: AbortSignal, call: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const retries = this.options.retries ?? 4;
    for (let attempt = 0; ; attempt++) {
      if (signal.aborted) throw new CancelledError('Install cancelled.');
      try {
        return await call(AbortSignal.any([signal, AbortSignal.timeout(this.options.idleTimeoutMs ?? 60_000)]));
      } catch (error) {
        if (signal.aborted) throw new CancelledError('Install cancelled.');
        const status = hubStatus(error);
        const retryable = status === undefined || status >= 500 || status === 408 || status === 429;
        if (!retryable || attempt >= retries) throw hubError(what, error, status);
        await new Promise((r) => setTimeout(r, (this.options.retryDelayMs ?? 500) * 2 ** attempt));
      }
    }
  }

  private async checkSpace(repo: string, cacheDir: string, downloadBytes: number, weightBytes: number, smallBytes: number): Promise<number | null> {
    const margin = this.options.spaceMarginBytes ?? 64 * 1024 * 1024;
    const cacheFs = await fsOf(cacheDir);
    const modelsFs = await fsOf(this.options.modelsDir);
    if (!cacheFs || !modelsFs) return null;
    // The bundle hard-links the weights when it shares the cache's file system, else copies them.
    const same = cacheFs.dev === modelsFs.dev;
    const bundleBytes = smallBytes + margin + (same ? 0 : weightBytes);
    const checks = same
      ? [{ dir: cacheDir, need: downloadBytes + bundleBytes, free: cacheFs.free }]
      : [
          { dir: cacheDir, need: downloadBytes + margin, free: cacheFs.free },
          { dir: this.options.modelsDir, need: bundleBytes, free: modelsFs.free },
        ];
    for (const c of checks) {
      if (c.need > c.free) {
        throw new DiskFullError(c.dir, `Installing ${repo} needs ${hubBytes(c.need)} (${c.need} bytes) free on the disk of ${c.dir}; only ${hubBytes(c.free)} (${c.free} bytes) is free.`);
      }
    }
    return cacheFs.free;
  }

  private async findSnapshotDir(repo: string, commit: string): Promise<string | undefined> {
    for (const dir of this.cacheDirs) {
      if (
        await stat(new HfRepoCache(dir, repo).snapshotDir(commit)).then(
          () => true,
          () => false,
        )
      )
        return dir;
    }
    return undefined;
  }

  /** A complete snapshot of `repo` at `revision` (a commit, or a ref that names one) in any cache. */
  private async completeSnapshot(repo: string, revision: string): Promise<CachedCheckpoint | undefined> {
    const found = (await this.findCached()).filter((c) => c.repo.toLowerCase() === repo.toLowerCase() && c.complete);
    return found.find((c) => c.commit === revision || c.refs.includes(revision));
  }

  async findCached(): Promise<CachedCheckpoint[]> {
    const result: CachedCheckpoint[] = [];
    for (const cacheDir of this.cacheDirs) {
      for (const snap of await listCachedSnapshots(cacheDir)) {
        const entry = catalogueEntry(snap.repo);
        const present = new Set(await snapshotFiles(snap.snapshotDir));
        let modelIndex: Record<string, unknown> | undefined;
        try {
          modelIndex = await readJsonFile(join(snap.snapshotDir, 'model_index.json'));
          checkModelIndex(join(snap.snapshotDir, 'model_index.json'), modelIndex);
        } catch {
          if (!entry || present.has('model_index.json')) continue; // not an AudioLDM 2 the builder reads
          modelIndex = undefined;
        }
        const needed = [...SMALL_FILES];
        const missing: string[] = [];
        if (modelIndex) {
          try {
            needed.push(...weightFiles(modelIndex, present, snap.snapshotDir));
          } catch (error) {
            missing.push(((error as ModelBundleError).file ?? '').slice(snap.snapshotDir.length + 1));
          }
        }
        let bytes = 0;
        for (const path of needed) {
          const size = await sizeOf(join(snap.snapshotDir, ...path.split('/')));
          if (size < 0) missing.push(path);
          else bytes += size;
        }
        result.push({
          repo: snap.repo,
          commit: snap.commit,
          refs: snap.refs,
          cacheDir,
          snapshotDir: snap.snapshotDir,
          complete: missing.length === 0,
          missing,
          bytes,
          ...(entry ? { catalogue: entry } : {}),
        });
      }
    }
    return result.sort((a, b) => Number(b.complete) - Number(a.complete));
  }

  async list(): Promise<{ installed: InstalledModel[]; cached: CachedCheckpoint[] }> {
    const installed: InstalledModel[] = [];
    for (const entry of await readdir(this.options.modelsDir, { withFileTypes: true }).catch(() => [])) {
      if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
      const model = await readInstalled(join(this.options.modelsDir, entry.name)).catch(() => undefined);
      if (model) installed.push(model);
    }
    return { installed, cached: await this.findCached() };
  }

  async planRemove(id: string): Promise<RemovePlan> {
    const { installed } = await this.list();
    const model = installed.find((m) => m.id === id || m.id === modelIdFor(id));
    const repo = model?.repo ?? (REPO_ID.test(id) ? id : undefined);
    let cacheSnapshot: RemovePlan['cacheSnapshot'] = null;
    const fromPath = model?.checkpoint ? snapshotOf(model.checkpoint) : undefined;
    if (fromPath) {
      cacheSnapshot = { ...fromPath, bytes: await snapshotBytes(fromPath.snapshotDir) };
    } else if (!model && repo) {
      const snap = (await this.findCached()).find((c) => c.repo.toLowerCase() === repo.toLowerCase());
      if (snap) cacheSnapshot = { repo: snap.repo, commit: snap.commit, snapshotDir: snap.snapshotDir, bytes: await snapshotBytes(snap.snapshotDir) };
    }
    if (!model && !cacheSnapshot) {
      throw new InvalidRequestError('id', `No installed model or cached checkpoint is called "${id}".`, 'Run `npm run loa -- models list` to see the ids.');
    }
    const usedBy = cacheSnapshot ? installed.filter((m) => m.id !== model?.id && m.checkpoint && resolve(m.checkpoint) === resolve(cacheSnapshot!.snapshotDir)).map((m) => m.id) : [];
    return { id: model?.id ?? id, modelDir: model?.dir ?? null, cacheSnapshot, usedBy };
  }

  async remove(id: string, options: { includeCache?: boolean } = {}): Promise<RemovePlan> {
    const plan = await this.planRemove(id);
    if (plan.modelDir) await rm(plan.modelDir, { recursive: true, force: true });
    if (options.includeCache && plan.cacheSnapshot && plan.usedBy.length === 0) {
      const snap = plan.cacheSnapshot;
      const cacheDir = dirname(dirname(dirname(snap.snapshotDir)));
      await removeSnapshot(cacheDir, snap.repo, snap.commit);
    }
    return plan;
  }
}

function hubError(what: string, error: unknown, status: number | undefined): LoaError {
  if (error instanceof LoaError) return error;
  const message = (error as Error)?.message ?? String(error);
  if (status === 401 || status === 403)
    return new LoaError(
      'IO_FAILED',
      `The Hub refused ${what} (HTTP ${status}): the repo does not exist, or it is private or gated.`,
      'Check the repo id; for a gated or private repo accept its terms on the Hub and give an access token (HF_TOKEN).',
    );
  if (status === 404) return new InvalidRequestError('revision', `The Hub has no ${what} (HTTP 404: ${message.split('. URL:')[0]}).`, 'Check the repo id and --revision.');
  return new LoaError('IO_FAILED', `Could not get ${what} from the Hub: ${message}.`, 'Check your connection (or --hub-url) and try again.');
}

async function readJsonFile(path: string): Promise<Record<string, unknown>> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new CheckpointError(path, `cannot read it (${(error as Error).message})`);
  }
}
