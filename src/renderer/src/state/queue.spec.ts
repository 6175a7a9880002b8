import { describe, expect, it } from 'vitest';
import { InvalidRequestError } from '../../../shared/errors.ts';
import type { GenerateRequest, JobInfo, JobState } from '../../../shared/studio/studio-api.ts';
import { NoticeState } from './notices.svelte.ts';
import { QueueState } from './queue.svelte.ts';
import { apiStandIn } from './studio-api.fixture.ts';

const params = { prompt: 'rain', negativePrompt: '', seconds: 2, steps: 4, scheduler: 'dpmpp' as const, guidance: 3, seed: 1, takes: 1 };
const job = (jobId: string, state: JobState, minute: number): JobInfo => ({
  jobId,
  params,
  reference: null,
  state,
  progress: null,
  error: null,
  takeIds: [],
  createdAt: `2026-01-01T10:${String(minute).padStart(2, '0')}:00Z`,
});

describe('QueueState', () => {
  it('lists active jobs oldest first, then the six latest finished ones', async () => {
    const jobs = [job('q', 'queued', 9), job('r', 'running', 8), ...Array.from({ length: 8 }, (_, i) => job(`d${i}`, i % 2 ? 'done' : 'failed', i))];
    const queue = new QueueState(apiStandIn({ listJobs: async () => jobs }).api, new NoticeState());
    await queue.load();
    expect(queue.active.map((j) => j.jobId)).toEqual(['q', 'r']);
    expect(queue.shown.map((j) => j.jobId)).toEqual(['r', 'q', 'd7', 'd6', 'd5', 'd4', 'd3', 'd2']);
    queue.upsert({ ...jobs[1], state: 'done' });
    expect(queue.active.map((j) => j.jobId)).toEqual(['q']);
  });

  it('marks the active jobs interrupted when the server is lost, and keeps them only while it does not know them', async () => {
    const server = [job('a', 'running', 1)];
    const queue = new QueueState(apiStandIn({ listJobs: async () => server }).api, new NoticeState());
    await queue.load();
    queue.upsert(job('b', 'queued', 2));
    queue.interruptActive();
    expect(queue.jobs.map((j) => [j.jobId, j.state, j.error?.code])).toEqual([
      ['a', 'failed', 'IO_FAILED'],
      ['b', 'failed', 'IO_FAILED'],
    ]);
    expect([...queue.interrupted]).toEqual(['a', 'b']);
    // Back again: the server still runs a, never heard of b (it restarted before b reached it).
    await queue.load();
    expect(queue.jobs.map((j) => [j.jobId, j.state])).toEqual([
      ['b', 'failed'],
      ['a', 'running'],
    ]);
    expect([...queue.interrupted]).toEqual(['b']);
  });

  it('reports a refused request with what the user was doing', async () => {
    const refused = new InvalidRequestError('steps', 'steps must be a whole number from 1 to 999, got 0.');
    const notices = new NoticeState();
    const queue = new QueueState(
      apiStandIn({
        generate: async () => {
          throw refused;
        },
      }).api,
      notices,
    );
    expect(await queue.generate({ prompt: 'rain', steps: 0 } as GenerateRequest)).toBeNull();
    expect(notices.notices.map((n) => [n.message, n.hint])).toEqual([[`Could not start the generation: ${refused.message}`, refused.hint]]);
    expect(queue.jobs).toEqual([]);
  });
});
