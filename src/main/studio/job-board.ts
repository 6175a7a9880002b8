/**
 * The generation jobs of this session and their states (queued → running → done / failed /
 * cancelled), published as they change. State changes go out at once; progress is throttled per
 * job (a tiny model reports hundreds of steps a second, and each event crosses IPC or a socket).
 */
import type { Progress } from '../../shared/engine/progress.ts';
import type { ErrorEnvelope } from '../../shared/errors.ts';
import type { JobInfo, JobParams, JobState } from '../../shared/studio/studio-api.ts';

/** 50 ms: at most ~20 progress events a second per job, smooth enough for a progress bar. */
export const PROGRESS_INTERVAL_MS = 50;
/** Finished jobs kept for listJobs(); their takes stay in the library regardless. */
const KEEP_FINISHED = 100;

const FINISHED: readonly JobState[] = ['done', 'failed', 'cancelled'];

interface Throttle {
  lastMs: number;
  timer?: NodeJS.Timeout;
}

export class JobBoard {
  private readonly jobs = new Map<string, JobInfo>();
  private readonly throttles = new Map<string, Throttle>();

  constructor(
    private readonly publish: (job: JobInfo) => void,
    private readonly intervalMs = PROGRESS_INTERVAL_MS,
  ) {}

  add(jobId: string, params: JobParams, reference: JobInfo['reference'] = null): JobInfo {
    const job: JobInfo = { jobId, params, reference, state: 'queued', progress: null, error: null, takeIds: [], createdAt: new Date().toISOString() };
    this.jobs.set(jobId, job);
    this.throttles.set(jobId, { lastMs: 0 });
    this.prune();
    this.publishNow(jobId);
    return copy(job);
  }

  get(jobId: string): JobInfo | undefined {
    const job = this.jobs.get(jobId);
    return job && copy(job);
  }

  /** Oldest first, the order the engine runs them in. */
  list(): JobInfo[] {
    return [...this.jobs.values()].map(copy);
  }

  isFinished(jobId: string): boolean {
    const job = this.jobs.get(jobId);
    return job !== undefined && FINISHED.includes(job.state);
  }

  /** The first progress report is the moment the engine starts the job. */
  progress(jobId: string, progress: Progress): void {
    const job = this.jobs.get(jobId);
    if (!job || FINISHED.includes(job.state)) return;
    job.progress = progress;
    if (job.state === 'queued') {
      job.state = 'running';
      this.publishNow(jobId);
    } else {
      this.publishSoon(jobId);
    }
  }

  addTake(jobId: string, takeId: string): void {
    const job = this.jobs.get(jobId);
    if (!job || FINISHED.includes(job.state)) return;
    job.takeIds.push(takeId);
    this.publishSoon(jobId);
  }

  finish(jobId: string, state: 'done' | 'failed' | 'cancelled', takeIds?: string[], error: ErrorEnvelope | null = null): void {
    const job = this.jobs.get(jobId);
    if (!job || FINISHED.includes(job.state)) return;
    Object.assign(job, { state, error, ...(takeIds && { takeIds }) });
    this.publishNow(jobId);
  }

  dispose(): void {
    for (const throttle of this.throttles.values()) clearTimeout(throttle.timer);
    this.throttles.clear();
  }

  private publishSoon(jobId: string): void {
    const throttle = this.throttles.get(jobId);
    if (!throttle || throttle.timer) return; // the pending event will carry the latest state
    const wait = throttle.lastMs + this.intervalMs - Date.now();
    if (wait <= 0) {
      this.publishNow(jobId);
      return;
    }
    throttle.timer = setTimeout(() => this.publishNow(jobId), wait);
  }

  private publishNow(jobId: string): void {
    const job = this.jobs.get(jobId);
    const throttle = this.throttles.get(jobId);
    if (!job || !throttle) return;
    clearTimeout(throttle.timer);
    throttle.timer = undefined;
    throttle.lastMs = Date.now();
    if (FINISHED.includes(job.state)) this.throttles.delete(jobId);
    this.publish(copy(job));
  }

  private prune(): void {
    const finished = [...this.jobs.values()].filter((j) => FINISHED.includes(j.state));
    for (const job of finished.slice(0, Math.max(0, finished.length - KEEP_FINISHED))) this.jobs.delete(job.jobId);
  }
}

/** Listeners get their own copy: events may be queued, and a listener must not change the board. */
function copy(job: JobInfo): JobInfo {
  return { ...job, takeIds: [...job.takeIds], progress: job.progress && { ...job.progress }, error: job.error && { ...job.error } };
}
