import { EventEmitter } from 'node:events';
import { ENGINE_PROTOCOL_VERSION, type EngineEvent, type EngineTask, type GenerationOutput, type LoadedInfo, type TakeData } from '../../../shared/engine/engine-protocol.ts';
import type { DeviceName, GenerateParams } from '../../../shared/engine/generate-params.ts';
import type { Progress } from '../../../shared/engine/progress.ts';
import type { TransformParams } from '../../../shared/engine/transform-params.ts';
import { CancelledError, EngineCrashedError, EngineHungError, fromErrorEnvelope, type LoaError } from '../../../shared/errors.ts';
import { nodeEngineLauncher, type EngineChild, type LaunchEngine } from './node-engine-launcher.ts';

export interface EngineHostOptions {
  bundleDir: string;
  device?: DeviceName;
  cacheDir?: string;
  intraOpThreads?: number;
  /** A job that reports nothing for this long is treated as hung: the process is killed and restarted. */
  hangTimeoutMs?: number;
  /** Loading multi-GB graphs takes a while; a load silent for longer than this is hung. */
  loadTimeoutMs?: number;
  /** After a cancel, how long the engine gets to stop at the next step before it is killed. */
  cancelGraceMs?: number;
  launch?: LaunchEngine;
}

export interface JobHooks {
  onProgress?: (progress: Progress) => void;
  onTake?: (take: TakeData) => void;
}

interface PendingJob {
  jobId: string;
  job: EngineTask;
  hooks: JobHooks;
  resolve: (output: GenerationOutput) => void;
  reject: (error: LoaError) => void;
  cancelTimer?: NodeJS.Timeout;
  /** Sent to the current engine process (false while waiting for it to load). */
  submitted: boolean;
}

export interface EngineHostEvents {
  /** The engine process died or hung and was replaced; `error` says why. */
  restarted: [error: LoaError];
  loaded: [info: LoadedInfo];
}

/**
 * Owns the engine process: starts it, loads the bundle, queues jobs, forwards progress, and
 * survives the process crashing or hanging (the job in flight fails with a clear error, the
 * process is restarted, queued jobs continue).
 */
export class EngineHost extends EventEmitter<EngineHostEvents> {
  private child: EngineChild | undefined;
  private ready: Promise<LoadedInfo> | undefined;
  private readonly jobs: PendingJob[] = [];
  private watchdog: NodeJS.Timeout | undefined;
  private nextJob = 1;
  private stopping = false;
  private readonly launch: LaunchEngine;

  constructor(private readonly options: EngineHostOptions) {
    super();
    this.launch = options.launch ?? nodeEngineLauncher();
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts the engine process and loads the bundle (once; later calls share the result). */
  start(): Promise<LoadedInfo> {
    if (!this.ready) {
      this.ready = this.spawn();
      this.ready.catch(() => {
        this.ready = undefined;
      });
    }
    return this.ready;
  }

  generate(params: GenerateParams, hooks: JobHooks = {}): { jobId: string; result: Promise<GenerationOutput> } {
    return this.run({ kind: 'generate', params }, hooks);
  }

  /** Continue, vary, inpaint or loop `reference` (mono, at the bundle's sample rate). */
  transform(params: TransformParams, reference: Float32Array, hooks: JobHooks = {}): { jobId: string; result: Promise<GenerationOutput> } {
    return this.run({ kind: 'transform', params, reference }, hooks);
  }

  run(job: EngineTask, hooks: JobHooks = {}): { jobId: string; result: Promise<GenerationOutput> } {
    const jobId = `job-${this.nextJob++}`;
    const result = new Promise<GenerationOutput>((resolve, reject) => {
      this.jobs.push({ jobId, job, hooks, resolve, reject, submitted: false });
    });
    this.start().then(
      () => {
        const job = this.jobs.find((j) => j.jobId === jobId);
        if (job && !job.submitted) this.submit(job);
      },
      (error: LoaError) => this.settle(jobId, undefined, error),
    );
    return { jobId, result };
  }

  /** Soft cancel at the next step; if the engine does not stop within the grace time it is killed. */
  cancel(jobId: string): void {
    const job = this.jobs.find((j) => j.jobId === jobId);
    if (!job || job.cancelTimer) return;
    if (!job.submitted) {
      this.settle(jobId, undefined, new CancelledError());
      return;
    }
    this.child?.send({ type: 'cancel', jobId });
    job.cancelTimer = setTimeout(() => {
      this.settle(jobId, undefined, new CancelledError('Generation cancelled (the engine was stopped because it did not respond).'));
      this.replaceChild(undefined);
    }, this.options.cancelGraceMs ?? 30_000);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.clearWatchdog();
    for (const job of [...this.jobs]) this.settle(job.jobId, undefined, new CancelledError('The engine is shutting down.'));
    const child = this.child;
    this.child = undefined;
    this.ready = undefined;
    if (!child) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        child.kill();
        resolve();
      }, 3_000);
      child.onExit(() => {
        clearTimeout(timer);
        resolve();
      });
      child.send({ type: 'shutdown' });
    });
  }

  private spawn(): Promise<LoadedInfo> {
    this.stopping = false;
    const child = this.launch();
    this.child = child;
    return new Promise<LoadedInfo>((resolve, reject) => {
      let loaded = false;
      const loadTimer = setTimeout(
        () => {
          if (this.child === child) this.child = undefined;
          child.kill();
          reject(new EngineHungError('The model took too long to load.'));
        },
        this.options.loadTimeoutMs ?? 10 * 60_000,
      );
      child.onEvent((event) => {
        if (event.type === 'loaded') {
          loaded = true;
          clearTimeout(loadTimer);
          this.emit('loaded', event.info);
          resolve(event.info);
        } else if (event.type === 'load-failed') {
          clearTimeout(loadTimer);
          if (this.child === child) this.child = undefined;
          child.kill();
          reject(fromErrorEnvelope(event.error));
        } else if (this.child === child) {
          this.onEvent(event);
        }
      });
      child.onExit((code, signal) => {
        clearTimeout(loadTimer);
        if (!loaded) {
          if (this.child === child) this.child = undefined;
          reject(new EngineCrashedError(`The engine process exited while loading the model (${describeExit(code, signal)}).`));
          return;
        }
        if (this.child === child && !this.stopping) {
          this.replaceChild(new EngineCrashedError(`The engine process stopped unexpectedly (${describeExit(code, signal)}).`));
        }
      });
      child.send({
        type: 'load',
        protocol: ENGINE_PROTOCOL_VERSION,
        bundleDir: this.options.bundleDir,
        device: this.options.device ?? 'auto',
        cacheDir: this.options.cacheDir,
        intraOpThreads: this.options.intraOpThreads,
      });
    });
  }

  private submit(job: PendingJob): void {
    job.submitted = true;
    const task = job.job;
    this.child?.send(
      task.kind === 'generate'
        ? { type: 'generate', jobId: job.jobId, params: task.params }
        : task.kind === 'transform'
          ? { type: 'transform', jobId: job.jobId, params: task.params, reference: task.reference }
          : { type: 'embed', jobId: job.jobId, texts: task.texts, clips: task.clips },
    );
    this.armWatchdog();
  }

  private onEvent(event: EngineEvent): void {
    if (event.type === 'loaded' || event.type === 'load-failed') return;
    const job = this.jobs.find((j) => j.jobId === event.jobId);
    this.armWatchdog();
    if (!job) return;
    switch (event.type) {
      case 'progress':
        job.hooks.onProgress?.(event.progress);
        break;
      case 'take':
        job.hooks.onTake?.(event.take);
        break;
      case 'done':
        this.settle(job.jobId, event.output);
        break;
      case 'failed':
        this.settle(job.jobId, undefined, fromErrorEnvelope(event.error));
        break;
    }
  }

  private settle(jobId: string, output?: GenerationOutput, error?: LoaError): void {
    const index = this.jobs.findIndex((j) => j.jobId === jobId);
    if (index < 0) return;
    const [job] = this.jobs.splice(index, 1);
    clearTimeout(job.cancelTimer);
    if (error) job.reject(error);
    else job.resolve(output!);
    if (this.jobs.length === 0) this.clearWatchdog();
  }

  private armWatchdog(): void {
    this.clearWatchdog();
    if (this.jobs.length === 0) return;
    this.watchdog = setTimeout(() => {
      const seconds = Math.round((this.options.hangTimeoutMs ?? 120_000) / 1000);
      this.replaceChild(new EngineHungError(`The engine stopped responding (no progress for ${seconds} s).`));
    }, this.options.hangTimeoutMs ?? 120_000);
  }

  private clearWatchdog(): void {
    if (this.watchdog) clearTimeout(this.watchdog);
    this.watchdog = undefined;
  }

  /**
   * Kills the current process (if alive), fails the job it was running with `error`, and starts a
   * fresh process for the jobs still queued.
   */
  private replaceChild(error: LoaError | undefined): void {
    this.clearWatchdog();
    const old = this.child;
    this.child = undefined;
    this.ready = undefined;
    old?.kill();
    if (error) {
      const running = this.jobs[0];
      if (running) this.settle(running.jobId, undefined, error);
      this.emit('restarted', error);
    }
    if (this.stopping) return;
    const waiting = [...this.jobs];
    for (const job of waiting) job.submitted = false;
    // Restart now so the model is warm again; queued jobs resubmit once it is loaded.
    this.start().then(
      () => waiting.forEach((job) => this.jobs.includes(job) && !job.submitted && this.submit(job)),
      (loadError: LoaError) => waiting.forEach((job) => this.settle(job.jobId, undefined, loadError)),
    );
  }
}

function describeExit(code: number | null, signal: string | null): string {
  return signal ? `signal ${signal}` : `exit code ${code}`;
}
