/**
 * The one implementation of the Studio API, in plain Node: settings, the take library, the model
 * and its engine process, the job queue and exports. Electron IPC and the browser-mode WebSocket are
 * thin adapters around it; both validate payloads (studio-validate.ts) before calling in.
 */
import { randomInt, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type { TakeData, TakeTask } from '../../shared/engine/engine-protocol.ts';
import { validateGenerateParams, type DeviceName } from '../../shared/engine/generate-params.ts';
import type { Lineage } from '../../shared/engine/lineage.ts';
import { validateTransformParams } from '../../shared/engine/transform-params.ts';
import { CancelledError, InferenceError, InvalidRequestError, LoaError, toErrorEnvelope } from '../../shared/errors.ts';
import type {
  ExportRequest, ExportResult, FolderImportReport, GenerateRequest, HubInstallRequest, HubTokenState, InstalledModels, InstallProgress, JobInfo, JobParams,
  LibraryPage, LibraryQuery, LineageNode, ModelStatus, ReferenceInfo, ReferenceSourceRequest, Settings, SoundWord, StudioApi, StudioEvent, TakeInfo, TakePatch,
  TransformRequest,
} from '../../shared/studio/studio-api.ts';
import type { CachedCheckpoint, CatalogueEntry, InstallEvent, RemovePlan } from '../../shared/models/hub-install.ts';
import { ModelInstaller, type ModelInstallerOptions } from '../models-hub/model-installer.ts';
import { MemoryTokenStore, type HubTokenStore } from './hub-token.ts';
import { importReferenceOffThread } from '../audio/reference-import-thread.ts';
import { decodeWav, encodeWav } from '../audio/wav.ts';
import type { LaunchEngine } from '../engine/host/node-engine-launcher.ts';
import { DRAG_FADE_MS } from '../export/render-export.ts';
import { EngineQueue } from './engine-queue.ts';
import { defaultExporter, writeExport, type Exporter, type Region } from './export-writer.ts';
import { JobBoard, PROGRESS_INTERVAL_MS } from './job-board.ts';
import type { MediaRoots, MediaSource } from './media-paths.ts';
import { ModelManager, type EngineJob } from './model-manager.ts';
import { makeRecipe } from '../library/make-recipe.ts';
import type { Recipe } from '../../shared/library/recipe.ts';
import { LibraryDb } from '../library/library-db.ts';
import { LibraryBusyError, LibraryCorruptError } from '../library/library-errors.ts';
import type { LibraryTake, SimilarTake } from '../library/library-types.ts';
import { regenerationTask } from '../library/regeneration-task.ts';
import { parseRecipe, readRecipe } from '../library/wav-metadata.ts';
import { rankSoundWords, wordMatrix } from '../library/describe-sound.ts';
import { readSoundWordCache, soundWordCachePath, writeSoundWordCache } from '../library/sound-word-cache.ts';
import { SOUND_WORDS, soundWordText } from '../../shared/library/sound-words.ts';
import { importFolder } from './folder-import.ts';
import { rebuildFromRecipes } from './library-rebuild.ts';
import { LibraryStore } from './library-store.ts';
import { peaksForWire, reducePeaks, ROW_PEAK_PAIRS } from './peaks.ts';
import { lineageTree } from './lineage-tree.ts';
import type { StoredReference } from './reference-store.ts';
import { SettingsStore } from './settings-store.ts';
import type { UploadStore } from './upload-store.ts';
import type { StoredTake, TakeStore } from './take-store.ts';
import { TakeNotFoundError } from '../library/library-errors.ts';

export type { Exporter } from './export-writer.ts';

/** How many words Describe suggests. */
const DESCRIBE_WORDS = 8;

/** A region in seconds as [from, to) sample frames (outward to whole frames, inside the clip); null when no frame is left. */
function regionSpan(length: number, sampleRate: number, region: Region): [number, number] | null {
  const from = Math.max(0, Math.floor(region.start * sampleRate));
  const to = Math.min(length, Math.ceil(region.end * sampleRate));
  return to - from < 1 ? null : [from, to];
}

export interface StudioServiceOptions {
  /** Settings, the remembered model, downloaded models and caches (Electron: userData). */
  configDir: string;
  /** Overrides the library folder from the settings for this run (`--library`). */
  libraryDir?: string;
  /** Model to load at start (`--model`); otherwise the one imported last. */
  bundleDir?: string;
  /** Overrides the device from the settings for this run. */
  device?: DeviceName;
  /** The URL a take or an export is served at (custom protocol in Electron, token URL in browser mode). */
  mediaUrl: (kind: 'take' | 'export' | 'reference', id: string) => string;
  launch?: LaunchEngine;
  intraOpThreads?: number;
  hangTimeoutMs?: number;
  /** Renders and names export files; src/main/export by default. */
  exporter?: Exporter;
  progressIntervalMs?: number;
  /** Browser mode: where POSTed reference uploads wait to be imported. */
  uploads?: UploadStore;
  /** The Hub installs talk to (the local stand-in in tests); huggingface.co by default. */
  hubUrl?: string;
  /** Hugging Face caches to search, downloads going to the first (HF_HUB_CACHE, HF_HOME, ~/.cache/huggingface/hub by default). */
  hfCacheDirs?: string[];
  /** Where the Hub access token is kept: memory by default (browser mode), safeStorage in Electron. */
  hubToken?: HubTokenStore;
  /** Retries, timeouts, a fetch for tests. */
  hubInstaller?: Pick<ModelInstallerOptions, 'retries' | 'retryDelayMs' | 'idleTimeoutMs' | 'fetch' | 'spaceMarginBytes'>;
}

/** `2026-11-25` → that day's local midnight, plus `days`. */
function localMidnight(day: string, days: number): Date {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(y, m - 1, d + days);
}

export class StudioService implements StudioApi, MediaSource {
  private readonly listeners = new Set<(event: StudioEvent) => void>();
  private readonly jobs: JobBoard;
  private readonly running = new Map<string, EngineJob>();
  private readonly ready: Promise<void>;
  private settings!: SettingsStore;
  private models!: ModelManager;
  private queue!: EngineQueue;
  /** The SQLite library; undefined while a damaged database waits for the user to ask for a rebuild. */
  private library: LibraryStore | undefined;
  private soundWords: { bundleHash: string; matrix: Promise<Float32Array> } | null = null;
  /** Why the library could not open (a damaged database): every library call reports it until rebuildLibrary(). */
  private libraryProblem: LoaError | undefined;
  /** A rebuild is under way: jobs and imports wait for it (they are refused meanwhile). */
  private rebuilding = false;
  /** Imports writing into the library now: a rebuild is refused until they end. */
  private importing = 0;
  /** Install from the Hub: into `<configDir>/models`, the folder downloads and `models install` use too. */
  private readonly installer: ModelInstaller;
  private readonly hubToken: HubTokenStore;
  /** Installs under way, by id. */
  private readonly installs = new Map<string, string>();

  constructor(private readonly options: StudioServiceOptions) {
    this.jobs = new JobBoard((job) => this.emit({ type: 'job', job }), options.progressIntervalMs ?? PROGRESS_INTERVAL_MS);
    this.installer = new ModelInstaller({
      ...options.hubInstaller,
      modelsDir: this.modelsDir,
      ...(options.hfCacheDirs?.length ? { cacheDirs: options.hfCacheDirs } : {}),
      ...(options.hubUrl ? { hubUrl: options.hubUrl } : {}),
    });
    this.hubToken = options.hubToken ?? new MemoryTokenStore();
    this.ready = this.init();
    this.ready.catch(() => {}); // every method awaits `ready` and reports the error itself
  }

  /** Resolves once settings and the library are open (the model may still be loading). */
  whenReady(): Promise<void> {
    return this.ready;
  }

  private async init(): Promise<void> {
    const { configDir, libraryDir, bundleDir, device, launch, intraOpThreads, hangTimeoutMs } = this.options;
    this.settings = await SettingsStore.open(configDir, { libraryDir });
    this.models = new ModelManager({ configDir, bundleDir, device: device ?? this.settings.get().device, launch, intraOpThreads, hangTimeoutMs });
    this.models.on('status', (status) => this.emit({ type: 'model', status }));
    this.models.on('download', (progress) => this.emit({ type: 'download', progress }));
    this.queue = new EngineQueue((task, hooks) => this.models.run(task, hooks));
    await this.openLibrary(this.settings.get().libraryDir);
    void this.models.start(); // loading a model takes a while; 'model' events report how it went
  }

  private async openLibrary(dir: string): Promise<void> {
    this.library?.close();
    this.library = undefined;
    this.libraryProblem = undefined;
    try {
      this.library = await LibraryStore.open(dir);
    } catch (error) {
      // The studio still starts: generation works once the user rebuilds or picks another folder.
      if (!(error instanceof LoaError)) throw error;
      this.libraryProblem = error;
    }
  }

  /** The open library, or the reason there is none. */
  private get takes(): LibraryStore {
    if (!this.library) throw this.libraryProblem ?? new LoaError('IO_FAILED', 'The library is not open.', 'Choose a library folder in Settings.');
    return this.library;
  }

  async getModelStatus(): Promise<ModelStatus> {
    await this.ready;
    return this.models.status;
  }

  async importModel(dir: string): Promise<ModelStatus> {
    await this.ready;
    return this.models.importModel(dir);
  }

  async downloadModel(manifestUrl: string): Promise<ModelStatus> {
    await this.ready;
    return this.models.downloadModel(manifestUrl);
  }

  /** Where installed models live: what `models install` uses by default too. */
  get modelsDir(): string {
    return resolve(this.options.configDir, 'models');
  }

  async modelCatalogue(): Promise<CatalogueEntry[]> {
    return this.installer.catalogue();
  }

  async findCachedModels(): Promise<CachedCheckpoint[]> {
    return this.installer.findCached();
  }

  async installModel(request: HubInstallRequest): Promise<ModelStatus> {
    await this.ready;
    // Checked at the transport too; the service refuses on its own as well (the CLI-free callers: tests, Electron glue).
    if (request.acceptLicense !== true) {
      throw new InvalidRequestError('acceptLicense', 'The model\'s licence has not been accepted.', 'Read the licence on the card and tick "I accept the licence" before installing.');
    }
    const accessToken = await this.hubToken.get();
    let installId = '';
    let last: InstallEvent | null = null;
    const push = (state: InstallProgress['state'], error: unknown = null) =>
      this.emit({ type: 'install', install: { installId, repo: request.repo, state, event: last, error: error === null ? null : toErrorEnvelope(error) } });
    const started = this.installer.install(
      { repo: request.repo, ...(request.revision ? { revision: request.revision } : {}), ...(request.preferCache === false ? { preferCache: false } : {}), ...(accessToken ? { accessToken } : {}) },
      (event) => {
        last = event;
        push('running');
      },
    );
    installId = started.id;
    this.installs.set(installId, request.repo);
    push('running');
    try {
      const model = await started.result;
      const status = await this.models.importModel(model.dir);
      push('done');
      return status;
    } catch (error) {
      push(error instanceof CancelledError ? 'cancelled' : 'failed', error);
      throw error;
    } finally {
      this.installs.delete(installId);
    }
  }

  async cancelInstall(installId: string): Promise<void> {
    await this.ready;
    if (!this.installs.has(installId)) throw new InvalidRequestError('installId', 'No install with that id is running.', 'It may have finished already; the models list shows what is installed.');
    this.installer.cancel(installId);
  }

  async listModels(): Promise<InstalledModels> {
    await this.ready;
    const { installed, cached } = await this.installer.list();
    return { installed, cached, activeDir: this.models.status.bundleDir };
  }

  async switchModel(id: string): Promise<ModelStatus> {
    await this.ready;
    const { installed } = await this.installer.list();
    const model = installed.find((m) => m.id === id || basename(m.dir) === id);
    if (!model) throw new InvalidRequestError('id', `No installed model is called "${id}".`, 'Settings → Models lists the installed models.');
    return this.models.importModel(model.dir);
  }

  async planRemoveModel(id: string): Promise<RemovePlan> {
    await this.ready;
    return this.installer.planRemove(await this.installedId(id));
  }

  async removeModel(id: string, options: { includeCache: boolean }): Promise<RemovePlan> {
    await this.ready;
    const plan = await this.installer.planRemove(await this.installedId(id));
    const active = this.models.status.bundleDir;
    if (plan.modelDir && active && resolve(plan.modelDir) === resolve(active) && this.models.status.state !== 'error') {
      throw new InvalidRequestError('id', `${plan.id} is the model in use.`, 'Switch to another model first, then remove this one.');
    }
    return this.installer.remove(plan.id, { includeCache: options.includeCache });
  }

  /** Only models in the models folder are removed from the studio (a cache snapshot alone is the CLI's business). */
  private async installedId(id: string): Promise<string> {
    const { installed } = await this.installer.list();
    const model = installed.find((m) => m.id === id || basename(m.dir) === id);
    if (!model) throw new InvalidRequestError('id', `No installed model is called "${id}".`, 'Settings → Models lists the installed models.');
    return model.id;
  }

  async hubTokenState(): Promise<HubTokenState> {
    return { set: (await this.hubToken.get()) !== undefined, storage: this.hubToken.storage };
  }

  async setHubToken(token: string | null): Promise<HubTokenState> {
    await this.hubToken.set(token === null || token.trim() === '' ? null : token.trim());
    return this.hubTokenState();
  }

  async generate(request: GenerateRequest): Promise<JobInfo> {
    await this.ready;
    const params = validateGenerateParams(request, () => randomInt(0, 2 ** 32));
    this.models.available(); // no model: fail before the prompt lands in the recent list
    this.emit({ type: 'settings', settings: await this.settings.addRecentPrompt(params.prompt) });
    return this.startJob({ kind: 'generate', params }, null, () => undefined);
  }

  async transform(request: TransformRequest): Promise<JobInfo> {
    await this.ready;
    const { referenceId, ...rest } = request;
    const params = validateTransformParams(rest, () => randomInt(0, 2 ** 32));
    const reference = this.takes.db.reference(referenceId);
    this.models.available();
    const samples = await this.takes.referenceSamples(referenceId);
    if (params.op === 'inpaint' && params.from >= reference.durationS) {
      throw new InvalidRequestError('from', `The region starts at ${params.from} s, after the reference ends (${reference.durationS.toFixed(2)} s).`, 'Select a region inside the reference.');
    }
    this.emit({ type: 'settings', settings: await this.settings.addRecentPrompt(params.prompt) });
    const source = {
      kind: reference.origin.kind,
      id: reference.origin.kind === 'take' ? reference.origin.takeId : (reference.origin.path ?? reference.name),
      referenceId,
      sha256: reference.sha256,
      seconds: reference.durationS,
    };
    return this.startJob({ kind: 'transform', params, reference: samples }, { id: reference.id, name: reference.name }, (take) => ({
      operation: params.op,
      reference: source,
      params,
      seed: take.seed,
      ...(take.strength !== undefined ? { strength: take.strength } : {}),
    }));
  }

  /** Queues an engine task as a studio job; takes are saved as they arrive, with their lineage. */
  private startJob(task: TakeTask, reference: JobInfo['reference'], lineage: (take: TakeData) => Lineage | undefined): JobInfo {
    this.checkNotRebuilding();
    const jobId = randomUUID().replaceAll('-', '');
    const store = this.takes; // a job keeps its takes together even if the library folder changes meanwhile
    const idsByIndex = new Map<number, string>();
    let saving = Promise.resolve();
    let saveError: unknown;
    const engineJob: EngineJob = this.queue.enqueue(task, {
      onProgress: (progress) => this.jobs.progress(jobId, progress),
      // Each take is saved the moment it arrives, in order; the job waits for the saves before it ends.
      onTake: (take) => {
        saving = saving.then(async () => {
          if (saveError !== undefined) return;
          try {
            const saved = await this.saveTake(store, jobId, task, take, engineJob, idsByIndex.size + 1, lineage(take));
            idsByIndex.set(take.index, saved.id);
            this.jobs.addTake(jobId, saved.id);
            this.emit({ type: 'take', take: this.info(saved) });
          } catch (error) {
            saveError = error;
            engineJob.cancel(); // a take that can't be saved is lost work: stop making more
          }
        });
      },
    });
    this.running.set(jobId, engineJob);
    const job = this.jobs.add(jobId, task.params, reference);
    void this.follow(jobId, engineJob, store, idsByIndex, () => saving, () => saveError);
    return job;
  }

  private async saveTake(store: LibraryStore, jobId: string, task: TakeTask, take: TakeData, engineJob: EngineJob, arrival: number, lineage: Lineage | undefined): Promise<StoredTake> {
    const model = engineJob.model();
    if (!model) throw new InferenceError('The engine sent a take before it reported which model it runs.');
    const params: JobParams = this.jobs.get(jobId)!.params;
    return store.add({
      jobId, rank: arrival, params, seed: take.seed, score: take.score, sampleRate: model.sampleRate,
      samples: take.samples, modelId: model.bundleId, device: model.provider, lineage, loop: take.loop,
      recipe: makeRecipe(task, take, model, lineage), embedding: take.embedding,
    });
  }

  async importReference(source: ReferenceSourceRequest): Promise<ReferenceInfo> {
    await this.ready;
    return this.whileImporting(() => this.importReferenceNow(source));
  }

  private async importReferenceNow(source: ReferenceSourceRequest): Promise<ReferenceInfo> {
    const rate = await this.models.sampleRate();
    let stored: StoredReference;
    if (source.kind === 'take') {
      const take = await this.take(source.takeId);
      let samples = await this.takeSamples(take.id);
      const region = source.region ?? null;
      if (region) {
        const span = regionSpan(samples.length, take.sampleRate, region);
        if (!span) throw new InvalidRequestError('region', 'The selected region is empty.', 'Select a longer region.');
        samples = samples.slice(...span);
      }
      const clip = take.sampleRate === rate ? { samples, notices: [] } : await importReferenceOffThread({ bytes: encodeWav([samples], take.sampleRate, 'float32'), targetRate: rate });
      const label = `take ${take.rank} of “${take.params.prompt.slice(0, 40)}”${region ? ` ${region.start.toFixed(2)}–${region.end.toFixed(2)} s` : ''}`;
      stored = await this.takes.addReference({ name: label, origin: { kind: 'take', takeId: take.id, region }, samples: clip.samples, sampleRate: rate, notices: clip.notices });
    } else if (source.kind === 'file') {
      const clip = await importReferenceOffThread({ path: source.path, targetRate: rate });
      stored = await this.takes.addReference({ name: basename(source.path), origin: { kind: 'file', path: source.path }, samples: clip.samples, sampleRate: rate, notices: clip.notices });
    } else {
      const uploads = this.options.uploads;
      if (!uploads) throw new InvalidRequestError('source', 'Uploads are only taken in browser mode.', 'Drop the file on the reference lane.');
      const bytes = await uploads.take(source.uploadId);
      const clip = await importReferenceOffThread({ bytes, name: source.name, targetRate: rate });
      stored = await this.takes.addReference({ name: source.name, origin: { kind: 'file', path: null }, samples: clip.samples, sampleRate: rate, notices: clip.notices });
    }
    const info = this.referenceInfo(stored);
    this.emit({ type: 'reference', reference: info });
    return info;
  }

  async describeReference(referenceId: string, region?: Region): Promise<SoundWord[]> {
    await this.ready;
    const words = await this.soundWordMatrix();
    return rankSoundWords(await this.referenceEmbedding(referenceId, region), SOUND_WORDS, words, DESCRIBE_WORDS);
  }

  async takesLikeReference(referenceId: string, limit: number): Promise<LibraryPage> {
    await this.ready;
    return this.rankedPage(this.takes.db.rankByEmbedding(await this.referenceEmbedding(referenceId), limit));
  }

  /** Takes ranked by sound as a library page, each with its similarity; `total` when the ranking was cut to a page. */
  private rankedPage(ranked: SimilarTake[], total = ranked.length): LibraryPage {
    return { items: ranked.map((r) => this.libraryInfo(r.take)), total, similarity: ranked.map((r) => r.similarity) };
  }

  /** The CLAP audio embedding of a reference (or a region of it), made by the engine on demand. */
  private async referenceEmbedding(referenceId: string, region?: Region): Promise<Float32Array> {
    const reference = this.takes.db.reference(referenceId);
    let samples = await this.takes.referenceSamples(referenceId);
    if (region) {
      const span = regionSpan(samples.length, reference.sampleRate, region);
      if (!span) throw new InvalidRequestError('region', `The region ${region.start}–${region.end} s is outside the reference (${reference.durationS.toFixed(2)} s).`, 'Select a region inside the clip.');
      samples = samples.subarray(...span);
    }
    const job = this.models.run({ kind: 'embed', texts: [], clips: [samples] }, {});
    return (await job.result).embeddings!.clips[0];
  }

  /** Words for a library take, from the CLAP embedding stored with it: tag suggestions. */
  async describeTake(takeId: string): Promise<SoundWord[]> {
    await this.ready;
    const embedding = this.takes.db.embedding(takeId);
    return rankSoundWords(embedding, SOUND_WORDS, await this.soundWordMatrix(), DESCRIBE_WORDS);
  }

  /** The vocabulary's CLAP text embeddings, made once per model and kept on disk (the first Describe ever waits for them). */
  private async soundWordMatrix(): Promise<Float32Array> {
    const hash = (await this.models.loadedInfo()).bundleHash;
    if (this.soundWords?.bundleHash !== hash) {
      const texts = SOUND_WORDS.map(soundWordText);
      const path = soundWordCachePath(join(this.options.configDir, 'cache'), hash, texts);
      const matrix = readSoundWordCache(path, texts.length).then(async (cached) => {
        if (cached) return cached;
        const made = wordMatrix(await this.embedTexts(texts));
        // A cache that cannot be written (full disk, read-only folder) only costs the next session time.
        await writeSoundWordCache(path, made).catch(() => {});
        return made;
      });
      matrix.catch(() => {
        if (this.soundWords?.matrix === matrix) this.soundWords = null;
      });
      this.soundWords = { bundleHash: hash, matrix };
    }
    return this.soundWords!.matrix;
  }

  async listReferences(): Promise<ReferenceInfo[]> {
    await this.ready;
    return this.takes.db.listReferences().map((r) => this.referenceInfo(r));
  }

  private referenceInfo(reference: StoredReference): ReferenceInfo {
    return { ...reference, audioUrl: this.options.mediaUrl('reference', reference.id) };
  }

  private async takeSamples(takeId: string): Promise<Float32Array> {
    return decodeWav(new Uint8Array(await readFile(this.takes.file(takeId)))).channels[0];
  }

  /** Waits for the engine and the saves, ranks the takes (the engine returns them best first), and settles the job. */
  private async follow(jobId: string, engineJob: EngineJob, store: TakeStore, idsByIndex: Map<number, string>, saving: () => Promise<void>, saveError: () => unknown): Promise<void> {
    let failure: unknown;
    let output;
    try {
      output = await engineJob.result;
    } catch (error) {
      failure = error;
    }
    await saving();
    this.running.delete(jobId);
    failure = saveError() ?? failure;
    if (failure === undefined && output) {
      try {
        const ranked = output.takes.filter((t) => idsByIndex.has(t.index));
        for (const [i, take] of ranked.entries()) {
          const id = idsByIndex.get(take.index)!;
          const before = await store.get(id);
          if (before?.rank === i + 1 && before.score === take.score) continue;
          this.emit({ type: 'take', take: this.info(await store.update(id, { rank: i + 1, score: take.score })) });
        }
        this.jobs.finish(jobId, 'done', ranked.map((t) => idsByIndex.get(t.index)!));
        return;
      } catch (error) {
        failure = error;
      }
    }
    if (failure instanceof CancelledError) this.jobs.finish(jobId, 'cancelled');
    else this.jobs.finish(jobId, 'failed', undefined, toErrorEnvelope(failure));
  }

  async cancel(jobId: string): Promise<void> {
    await this.ready;
    if (!this.jobs.get(jobId)) throw new InvalidRequestError('jobId', `There is no job ${jobId}.`, 'Refresh the queue.');
    this.running.get(jobId)?.cancel(); // a finished job has nothing left to cancel
  }

  async listJobs(): Promise<JobInfo[]> {
    await this.ready;
    return this.jobs.list();
  }

  async listTakes(): Promise<TakeInfo[]> {
    await this.ready;
    return (await this.takes.list()).map((take) => this.info(take));
  }

  async rateTake(takeId: string, rating: TakeInfo['rating']): Promise<TakeInfo> {
    await this.ready;
    return this.changed(await this.takes.update(takeId, { rating }));
  }

  async setFavourite(takeId: string, favourite: boolean): Promise<TakeInfo> {
    await this.ready;
    return this.changed(await this.takes.update(takeId, { favourite }));
  }

  // ---- the library ---------------------------------------------------------------------------

  async searchLibrary(query: LibraryQuery): Promise<LibraryPage> {
    await this.ready;
    const db = this.takes.db;
    const filters = {
      rating: query.rating, favourite: query.favourite, modelId: query.modelId, minDuration: query.minDuration, maxDuration: query.maxDuration, tags: query.tags,
      // Days are the user's calendar days: from local midnight to the next local midnight.
      from: query.from ? localMidnight(query.from, 0) : undefined,
      to: query.to ? localMidnight(query.to, 1) : undefined,
    };
    if (query.soundsLike?.trim()) {
      // CLAP text–audio similarity over every take, then the filters; ranked, so paging slices the ranking.
      const [embedding] = await this.embedTexts([query.soundsLike]);
      const ranked = db.rankByEmbedding(embedding, Math.min(1000, query.offset + query.limit + 200));
      const allowed = new Set<string>();
      for (let offset = 0; ; offset += 1000) {
        const page = db.search({ ...filters, text: query.text, limit: 1000, offset });
        for (const t of page.takes) allowed.add(t.id);
        if (offset + 1000 >= page.total) break;
      }
      const hasFilter = Object.values(filters).some((v) => v !== undefined) || !!query.text?.trim();
      const hits = hasFilter ? ranked.filter((r) => allowed.has(r.take.id)) : ranked;
      const page = hits.slice(query.offset, query.offset + query.limit);
      return this.rankedPage(page, hits.length);
    }
    const result = db.search({ ...filters, text: query.text, sort: query.sort, limit: query.limit, offset: query.offset });
    return { items: result.takes.map((t) => this.libraryInfo(t)), total: result.total };
  }

  async similarTakes(takeId: string, limit: number): Promise<LibraryPage> {
    await this.ready;
    return this.rankedPage(this.takes.db.similar(takeId, limit));
  }

  async updateTake(takeId: string, patch: TakePatch): Promise<TakeInfo> {
    await this.ready;
    return this.changed(await this.takes.update(takeId, patch));
  }

  async trashTakes(takeIds: string[]): Promise<void> {
    await this.ready;
    this.takes.db.trash(takeIds);
    this.emit({ type: 'library', trashed: takeIds, restored: [] });
  }

  async restoreTakes(takeIds: string[]): Promise<void> {
    await this.ready;
    this.takes.db.restore(takeIds);
    this.emit({ type: 'library', trashed: [], restored: takeIds });
  }

  async lineageTree(takeId: string): Promise<LineageNode> {
    await this.ready;
    return lineageTree(this.takes.db, takeId);
  }

  async importFolder(path: string): Promise<FolderImportReport> {
    await this.ready;
    return this.whileImporting(async () => {
      const rate = await this.models.sampleRate();
      return importFolder(this.takes, path, rate, (done, total, current, skipped) => this.emit({ type: 'import', done, total, current, skipped }));
    });
  }

  async readRecipe(source: Parameters<StudioApi['readRecipe']>[0]): Promise<Recipe | null> {
    await this.ready;
    let bytes: Uint8Array;
    if (source.kind === 'take') bytes = new Uint8Array(await readFile(this.takes.file((await this.take(source.takeId)).id)));
    else if (source.kind === 'file') bytes = new Uint8Array(await readFile(source.path));
    else {
      if (!this.options.uploads) throw new InvalidRequestError('source', 'Uploads are only taken in browser mode.');
      bytes = await this.options.uploads.take(source.uploadId);
    }
    return readRecipe(bytes);
  }

  async regenerateRecipe(input: Recipe): Promise<JobInfo> {
    await this.ready;
    const recipe = parseRecipe(input);
    if (!recipe) throw new InvalidRequestError('recipe', 'That is not a LOA Studio recipe (or it is damaged).', 'Drop a WAV that LOA Studio made.');
    const model = await this.models.loadedInfo();
    if (model.bundleHash !== recipe.model.bundleHash) {
      throw new InvalidRequestError('recipe', `This take was made with model ${recipe.model.name} (${recipe.model.bundleHash.slice(0, 12)}…); the studio runs ${model.bundleName} (${model.bundleHash.slice(0, 12)}…).`, 'Load the model it was made with (Settings → Model), then regenerate.');
    }
    if (recipe.kind === 'generate') return this.startJob(regenerationTask(recipe), null, () => undefined);
    const reference = recipe.lineage?.reference;
    if (!reference?.referenceId) throw new InvalidRequestError('recipe', 'This take came from a reference file outside the studio.', 'Use `npm run loa -- regenerate <file> --reference <clip>`.');
    const samples = await this.takes.referenceSamples(reference.referenceId);
    const stored = this.takes.db.reference(reference.referenceId);
    return this.startJob(regenerationTask(recipe, samples), { id: stored.id, name: stored.name }, (take) => ({ ...recipe.lineage!, seed: take.seed }));
  }

  /**
   * Sets the database aside and re-creates its rows from the WAVs' recipes. Refused while a job or
   * an import is writing into the library: closing the store under them failed the job and left
   * its next take's WAV without a row. While it runs, new jobs and imports are refused in turn.
   */
  async rebuildLibrary(): Promise<{ restored: number; skipped: number; setAside: string | null }> {
    await this.ready;
    if (this.rebuilding) throw new LibraryBusyError('The library is already being rebuilt.', 'Wait for the rebuild to finish.');
    const jobs = this.running.size;
    if (jobs > 0 || this.importing > 0) {
      const what = jobs > 0 ? `${jobs} job${jobs === 1 ? ' is' : 's are'} still making takes` : 'an import is still adding files';
      throw new LibraryBusyError(`The library cannot be rebuilt while ${what}.`, jobs > 0 ? 'Wait for the queue to finish (or cancel its jobs), then rebuild.' : 'Wait for the import to finish, then rebuild.');
    }
    this.rebuilding = true;
    try {
      const dir = this.settings.get().libraryDir;
      const damaged = this.libraryProblem instanceof LibraryCorruptError;
      this.library?.close();
      this.library = undefined;
      const setAside = LibraryDb.setAsideForRebuild(dir, new Date(), damaged);
      await this.openLibrary(dir);
      const result = await rebuildFromRecipes(this.takes);
      this.emit({ type: 'library', trashed: [], restored: [] });
      return { ...result, setAside };
    } finally {
      this.rebuilding = false;
    }
  }

  /** Jobs and imports write into the library: none may start while it is rebuilt. */
  private checkNotRebuilding(): void {
    if (this.rebuilding) throw new LibraryBusyError('The library is being rebuilt.', 'Try again when the rebuild has finished (Settings shows when).');
  }

  /** Runs an import with the library marked busy, so a rebuild waits for it to end. */
  private async whileImporting<T>(work: () => Promise<T>): Promise<T> {
    this.checkNotRebuilding();
    this.importing++;
    try {
      return await work();
    } finally {
      this.importing--;
    }
  }

  private async embedTexts(texts: string[]): Promise<Float32Array[]> {
    const job = this.models.run({ kind: 'embed', texts, clips: [] }, {});
    const output = await job.result;
    return output.embeddings!.texts;
  }

  /** A library row: row-sized peaks (the detail view redraws from the audio itself). */
  private libraryInfo(take: LibraryTake): TakeInfo {
    const { kind: _kind, bundleHash: _hash, file: _file, deletedAt: _deleted, hasEmbedding: _embedding, ...info } = take;
    return this.info({ ...info, peaks: reducePeaks(info.peaks, ROW_PEAK_PAIRS) });
  }

  async exportTakes(request: ExportRequest): Promise<ExportResult[]> {
    await this.ready;
    if (request.region && request.takeIds.length !== 1) throw new InvalidRequestError('region', 'A region can only be exported from one take at a time.');
    const takes = await Promise.all(request.takeIds.map((id) => this.take(id))); // all known before anything is written
    const results: ExportResult[] = [];
    this.emit({ type: 'export', done: 0, total: takes.length });
    for (const [index, take] of takes.entries()) {
      results.push(await this.exportOne(take, request.options, index, request.region));
      this.emit({ type: 'export', done: index + 1, total: takes.length });
    }
    return results;
  }

  async prepareDrag(takeId: string, region?: Region): Promise<ExportResult> {
    await this.ready;
    const options = this.settings.get().exportDefaults;
    // A dragged region gets at least a short fade at each end, so the cut never clicks.
    const fades = region ? { fadeInMs: Math.max(options.fadeInMs, DRAG_FADE_MS), fadeOutMs: Math.max(options.fadeOutMs, DRAG_FADE_MS) } : {};
    return this.exportOne(await this.take(takeId), { ...options, ...fades }, 0, region);
  }

  async getSettings(): Promise<Settings> {
    await this.ready;
    return this.settings.get();
  }

  async updateSettings(patch: Partial<Settings>): Promise<Settings> {
    await this.ready;
    const before = this.settings.get();
    const settings = await this.settings.update(patch);
    if (settings.libraryDir !== before.libraryDir) await this.openLibrary(settings.libraryDir);
    if (settings.device !== before.device && this.options.device === undefined) {
      // Reloading takes a while; 'model' events show it, and a failed switch keeps the working model.
      void this.models.setDevice(settings.device).catch(() => {});
    }
    this.emit({ type: 'settings', settings });
    return settings;
  }

  onEvent(listener: (event: StudioEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async mediaRoots(): Promise<MediaRoots> {
    await this.ready;
    const db = this.takes.db;
    return {
      takes: this.takes,
      references: { get: (id: string) => db.reference(id), file: (id: string) => db.referenceFile(id) },
      libraryDir: this.takes.libraryDir,
      exportsDir: this.settings.get().exportsDir,
      isExport: (path) => db.isExportPath(path),
    };
  }

  /** Stops the engine (cancelling its jobs) and every timer; the service is unusable afterwards. */
  async dispose(): Promise<void> {
    await this.ready.catch(() => {});
    this.queue?.dispose();
    await this.models?.dispose();
    this.jobs.dispose();
    this.listeners.clear();
    this.library?.close();
    this.library = undefined;
  }

  private async take(takeId: string): Promise<TakeInfo> {
    const take = await this.takes.get(takeId);
    if (!take) throw new TakeNotFoundError(takeId);
    return this.info(take);
  }

  private async exportOne(take: TakeInfo, options: ExportRequest['options'], index: number, region?: Region): Promise<ExportResult> {
    const { exportsDir, ucs } = this.settings.get();
    const written = await writeExport(this.options.exporter ?? defaultExporter, { take, source: this.takes.file(take.id), exportsDir, options, ucs, index, region });
    this.takes.db.addExport(take.id, written.path, options); // the library shows where a take went
    return { takeId: take.id, ...written, url: this.options.mediaUrl('export', written.fileName) };
  }

  private changed(take: StoredTake): TakeInfo {
    const info = this.info(take);
    this.emit({ type: 'take', take: info }); // other windows and browser tabs stay in step
    return info;
  }

  private info(take: StoredTake): TakeInfo {
    return { ...take, peaks: peaksForWire(take.peaks), audioUrl: this.options.mediaUrl('take', take.id) };
  }

  /** A failing listener (a transport bug) must not stop a job from settling or other listeners from hearing it. */
  private emit(event: StudioEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        process.emitWarning(`A Studio event listener failed on a '${event.type}' event: ${(error as Error).stack ?? String(error)}`);
      }
    }
  }
}
