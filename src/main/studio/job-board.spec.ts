import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { GenerateParams } from '../../shared/engine/generate-params.ts';
import type { Progress } from '../../shared/engine/progress.ts';
import type { JobInfo } from '../../shared/studio/studio-api.ts';
import { JobBoard } from './job-board.ts';

const params: GenerateParams = { prompt: 'x', negativePrompt: '', seconds: 1, steps: 10, scheduler: 'ddim', guidance: 1, seed: 1, takes: 1 };
const step = (n: number): Progress => ({ stage: 'denoise', take: 1, takes: 1, step: n, steps: 10, fraction: n / 10, etaMs: null, elapsedMs: n });

let published: JobInfo[];
let board: JobBoard;
beforeEach(() => {
  vi.useFakeTimers();
  published = [];
  board = new JobBoard((job) => published.push(job), 50);
});
afterEach(() => {
  board.dispose();
  vi.useRealTimers();
});

describe('JobBoard', () => {
  it('publishes state changes at once: queued, running on the first progress, then the end', () => {
    board.add('j1', params);
    board.progress('j1', step(0));
    expect(published.map((j) => j.state)).toEqual(['queued', 'running']);
    board.finish('j1', 'done', ['t1']);
    expect(published.at(-1)).toMatchObject({ state: 'done', takeIds: ['t1'], error: null });
  });

  it('sends at most one progress event per interval, carrying the latest progress', () => {
    board.add('j1', params);
    board.progress('j1', step(0)); // running, published now
    vi.advanceTimersByTime(60);
    board.progress('j1', step(1)); // the interval has passed: published now
    for (let n = 2; n <= 9; n++) board.progress('j1', step(n)); // within 50 ms: coalesced
    expect(published.map((j) => j.progress?.step)).toEqual([undefined, 0, 1]);
    vi.advanceTimersByTime(50);
    expect(published.map((j) => j.progress?.step)).toEqual([undefined, 0, 1, 9]);
    vi.advanceTimersByTime(1000);
    expect(published.length).toBe(4);
  });

  it('drops a pending progress event when the job ends, and ignores anything after the end', () => {
    board.add('j1', params);
    board.progress('j1', step(0));
    board.progress('j1', step(1));
    board.finish('j1', 'failed', undefined, { name: 'InferenceError', code: 'INFERENCE_FAILED', message: 'boom', hint: 'h' });
    board.progress('j1', step(2));
    board.finish('j1', 'done');
    vi.advanceTimersByTime(1000);
    expect(published.map((j) => j.state)).toEqual(['queued', 'running', 'failed']);
    expect(board.get('j1')).toMatchObject({ state: 'failed', error: { message: 'boom' } });
  });

  it('hands out copies', () => {
    board.add('j1', params);
    board.list()[0].takeIds.push('forged');
    published[0].state = 'done';
    expect(board.get('j1')).toMatchObject({ state: 'queued', takeIds: [] });
  });

  it('keeps the last 100 finished jobs', () => {
    for (let i = 0; i < 120; i++) {
      board.add(`j${i}`, params);
      board.finish(`j${i}`, 'cancelled');
    }
    board.add('last', params);
    const ids = board.list().map((j) => j.jobId);
    expect(ids.length).toBe(101);
    expect(ids[0]).toBe('j20');
    expect(ids.at(-1)).toBe('last');
  });
});
