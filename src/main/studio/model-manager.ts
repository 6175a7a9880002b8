/**
 * Which model the studio runs, and the engine process that runs it. A new bundle (imported,
 * downloaded, or the same one on another device) is loaded in a fresh EngineHost first — the real
 * load checks the contract and every checksum — and only replaces the running engine once it works.
 */
import { EventEmitter } from 'node:events';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { EngineTask, GenerationOutput, LoadedInfo } from '../../shared/engine/engine-protocol.ts';
import type { DeviceName } from '../../shared/engine/generate-params.ts';
import { fromErrorEnvelope, LoaError, ModelBundleError, toErrorEnvelope } from '../../shared/errors.ts';
import type { DownloadProgress, ModelStatus } from '../../shared/studio/studio-api.ts';
import { validateManifestUrl } from '../../shared/studio/studio-validate.ts';
import { EngineHost, type JobHooks } from '../engine/host/engine-host.ts';
import type { LaunchEngine } from '../engine/host/node-engine-launcher.ts';
import { writeFileAtomic } from '../io/atomic-write.ts';
import { BundleDownloader, type DownloadOptions } from './bundle-download.ts';

export interface ModelManagerOptions {
  configDir: string;
  /** Load this bundle at start (`--model <dir>`); otherwise the one chosen last time, if any. */
  bundleDir?: string;
  device?: DeviceName;
  launch?: LaunchEngine;
  intraOpThreads?: number;
  hangTimeoutMs?: number;
  download?: Pick<DownloadOptions, 'retries' | 'retryDelayMs' | 'idleTimeoutMs'>;
}

/** A job handed to the engine: its outcome, how to cancel it, and which model it ran on. */
export interface EngineJob {
  result: Promise<GenerationOutput>;
  cancel(): void;
  /** The loaded model's details (known once the engine that runs the job has loaded). */
  model(): LoadedInfo | undefined;
}

export class NoModelError extends ModelBundleError {
  constructor() {
    super(
      '',
      'No model is installed yet: import a model bundle folder or download one before generating.',
      'Use Import or Download on the model screen; models/README.md shows how to export a bundle.',
    );
  }
}

/** One engine process with the bundle it runs; retired engines stop once their last job settles. */
interface Engine {
  host: EngineHost;
  dir: string;
  info?: LoadedInfo;
  jobs: number;
  retired: boolean;
}

const REMEMBERED = 'model.json';

export class ModelManager extends EventEmitter<{ status: [ModelStatus]; download: [DownloadProgress] }> {
  private current: Engine | undefined;
  /** Every engine process not yet stopped (current, loading, retiring), so dispose() reaches them all. */
  private readonly engines = new Set<Engine>();
  private disposed = false;
  private state: ModelStatus;
  /** Loads run one after another: two imports racing would leave either model current. */
  private loads: Promise<unknown> = Promise.resolve();
  private downloading = false;

  constructor(private readonly options: ModelManagerOptions) {
    super();
    this.state = emptyStatus(options.device ?? 'auto');
  }

  get status(): ModelStatus {
    return structuredClone(this.state);
  }

  /** Loads the starting bundle; a failure shows in the status (state 'error'), never as a crash. */
  async start(): Promise<ModelStatus> {
    const dir = this.options.bundleDir ?? (await this.remembered());
    if (dir !== undefined) await this.load(resolve(dir), false).catch(() => {});
    return this.status;
  }

  /** Switches to the bundle in `dir` once it has loaded; rejects with the load error and keeps the old model otherwise. */
  importModel(dir: string): Promise<ModelStatus> {
    return this.load(resolve(dir), true);
  }

  async downloadModel(manifestUrl: string): Promise<ModelStatus> {
    validateManifestUrl(manifestUrl);
    if (this.downloading) throw new LoaError('INVALID_REQUEST', 'A model is already downloading.', 'Wait for it to finish.');
    this.downloading = true;
    try {
      const downloader = new BundleDownloader({
        ...this.options.download,
        modelsDir: join(this.options.configDir, 'models'),
        onProgress: (progress) => this.emit('download', progress),
      });
      return await this.importModel(await downloader.download(manifestUrl));
    } finally {
      this.downloading = false;
    }
  }

  /** Reloads the current bundle on another device (validated like an import). */
  async setDevice(device: DeviceName): Promise<ModelStatus> {
    this.options.device = device;
    const dir = this.current?.dir;
    if (dir === undefined) {
      this.setStatus({ ...this.state, device });
      return this.status;
    }
    return this.load(dir, false);
  }

  /** Throws NoModelError, or the error of the last failed load, when no engine can take a job. */
  available(): void {
    if (!this.current) throw this.state.error ? fromErrorEnvelope(this.state.error) : new NoModelError();
  }

  /** The current model's details, once it has loaded. */
  async loadedInfo(): Promise<LoadedInfo> {
    this.available();
    return this.current!.host.start();
  }

  /** The sample rate of the current model (once loaded): references are stored at it. */
  async sampleRate(): Promise<number> {
    return (await this.loadedInfo()).sampleRate;
  }

  /** Hands a job to the current engine (which queues it while the model is still loading). */
  run(task: EngineTask, hooks: JobHooks): EngineJob {
    this.available();
    const engine = this.current!;
    const { jobId, result } = engine.host.run(task, hooks);
    engine.jobs++;
    const settled = result.finally(() => {
      engine.jobs--;
      if (engine.retired && engine.jobs === 0) void this.stopEngine(engine);
    });
    settled.catch(() => {});
    return { result, cancel: () => engine.host.cancel(jobId), model: () => engine.info };
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    this.current = undefined;
    await Promise.all([...this.engines].map((engine) => this.stopEngine(engine)));
  }

  private load(dir: string, remember: boolean): Promise<ModelStatus> {
    const run = this.loads.then(() => this.loadNow(dir, remember));
    this.loads = run.catch(() => {});
    return run;
  }

  private async loadNow(dir: string, remember: boolean): Promise<ModelStatus> {
    const device = this.options.device ?? 'auto';
    const engine: Engine = {
      host: new EngineHost({
        bundleDir: dir,
        device,
        cacheDir: join(this.options.configDir, 'cache'),
        launch: this.options.launch,
        intraOpThreads: this.options.intraOpThreads,
        hangTimeoutMs: this.options.hangTimeoutMs,
      }),
      dir,
      jobs: 0,
      retired: false,
    };
    this.engines.add(engine);
    const previous = this.state.state === 'ready' ? this.current : undefined;
    const before = this.state;
    // With nothing working yet, jobs may queue on the loading engine (EngineHost waits for the load).
    if (!previous) {
      if (this.current) this.retire(this.current);
      this.current = engine;
    }
    this.setStatus({ ...emptyStatus(device), state: 'loading', bundleDir: dir });
    try {
      engine.info = await engine.host.start();
      if (this.disposed) throw new LoaError('CANCELLED', 'The studio is shutting down.', 'Nothing to do.');
      if (previous) this.retire(previous);
      this.current = engine;
      if (remember) await writeFileAtomic(join(this.options.configDir, REMEMBERED), new TextEncoder().encode(JSON.stringify({ bundleDir: dir })));
      this.setStatus({
        state: 'ready',
        bundleDir: dir,
        bundleId: engine.info.bundleId,
        bundleName: engine.info.bundleName,
        license: engine.info.license ?? '',
        provider: engine.info.provider,
        device,
        notices: engine.info.notices,
        error: null,
      });
      return this.status;
    } catch (error) {
      await this.stopEngine(engine);
      if (previous) {
        this.setStatus(before); // the working model stays
      } else {
        if (this.current === engine) this.current = undefined;
        this.setStatus({ ...emptyStatus(device), state: 'error', bundleDir: dir, error: toErrorEnvelope(error) });
      }
      throw error;
    }
  }

  private retire(engine: Engine): void {
    engine.retired = true;
    if (engine.jobs === 0) void this.stopEngine(engine);
  }

  private async stopEngine(engine: Engine): Promise<void> {
    this.engines.delete(engine);
    await engine.host.stop();
  }

  private async remembered(): Promise<string | undefined> {
    try {
      const { bundleDir } = JSON.parse(await readFile(join(this.options.configDir, REMEMBERED), 'utf8')) as { bundleDir?: unknown };
      return typeof bundleDir === 'string' ? bundleDir : undefined;
    } catch {
      return undefined; // none chosen yet (or unreadable): the first-run screen asks again
    }
  }

  private setStatus(status: ModelStatus): void {
    this.state = status;
    this.emit('status', this.status);
  }
}

function emptyStatus(device: DeviceName): ModelStatus {
  return { state: 'none', bundleDir: null, bundleId: null, bundleName: null, license: null, provider: null, device, notices: [], error: null };
}
