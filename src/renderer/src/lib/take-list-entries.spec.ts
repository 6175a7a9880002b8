import { describe, expect, it } from 'vitest';
import { entryIndexOf, listEntries } from './take-list-entries.ts';
import { PARAMS, transformTake } from './transform-takes.fixture.ts';
import { listItems } from './variation-grid.ts';

const plain = (id: string, jobId: string) => transformTake(id, jobId, PARAMS.continue);

describe('workspace list entries', () => {
  it('puts a run header before each job and keys entries by take, grid and job', () => {
    const takes = [plain('a1', 'job-a'), plain('a2', 'job-a'), transformTake('g1', 'job-g', PARAMS.grid, 100, 0.25), transformTake('g2', 'job-g', PARAMS.grid, 101, 0.5), plain('b1', 'job-b')];
    const entries = listEntries(listItems(takes));
    expect(entries.map((e) => e.key)).toEqual(['run:job-a', 'a1', 'a2', 'run:job-g', 'grid:job-g', 'run:job-b', 'b1']);
    expect(entries.map((e) => e.kind)).toEqual(['run', 'take', 'take', 'run', 'grid', 'run', 'take']);
    // A take is found at its own row, a grid cell at its grid.
    expect(entryIndexOf(entries, 'a2')).toBe(2);
    expect(entryIndexOf(entries, 'g2')).toBe(4);
    expect(entryIndexOf(entries, 'nope')).toBe(-1);
  });

  it('keeps a header key unique when a job comes back further down', () => {
    const entries = listEntries(listItems([plain('a1', 'job-a'), plain('b1', 'job-b'), plain('a2', 'job-a')]));
    const keys = entries.filter((e) => e.kind === 'run').map((e) => e.key);
    expect(new Set(keys).size).toBe(3);
    expect(keys[0]).toBe('run:job-a');
    expect(listEntries([])).toEqual([]);
  });
});
