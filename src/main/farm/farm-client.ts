/**
 * The submitting side of the farm, for the CLI and the studio: submit a job, follow its progress,
 * wait for its result, cancel it, and list the queue and the workers. Results are read from the
 * job itself (events only wake the wait up), so a Redis restart or a missed event loses nothing.
 */
import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { Job, Queue, QueueEvents } from 'bullmq';
import type { GenerateParams } from '../../shared/engine/generate-params.ts';
import type { Progress } from '../../shared/engine/progress.ts';
import type { TransformParams } from '../../shared/engine/transform-params.ts';
import type { LoaError } from '../../shared/errors.ts';
import { CANCEL_CHANNEL, CANCEL_KEY_PREFIX, FARM_PREFIX, FARM_QUEUE, parseFarmUrl, redisOptions, type FarmConnection } from './farm-connection.ts';
import { decodeFailure, FarmError } from './farm-errors.ts';
import { FARM_PAYLOAD_VERSION, farmReference, type FarmJobPayload, type FarmModelRequest } from './farm-payload.ts';
import { readFarmResult, type FarmJobResult, type ReceivedTake } from './farm-result.ts';
import { listWorkers, type FarmWorkerInfo } from './worker-registry.ts';

export type { FarmWorkerInfo } from './worker-registry.ts';
export type { FarmModelRequest } from './farm-payload.ts';

/** What to make: validated settings (seed included, so a retry makes the same takes) and the model. */
export type FarmSubmitRequest =
  | { kind: 'generate'; params: GenerateParams; model?: FarmModelRequest }
  | {
      kind: 'transform';
      params: TransformParams;
      /** Mono at the model's sample rate, exactly as the engine should see it; `name` labels the lineage. */
      reference: { name: string; samples: Float32Array; sampleRate: number };
      model?: FarmModelRequest;
    };

export type FarmJobState = 'waiting' | 'active' | 'delayed' | 'prioritized' | 'completed' | 'failed' | 'waiting-children' | 'unknown';

export interface FarmJobSummary {
  id: string;
  kind: 'generate' | 'transform';
  prompt: string;
  state: FarmJobState;
  progress: Progress | null;
  /** The worker running (or that ran) it. */
  worker: string | null;
  attempts: number;
  submittedAt: string;
}

export interface FarmQueueSnapshot {
  counts: Record<'waiting' | 'active' | 'delayed' | 'completed' | 'failed', number>;
  /** Queued and running jobs, oldest first (at most `limit`). */
  jobs: FarmJobSummary[];
}

export interface FarmOutcome {
  result: FarmJobResult;
  takes: ReceivedTake[];
}

export interface FarmClientEvents {
  progress: [jobId: string, progress: Progress];
  completed: [jobId: string];
  failed: [jobId: string, error: LoaError];
}

/** How often a waiting result() looks at its job even when no event came (events can be missed across a restart). */
const POLL_MS = 1000;
/** A cancel request outlives any job's stay in the queue. */
const CANCEL_TTL_S = 24 * 3600;
const KEEP_FINISHED_S = 7 * 24 * 3600;

export class FarmClient extends EventEmitter<FarmClientEvents> {
  private readonly waiters = new Map<string, Set<() => void>>();

  private constructor(
    readonly connection: FarmConnection,
    private readonly queue: Queue,
    private readonly events: QueueEvents,
    private readonly redis: Redis,
  ) {
    super();
    events.on('progress', ({ jobId, data }) => {
      if (typeof data === 'object' && data !== null) this.emit('progress', jobId, data as unknown as Progress);
    });
    events.on('completed', ({ jobId }) => {
      this.wake(jobId);
      this.emit('completed', jobId);
    });
    events.on('failed', ({ jobId, failedReason }) => {
      this.wake(jobId);
      this.emit('failed', jobId, decodeFailure(failedReason));
    });
  }

  /** Connects to the farm at `url` (redis:// or rediss://); FarmError when Redis does not answer within `timeoutMs`. */
  static async connect(url: string, options: { timeoutMs?: number } = {}): Promise<FarmClient> {
    const connection = parseFarmUrl(url);
    await probe(connection, options.timeoutMs ?? 5000);
    const queue = new Queue(FARM_QUEUE, { connection: redisOptions(connection), prefix: FARM_PREFIX });
    const events = new QueueEvents(FARM_QUEUE, { connection: redisOptions(connection), prefix: FARM_PREFIX });
    const redis = new Redis(redisOptions(connection));
    for (const emitter of [queue, events, redis] as Array<{ on(event: 'error', fn: () => void): unknown }>) emitter.on('error', () => {});
    await events.waitUntilReady();
    return new FarmClient(connection, queue, events, redis);
  }

  /** Puts a job on the queue; returns its id (also the library's job id of its takes). */
  async submit(request: FarmSubmitRequest, options: { jobId?: string } = {}): Promise<string> {
    const jobId = options.jobId ?? `farm-${randomUUID().replaceAll('-', '')}`;
    const payload: FarmJobPayload =
      request.kind === 'generate'
        ? { v: FARM_PAYLOAD_VERSION, kind: 'generate', params: request.params, ...(request.model ? { model: request.model } : {}) }
        : {
            v: FARM_PAYLOAD_VERSION,
            kind: 'transform',
            params: request.params,
            reference: farmReference(request.reference.name, request.reference.samples, request.reference.sampleRate),
            ...(request.model ? { model: request.model } : {}),
          };
    await this.queue.add(request.kind, payload, {
      jobId,
      // A crashed engine may do better on another worker; bad input and cancels fail at once (the worker says so).
      attempts: 3,
      backoff: { type: 'fixed', delay: 1000 },
      removeOnComplete: { age: KEEP_FINISHED_S },
      removeOnFail: { age: KEEP_FINISHED_S },
    });
    return jobId;
  }

  /**
   * Cancels a job: a queued one is removed; a running one stops at its worker's next step and
   * fails as cancelled. 'finished' when it had already completed or failed.
   */
  async cancel(jobId: string): Promise<'removed' | 'cancelling' | 'finished' | 'unknown'> {
    // The key first: a worker that takes the job from here on sees it before it starts.
    await this.redis.set(`${CANCEL_KEY_PREFIX}${jobId}`, '1', 'EX', CANCEL_TTL_S);
    const state = await this.queue.getJobState(jobId);
    if (state === 'unknown') return 'unknown';
    if (state === 'completed' || state === 'failed') return 'finished';
    if (state !== 'active') {
      const removed = await this.queue.remove(jobId);
      if (removed === 1) {
        this.wake(jobId);
        return 'removed';
      }
    }
    await this.redis.publish(CANCEL_CHANNEL, jobId);
    return 'cancelling';
  }

  /** Waits for a job's result; throws the worker's typed error when it failed (CancelledError when cancelled). */
  async result(jobId: string, signal?: AbortSignal): Promise<FarmOutcome> {
    for (;;) {
      signal?.throwIfAborted();
      const state = await this.queue.getJobState(jobId);
      if (state === 'unknown') throw new FarmError(`Job ${jobId} is not on the farm: it was cancelled, or removed after it finished.`, 'Submit it again.');
      if (state === 'completed' || state === 'failed') {
        const job = await Job.fromId(this.queue, jobId);
        if (!job) continue;
        if (state === 'failed') throw decodeFailure(job.failedReason);
        return readFarmResult(job.returnvalue);
      }
      await this.nextWake(jobId, signal);
    }
  }

  /** Removes a finished job (and its stored audio) from Redis once its takes are filed. */
  async release(jobId: string): Promise<void> {
    await this.queue.remove(jobId);
    await this.redis.del(`${CANCEL_KEY_PREFIX}${jobId}`);
  }

  /** The queue's counts and its queued and running jobs, oldest first. */
  async snapshot(limit = 200): Promise<FarmQueueSnapshot> {
    const counts = await this.queue.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed', 'prioritized');
    const jobs = await this.queue.getJobs(['active', 'waiting', 'prioritized', 'delayed'], 0, limit - 1, true);
    const summaries = await Promise.all(jobs.filter((job): job is Job => Boolean(job?.id)).map(async (job) => summary(job, await job.getState())));
    return {
      counts: { waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0), active: counts.active ?? 0, delayed: counts.delayed ?? 0, completed: counts.completed ?? 0, failed: counts.failed ?? 0 },
      jobs: summaries,
    };
  }

  /** The workers whose heartbeat is current. */
  workers(): Promise<FarmWorkerInfo[]> {
    return listWorkers(this.redis);
  }

  async close(): Promise<void> {
    for (const jobId of this.waiters.keys()) this.wake(jobId);
    await Promise.allSettled([this.events.close(), this.queue.close()]);
    this.redis.disconnect();
  }

  private wake(jobId: string): void {
    const waiting = this.waiters.get(jobId);
    this.waiters.delete(jobId);
    waiting?.forEach((fn) => fn());
  }

  private nextWake(jobId: string, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        this.waiters.get(jobId)?.delete(done);
        resolve();
      };
      const timer = setTimeout(done, POLL_MS);
      signal?.addEventListener('abort', done);
      let set = this.waiters.get(jobId);
      if (!set) this.waiters.set(jobId, (set = new Set()));
      set.add(done);
    });
  }
}

function summary(job: Job, state: string): FarmJobSummary {
  const data = job.data as { kind?: unknown; params?: { prompt?: unknown } };
  const progress = typeof job.progress === 'object' && job.progress !== null ? (job.progress as unknown as Progress) : null;
  return {
    id: job.id!,
    kind: data.kind === 'transform' ? 'transform' : 'generate',
    prompt: typeof data.params?.prompt === 'string' ? data.params.prompt.slice(0, 500) : '',
    state: state as FarmJobState,
    progress,
    worker: job.processedBy ?? null,
    attempts: job.attemptsMade,
    submittedAt: new Date(job.timestamp).toISOString(),
  };
}

/** One PING with no retries: a farm that is not there is said at once, not retried forever. */
async function probe(connection: FarmConnection, timeoutMs: number): Promise<void> {
  const redis = new Redis({ ...redisOptions(connection), maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: timeoutMs, lazyConnect: true });
  redis.on('error', () => {});
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    throw new FarmError(`Cannot reach the farm at ${connection.display}: ${(error as Error).message}.`);
  } finally {
    redis.disconnect();
  }
}
