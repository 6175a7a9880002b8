/**
 * The one implementation of the Studio API, in plain Node. It owns nothing itself: it opens the
 * settings and the library, builds one service per concern (models, jobs, references, library,
 * exports, settings: each owning its resource), and answers every method by routing it to its
 * concern (studio-routes.ts), after the opening, awaited once here for all of them. Errors that are
 * not ours come back as InternalError naming the log (bug-report.ts). Electron IPC and the
 * browser-mode WebSocket are thin adapters around it; both validate payloads (studio-validate.ts)
 * before calling in.
 */
import { join, resolve } from 'node:path';
import type { DeviceName } from '../../shared/engine/generate-params.ts';
import { STUDIO_METHODS, type StudioApi, type StudioEvent, type StudioMethod } from '../../shared/studio/studio-api.ts';
import { ModelInstaller, type ModelInstallerOptions } from '../models-hub/model-installer.ts';
import type { LaunchEngine } from '../engine/host/node-engine-launcher.ts';
import { BugReporter } from './bug-report.ts';
import { defaultExporter, type Exporter } from './export-writer.ts';
import { ExportService } from './export-service.ts';
import { FarmService } from './farm-service.ts';
import { MemoryTokenStore, type HubTokenStore } from './hub-token.ts';
import { PROGRESS_INTERVAL_MS } from './job-board.ts';
import { JobsService } from './jobs-service.ts';
import { LibraryService } from './library-service.ts';
import type { MediaRoots, MediaSource } from './media-paths.ts';
import { ModelManager } from './model-manager.ts';
import { ModelsService } from './models-service.ts';
import { OpenLibrary } from './open-library.ts';
import { ReferencesService } from './references-service.ts';
import { SettingsService } from './settings-service.ts';
import { SettingsStore } from './settings-store.ts';
import { SoundWordMatrix } from './sound-word-matrix.ts';
import { StudioEvents } from './studio-events.ts';
import { studioRoutes, type StudioRoutes, type StudioServices } from './studio-routes.ts';
import type { UploadStore } from './upload-store.ts';
import { WireViews, type MediaUrl } from './wire-views.ts';

export type { Exporter } from './export-writer.ts';

export interface StudioServiceOptions {
  /** Settings, the remembered model, downloaded models, caches and the log (Electron: userData). */
  configDir: string;
  /** Overrides the library folder from the settings for this run (`--library`). */
  libraryDir?: string;
  /** Model to load at start (`--model`); otherwise the one imported last. */
  bundleDir?: string;
  /** Overrides the device from the settings for this run. */
  device?: DeviceName;
  /** The URL a take or an export is served at (custom protocol in Electron, token URL in browser mode). */
  mediaUrl: MediaUrl;
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

type RequestMethods = Pick<StudioApi, StudioMethod>;

/**
 * Every request method of StudioApi as one generic forwarder to `answer` (the list is STUDIO_METHODS,
 * checked complete at compile time), so the dispatcher below is the one place a call passes through.
 */
abstract class StudioRequests {
  protected abstract answer(method: StudioMethod, args: unknown[]): Promise<unknown>;

  static {
    for (const method of STUDIO_METHODS) {
      Object.defineProperty(this.prototype, method, {
        value(this: StudioRequests, ...args: unknown[]) {
          return this.answer(method, args);
        },
        writable: true,
        configurable: true,
      });
    }
  }
}
const RoutedRequests = StudioRequests as unknown as abstract new () => StudioRequests & RequestMethods;

export class StudioService extends RoutedRequests implements StudioApi, MediaSource {
  private readonly events = new StudioEvents();
  private readonly library = new OpenLibrary();
  private readonly bugs: BugReporter;
  /** Settles once settings and the library are open (the model may still be loading): every method waits for it. */
  private readonly opened: Promise<{ services: StudioServices; routes: StudioRoutes }>;

  constructor(private readonly options: StudioServiceOptions) {
    super();
    this.bugs = new BugReporter(join(options.configDir, 'logs', 'studio.log'));
    this.opened = this.open();
    this.opened.catch(() => {}); // every call awaits `opened` and reports the error itself
  }

  /** Resolves once settings and the library are open (the model may still be loading). */
  async whenReady(): Promise<void> {
    await this.opened;
  }

  /** Where installed models live: what `models install` uses by default too. */
  get modelsDir(): string {
    return resolve(this.options.configDir, 'models');
  }

  /** Where unexpected errors are logged: the file an internal error's hint asks the user to attach. */
  get logFile(): string {
    return this.bugs.logFile;
  }

  /** The dispatcher: waits for the opening once, routes the call to its concern, and turns a bug into a reportable error. */
  protected override async answer(method: StudioMethod, args: unknown[]): Promise<unknown> {
    try {
      const { routes } = await this.opened;
      return await (routes[method] as (...callArgs: unknown[]) => Promise<unknown>)(...args);
    } catch (error) {
      throw this.bugs.report(error, `Studio API ${method}`);
    }
  }

  private async open(): Promise<{ services: StudioServices; routes: StudioRoutes }> {
    const { configDir, libraryDir, bundleDir, device, launch, intraOpThreads, hangTimeoutMs, hfCacheDirs, hubUrl, uploads } = this.options;
    const store = await SettingsStore.open(configDir, { libraryDir });
    const engine = new ModelManager({ configDir, bundleDir, device: device ?? store.get().device, launch, intraOpThreads, hangTimeoutMs });
    engine.on('status', (status) => this.events.emit({ type: 'model', status }));
    engine.on('download', (progress) => this.events.emit({ type: 'download', progress }));
    const installer = new ModelInstaller({
      ...this.options.hubInstaller,
      modelsDir: this.modelsDir,
      ...(hfCacheDirs?.length ? { cacheDirs: hfCacheDirs } : {}),
      ...(hubUrl ? { hubUrl } : {}),
    });
    const views = new WireViews(this.options.mediaUrl);
    const models = new ModelsService(engine, installer, this.options.hubToken ?? new MemoryTokenStore(), this.events, this.bugs);
    const settings = new SettingsService(store, this.library, engine, this.events, device !== undefined);
    const words = new SoundWordMatrix(models, join(configDir, 'cache'));
    const jobs = new JobsService(engine, this.library, settings, this.events, views, this.bugs, this.options.progressIntervalMs ?? PROGRESS_INTERVAL_MS);
    const services: StudioServices = {
      models,
      settings,
      jobs,
      farm: await FarmService.open(configDir, jobs, engine, this.library, settings, this.events),
      references: new ReferencesService(this.library, models, words, this.events, views, uploads),
      library: new LibraryService(this.library, models, settings, words, this.events, views, uploads),
      exports: new ExportService(this.library, settings, this.events, views, this.options.exporter ?? defaultExporter),
    };
    await this.library.open(store.get().libraryDir);
    void engine.start(); // loading a model takes a while; 'model' events report how it went
    return { services, routes: studioRoutes(services) };
  }

  onEvent(listener: (event: StudioEvent) => void): () => void {
    return this.events.on(listener);
  }

  async mediaRoots(): Promise<MediaRoots> {
    const { services } = await this.opened;
    const store = this.library.store;
    return {
      takes: store,
      references: { get: (id: string) => store.reference(id), file: (id: string) => store.referenceFile(id) },
      libraryDir: store.libraryDir,
      exportsDir: services.settings.current.exportsDir,
      isExport: (path) => store.isExportPath(path),
    };
  }

  /** Stops the engine (cancelling its jobs) and every timer; the service is unusable afterwards. */
  async dispose(): Promise<void> {
    const opened = await this.opened.catch(() => undefined);
    opened?.services.jobs.dispose();
    await opened?.services.farm.dispose();
    await opened?.services.models.dispose();
    this.events.clear();
    this.library.close();
  }
}
