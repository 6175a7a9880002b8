import { describe, expect, it } from 'vitest';
import type { TakeInfo } from '../../../shared/studio/studio-api.ts';
import { matchesFilter, orderTakes } from './take-order.ts';

function take(id: string, jobId: string, rank: number, createdAt: string, prompt = 'rain on a tin roof', seed = 1): TakeInfo {
  return {
    id,
    jobId,
    rank,
    createdAt,
    seed,
    params: { prompt, negativePrompt: 'Low quality.', seconds: 2, steps: 10, scheduler: 'dpmpp', guidance: 3.5, seed, takes: 2 },
    score: null,
    sampleRate: 16000,
    samples: 32000,
    durationS: 2,
    modelId: 'tiny',
    device: 'cpu',
    rating: 0,
    favourite: false,
    audioUrl: `/media/take/${id}`,
    peaks: [],
    lineage: null,
    tags: [],
    notes: '',
    loop: null,
  };
}

describe('take order and filter', () => {
  it('puts the newest run first and the best take first within a run', () => {
    const takes = [
      take('a2', 'job-a', 2, '2026-01-01T10:00:00Z'),
      take('b1', 'job-b', 1, '2026-01-01T11:00:05Z'),
      take('a1', 'job-a', 1, '2026-01-01T10:00:03Z'),
      take('b2', 'job-b', 2, '2026-01-01T11:00:00Z'),
    ];
    expect(orderTakes(takes).map((t) => t.id)).toEqual(['b1', 'b2', 'a1', 'a2']);
  });

  it('filters on every word of the prompt, negative prompt or seed', () => {
    const t = take('x', 'j', 1, '2026-01-01T00:00:00Z', 'Glass shattering on concrete', 4242);
    expect(matchesFilter(t, '')).toBe(true);
    expect(matchesFilter(t, 'glass CONCRETE')).toBe(true);
    expect(matchesFilter(t, '4242')).toBe(true);
    expect(matchesFilter(t, 'glass wood')).toBe(false);
  });
});
