/** The generation queue: jobs as main reports them, generate, transform and cancel. */
import type { GenerateRequest, JobInfo, StudioApi, TakeInfo, TransformRequest } from '../../../shared/studio/studio-api.ts';
import { rerunRequest } from '../lib/transform-request.ts';
import type { NoticeState } from './notices.svelte.ts';

const OP_NAMES = { continue: 'the continuation', vary: 'the variations', inpaint: 'the region', loop: 'the loop' } as const;

/** How many finished jobs stay listed under the active ones. */
const FINISHED_SHOWN = 6;

export class QueueState {
  jobs = $state.raw<JobInfo[]>([]);

  active = $derived(this.jobs.filter((j) => j.state === 'queued' || j.state === 'running'));
  /** Active jobs in queue order, then the most recent finished ones. */
  shown = $derived.by(() => {
    const byAge = [...this.jobs].sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    const active = byAge.filter((j) => j.state === 'queued' || j.state === 'running');
    const finished = byAge.filter((j) => j.state !== 'queued' && j.state !== 'running').reverse().slice(0, FINISHED_SHOWN);
    return [...active, ...finished];
  });

  constructor(
    private readonly api: StudioApi,
    private readonly notices: NoticeState,
  ) {}

  load = async (): Promise<void> => {
    this.jobs = await this.api.listJobs();
  };

  upsert = (job: JobInfo): void => {
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
