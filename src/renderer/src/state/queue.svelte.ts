/** The generation queue: jobs as main reports them, generate, transform and cancel. */
import type { ErrorEnvelope } from '../../../shared/errors.ts';
import type { GenerateRequest, JobInfo, StudioApi, TakeInfo, TransformRequest } from '../../../shared/studio/studio-api.ts';
import { rerunRequest } from '../lib/transform-request.ts';
import type { NoticeState } from './notices.svelte.ts';

const OP_NAMES = { continue: 'the continuation', vary: 'the variations', inpaint: 'the region', loop: 'the loop' } as const;

/** How many finished jobs stay listed under the active ones. */
const FINISHED_SHOWN = 6;

/** What an interrupted job says: the server went away while it ran, so its takes will not come. */
const INTERRUPTED: ErrorEnvelope = {
  name: 'LoaError',
  code: 'IO_FAILED',
  message: 'Interrupted: the studio server stopped while this job ran.',
  hint: 'Start the studio again and run the job again (its settings are still in the editor).',
};

export class QueueState {
  jobs = $state.raw<JobInfo[]>([]);
  /** Jobs that were queued or running when the server was lost: shown as interrupted, not as running forever. */
  interrupted = $state.raw<ReadonlySet<string>>(new Set());

  active = $derived(this.jobs.filter((j) => j.state === 'queued' || j.state === 'running'));
  /** Active jobs in queue order, then the most recent finished ones. */
  shown = $derived.by(() => {
    const byAge = [...this.jobs].sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    const active = byAge.filter((j) => j.state === 'queued' || j.state === 'running');
    const finished = byAge
      .filter((j) => j.state !== 'queued' && j.state !== 'running')
      .reverse()
      .slice(0, FINISHED_SHOWN);
    return [...active, ...finished];
  });

  constructor(
    private readonly api: StudioApi,
    private readonly notices: NoticeState,
  ) {}

  /**
   * The server's list. After a lost connection, a job the server still knows comes back as it is
   * (it ran on); one it does not know (the server restarted) stays listed as interrupted.
   */
  load = async (): Promise<void> => {
    const server = await this.api.listJobs();
    const known = new Set(server.map((j) => j.jobId));
    const lost = this.jobs.filter((j) => this.interrupted.has(j.jobId) && !known.has(j.jobId));
    this.interrupted = new Set(lost.map((j) => j.jobId));
    this.jobs = [...lost, ...server];
  };

  /** The connection to the server is gone: its queued and running jobs will not finish on this page. Answers how many. */
  interruptActive = (): number => {
    const active = this.active.map((j) => j.jobId);
    if (active.length === 0) return 0;
    this.interrupted = new Set([...this.interrupted, ...active]);
    this.jobs = this.jobs.map((j) => (active.includes(j.jobId) ? { ...j, state: 'failed', error: INTERRUPTED } : j));
    return active.length;
  };

  upsert = (job: JobInfo): void => {
    if (this.interrupted.has(job.jobId)) this.interrupted = new Set([...this.interrupted].filter((id) => id !== job.jobId));
    const index = this.jobs.findIndex((j) => j.jobId === job.jobId);
    this.jobs = index < 0 ? [...this.jobs, job] : this.jobs.map((j, i) => (i === index ? job : j));
  };

  generate = async (request: GenerateRequest): Promise<JobInfo | null> => {
    try {
      const job = await this.api.generate(request);
      this.upsert(job);
      return job;
    } catch (error) {
      this.notices.report(error, 'Could not start the generation');
      return null;
    }
  };

  /** Generate on the render farm: the job shows here like a local one, its takes come back into the library. */
  generateOnFarm = async (request: GenerateRequest): Promise<JobInfo | null> => {
    try {
      const job = await this.api.generateOnFarm(request);
      this.upsert(job);
      return job;
    } catch (error) {
      this.notices.report(error, 'Could not send the generation to the farm');
      return null;
    }
  };

  /** Continue, vary, regenerate a region of, or loop a reference. */
  transform = async (request: TransformRequest): Promise<JobInfo | null> => {
    try {
      const job = await this.api.transform(request);
      this.upsert(job);
      return job;
    } catch (error) {
      this.notices.report(error, `Could not start ${OP_NAMES[request.op] ?? request.op}`);
      return null;
    }
  };

  /** Same settings, a new random seed (the `R` key); a transform take runs again on its reference. */
  regenerate = (take: TakeInfo): Promise<JobInfo | null> => {
    let rerun: ReturnType<typeof rerunRequest>;
    try {
      rerun = rerunRequest(take);
    } catch (error) {
      this.notices.report(error, 'Could not regenerate');
      return Promise.resolve(null);
    }
    return rerun.kind === 'generate' ? this.generate(rerun.request) : this.transform(rerun.request);
  };

  cancel = async (jobId: string): Promise<void> => {
    try {
      await this.api.cancel(jobId);
    } catch (error) {
      this.notices.report(error, 'Could not cancel');
    }
  };
}
