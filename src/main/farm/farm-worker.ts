/**
 * A render-farm worker: takes jobs from the BullMQ queue, checks each payload, runs it on its own
 * engine process (EngineHost, as the CLI and the studio do), reports progress per step, and returns
 * the takes with their recipes. A cancel message stops the running job at the next step; SIGTERM
 * lets the running job finish for a while, then hands it back to the queue for another worker.
 */
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { UnrecoverableError, WaitingError, Worker, type Job } from 'bullmq';
import type { GenerationOutput, LoadedInfo } from '../../shared/engine/engine-protocol.ts';
import type { DeviceName } from '../../shared/engine/generate-params.ts';
import type { Lineage } from '../../shared/engine/lineage.ts';
import type { Progress } from '../../shared/engine/progress.ts';
import { CancelledError, InvalidRequestError, LoaError } from '../../shared/errors.ts';
import { EngineHost } from '../engine/host/engine-host.ts';
import { makeRecipe } from '../library/make-recipe.ts';
import { CANCEL_CHANNEL, CANCEL_KEY_PREFIX, FARM_PREFIX, FARM_QUEUE, redisOptions, type FarmConnection } from './farm-connection.ts';
import { encodeFailure } from './farm-errors.ts';
import { checkFarmPayload, type CheckedFarmJob } from './farm-payload.ts';
import { takeResult, type FarmJobResult } from './farm-result.ts';
import { describeWorkerModel, matchModel, type WorkerModel } from './model-match.ts';
import { HEARTBEAT_MS, WorkerHeartbeat } from './worker-registry.ts';

export interface FarmWorkerOptions {
  connection: FarmConnection;
  /** The models it serves; a job naming none runs on the first. */
  models: WorkerModel[];
  device: DeviceName;
  threads?: number;
  concurrency?: number;
  name?: string;
  cacheDir?: string;
  /** How long a worker that stopped answering keeps its job before the farm gives it to another (BullMQ lockDuration). */
  lockMs?: number;
  /** On SIGTERM, how long the running job may take to finish before it is handed back. */
  drainMs?: number;
  heartbeatMs?: number;
  log?: (line: string) => void;
}

interface ActiveJob {
  job: Job;
  token: string | undefined;
  host: EngineHost;
  engineJobId: string;
  cancelled: boolean;
  handBack: boolean;
}

export class FarmWorker {
  private readonly id = randomUUID();
  private readonly name: string;
  private readonly hosts = new Map<string, EngineHost>();
  private readonly freeSlots: number[];
  private readonly active = new Map<string, ActiveJob>();
  private readonly redis: Redis;
  private readonly subscriber: Redis;
  private readonly heartbeat: WorkerHeartbeat;
  private worker: Worker | undefined;
  private closing: Promise<void> | undefined;
  private readonly log: (line: string) => void;

  constructor(private readonly options: FarmWorkerOptions) {
    if (options.models.length === 0) throw new InvalidRequestError('model', 'A worker needs at least one model.', 'Give --model <bundle folder or repo id>.');
    this.name = options.name ?? `${hostname()}-${process.pid}`;
    this.log = options.log ?? (() => {});
    const concurrency = options.concurrency ?? 1;
    this.freeSlots = Array.from({ length: concurrency }, (_, i) => i);
    this.redis = new Redis(redisOptions(options.connection));
    this.subscriber = new Redis(redisOptions(options.connection));
    for (const client of [this.redis, this.subscriber]) client.on('error', () => {}); // ioredis reconnects by itself; BullMQ logs its own
    this.heartbeat = new WorkerHeartbeat(
      this.redis,
      {
        id: this.id,
        name: this.name,
        host: hostname(),
        pid: process.pid,
        device: options.device,
        models: options.models.map(describeWorkerModel),
        state: 'idle',
        currentJob: null,
        progress: null,
        jobsDone: 0,
        jobsFailed: 0,
        startedAt: new Date().toISOString(),
        heartbeatAt: '',
      },
      options.heartbeatMs ?? HEARTBEAT_MS,
    );
  }

  get workerName(): string {
    return this.name;
  }

  /** Loads the first model (so the first job does not wait for it), joins the registry and starts taking jobs. */
  async start(): Promise<LoadedInfo> {
    const info = await this.hostFor(this.options.models[0], 0).start();
    this.heartbeat.update({ device: info.provider });
    await this.subscriber.subscribe(CANCEL_CHANNEL);
    this.subscriber.on('message', (_channel, jobId: string) => this.cancelRunning(jobId));
    await this.heartbeat.start();
    const lockDuration = this.options.lockMs ?? 30_000;
    this.worker = new Worker(FARM_QUEUE, (job, token) => this.process(job, token), {
      connection: redisOptions(this.options.connection),
      prefix: FARM_PREFIX,
      name: this.name,
      concurrency: this.freeSlots.length,
      lockDuration,
      stalledInterval: lockDuration,
      // A job whose worker died twice is more likely a job that kills workers than bad luck.
      maxStalledCount: 2,
    });
    this.worker.on('error', (error) => this.log(`farm: ${error.message}`));
    // Said only once Redis took the result: a job whose lock this worker lost (it stalled, another
    // worker re-ran it) ran here but is not completed here.
    this.worker.on('completed', (job) => this.log(`job ${job.id}: completed`));
    return info;
  }

  private hostFor(model: WorkerModel, slot: number): EngineHost {
    const key = `${slot}:${model.dir}`;
    let host = this.hosts.get(key);
    if (!host) {
      host = new EngineHost({ bundleDir: model.dir, device: this.options.device, intraOpThreads: this.options.threads, cacheDir: this.options.cacheDir, cancelGraceMs: 10_000 });
      this.hosts.set(key, host);
    }
    return host;
  }

  private cancelRunning(jobId: string): void {
    const running = this.active.get(jobId);
    if (!running || running.cancelled) return;
    running.cancelled = true;
    this.log(`job ${jobId}: cancel asked, stopping at the next step`);
    running.host.cancel(running.engineJobId);
  }

  private async process(job: Job, token: string | undefined): Promise<FarmJobResult> {
    const jobId = job.id!;
    let checked: CheckedFarmJob;
    let model: WorkerModel;
    try {
      checked = checkFarmPayload(job.data);
      model = matchModel(checked.model, this.options.models, this.name);
    } catch (error) {
      this.log(`job ${jobId}: refused: ${(error as Error).message}`);
      this.countFailure();
      throw new UnrecoverableError(encodeFailure(error));
    }
    if (await this.redis.exists(`${CANCEL_KEY_PREFIX}${jobId}`)) throw new UnrecoverableError(encodeFailure(new CancelledError('Cancelled before it started.')));
    const slot = this.freeSlots.shift()!;
    const started = Date.now();
    try {
      const host = this.hostFor(model, slot);
      const info = await host.start();
      if (checked.reference && checked.reference.sampleRate !== info.sampleRate) {
        throw new InvalidRequestError(
          'payload.reference.wav',
          `The reference is at ${checked.reference.sampleRate} Hz; ${model.id} runs at ${info.sampleRate} Hz.`,
          "Submit the reference resampled to the model's rate.",
        );
      }
      this.heartbeat.update({ state: 'busy', currentJob: jobId, progress: 0, device: info.provider });
      this.heartbeat.flush();
      const onProgress = (progress: Progress) => {
        this.heartbeat.update({ progress: progress.fraction });
        job.updateProgress({ ...progress }).catch(() => {}); // progress lost to a Redis blip is not worth failing the job
      };
      const running = host.run(checked.task, { onProgress });
      const entry: ActiveJob = { job, token, host, engineJobId: running.jobId, cancelled: false, handBack: false };
      this.active.set(jobId, entry);
      // A cancel that came between the check above and now: stop at once.
      if (await this.redis.exists(`${CANCEL_KEY_PREFIX}${jobId}`)) this.cancelRunning(jobId);
      let output: GenerationOutput;
      try {
        output = await running.result;
      } catch (error) {
        if (entry.handBack) {
          await job.moveToWait(token);
          this.log(`job ${jobId}: handed back to the queue`);
          throw new WaitingError();
        }
        throw error;
      }
      const result = this.result(job, checked, info, output, started);
      this.heartbeat.update({ jobsDone: this.heartbeat.current.jobsDone + 1 });
      this.log(`job ${jobId}: ${result.takes.length} take(s) in ${result.timings.runMs} ms`);
      return result;
    } catch (error) {
      if (error instanceof WaitingError) throw error;
      this.countFailure();
      this.log(`job ${jobId}: failed: ${(error as Error).message}`);
      // Bad input and cancels fail for good; a crashed or out-of-memory engine may do better on another worker.
      const final = error instanceof InvalidRequestError || error instanceof CancelledError || !(error instanceof LoaError);
      throw final ? new UnrecoverableError(encodeFailure(error)) : new Error(encodeFailure(error));
    } finally {
      this.active.delete(jobId);
      this.freeSlots.push(slot);
      if (this.active.size === 0) this.heartbeat.update({ state: this.closing ? 'stopping' : 'idle', currentJob: null, progress: null });
      this.heartbeat.flush();
    }
  }

  private countFailure(): void {
    this.heartbeat.update({ jobsFailed: this.heartbeat.current.jobsFailed + 1 });
  }

  private result(job: Job, checked: CheckedFarmJob, info: LoadedInfo, output: GenerationOutput, started: number): FarmJobResult {
    const task = checked.task;
    const takes = output.takes.map((take, i) => {
      const lineage: Lineage | undefined =
        task.kind === 'transform' && checked.reference
          ? {
              operation: task.params.op,
              reference: { kind: 'file', id: checked.reference.name, sha256: checked.reference.sha256, seconds: checked.reference.seconds },
              params: task.params,
              seed: take.seed,
              ...(take.strength !== undefined ? { strength: take.strength } : {}),
            }
          : undefined;
      return takeResult(take, i + 1, makeRecipe(task, take, { ...info, provider: output.provider }, lineage), output.sampleRate);
    });
    return {
      takes,
      sampleRate: output.sampleRate,
      device: output.provider,
      worker: this.name,
      model: { id: info.bundleId, name: info.bundleName, bundleHash: info.bundleHash },
      notices: output.notices,
      timings: { queuedMs: Math.max(0, (job.processedOn ?? started) - job.timestamp), runMs: Date.now() - started, ...(output.timings ? { engine: { ...output.timings } } : {}) },
    };
  }

  /**
   * Stops taking jobs. The running job may finish within `drainMs`; past that it is cancelled at
   * its next step and handed back to the queue, where another worker takes it at once.
   */
  close(): Promise<void> {
    if (!this.closing) {
      this.closing = (async () => {
        this.heartbeat.update({ state: 'stopping' });
        this.heartbeat.flush();
        const drain = setTimeout(() => {
          for (const running of this.active.values()) {
            running.handBack = true;
            running.host.cancel(running.engineJobId);
          }
        }, this.options.drainMs ?? 30_000);
        // BullMQ's close waits for Redis; with Redis gone it would wait for ever. Past the drain time
        // (and ten seconds for the hand-back) the worker stops anyway: a job it still held returns
        // to the queue when its lock expires.
        let giveUp: NodeJS.Timeout | undefined;
        const waited = new Promise<void>((resolve) => {
          giveUp = setTimeout(
            () => {
              this.log('stopping without Redis: a job still held returns to the queue when its lock expires');
              void this.worker?.close(true).catch(() => {});
              resolve();
            },
            (this.options.drainMs ?? 30_000) + 10_000,
          );
        });
        try {
          await Promise.race([this.worker?.close(), waited]);
        } finally {
          clearTimeout(giveUp);
          clearTimeout(drain);
          await this.heartbeat.stop();
          await Promise.all([...this.hosts.values()].map((host) => host.stop()));
          this.subscriber.disconnect();
          this.redis.disconnect();
        }
      })();
    }
    return this.closing;
  }
}
