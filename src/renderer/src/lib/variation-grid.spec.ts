import { describe, expect, it } from 'vitest';
import type { TakeInfo } from '../../../shared/studio/studio-api.ts';
import { orderTakes } from './take-order.ts';
import { buildGrid, isGridTake, listItems, stepInGrid, stepSelection } from './variation-grid.ts';
import { PARAMS, plainTake, transformTake } from './transform-takes.fixture.ts';

/** A 3 × 2 grid (strengths 0.25/0.5/0.75 × seeds 100/101), ranked out of grid order as CLAP would. */
function gridTakes(skip: string[] = []): TakeInfo[] {
  const takes: TakeInfo[] = [];
  let rank = 6;
  for (const strength of PARAMS.grid.strengths) {
    for (const seed of [100, 101]) {
      const id = `g${strength}-${seed}`;
      if (!skip.includes(id)) takes.push({ ...transformTake(id, 'grid-job', PARAMS.grid, seed, strength, rank), createdAt: '2026-01-01T12:00:00Z' });
      rank--;
    }
  }
  return takes;
}

describe('variation grid layout', () => {
  it('puts each take in its strength row and seed column', () => {
    const grid = buildGrid(gridTakes());
    expect(grid.strengths).toEqual([0.25, 0.5, 0.75]);
    expect(grid.seeds).toEqual([100, 101]);
    expect(grid.cells.map((row) => row.map((c) => c.take?.id))).toEqual([
      ['g0.25-100', 'g0.25-101'],
      ['g0.5-100', 'g0.5-101'],
      ['g0.75-100', 'g0.75-101'],
    ]);
  });

  it('keeps an empty cell for a take still being made', () => {
    const grid = buildGrid(gridTakes(['g0.5-101']));
    expect(grid.cells[1][1]).toEqual({ strength: 0.5, seed: 101, take: null });
    expect(grid.cells.flat()).toHaveLength(6);
  });

  it('only grids vary jobs with several strengths', () => {
    expect(isGridTake(gridTakes()[0])).toBe(true);
    expect(isGridTake(transformTake('v', 'j', PARAMS.vary))).toBe(false);
    expect(isGridTake(plainTake('p', 'j'))).toBe(false);
  });

  it('draws the list as single takes and one grid per grid job', () => {
    const visible = orderTakes([...gridTakes(), plainTake('p1', 'old', 1), plainTake('p2', 'old', 2)]);
    const items = listItems(visible);
    expect(items.map((i) => (i.kind === 'take' ? i.take.id : `grid:${i.grid.jobId}`))).toEqual(['grid:grid-job', 'p1', 'p2']);
  });
});

describe('arrow keys through the grid and the list', () => {
  const visible = orderTakes([...gridTakes(), plainTake('p1', 'old', 1), plainTake('p2', 'old', 2)]);

  it('↑/↓ move between strengths, then leave the grid at its edge', () => {
    expect(stepSelection(visible, 'g0.25-101', 1)).toBe('g0.5-101');
    expect(stepSelection(visible, 'g0.5-101', -1)).toBe('g0.25-101');
    expect(stepSelection(visible, 'g0.75-100', 1)).toBe('p1');
    expect(stepSelection(visible, 'g0.25-100', -1)).toBe('g0.25-100'); // top of the list: stays
  });

  it('enters a grid on the nearest row', () => {
    expect(stepSelection(visible, 'p1', -1)).toBe('g0.75-100');
    expect(stepSelection(visible, null, 1)).toBe('g0.25-100');
    expect(stepSelection(visible, null, -1)).toBe('p2');
    const below = orderTakes([plainTake('new', 'newer', 1, '2026-01-02T00:00:00Z'), ...gridTakes()]);
    expect(stepSelection(below, 'new', 1)).toBe('g0.25-100');
  });

  it('←/→ move between seeds inside a grid and do nothing to other takes', () => {
    expect(stepInGrid(visible, 'g0.5-100', 1)).toBe('g0.5-101');
    expect(stepInGrid(visible, 'g0.5-101', 1)).toBe('g0.5-101'); // the edge: stays
    expect(stepInGrid(visible, 'g0.5-101', -1)).toBe('g0.5-100');
    expect(stepInGrid(visible, 'p1', 1)).toBeNull();
    expect(stepInGrid(visible, null, 1)).toBeNull();
  });

  it('skips cells still being made', () => {
    const holes = orderTakes(gridTakes(['g0.5-100']));
    expect(stepSelection(holes, 'g0.25-100', 1)).toBe('g0.75-100');
  });

  it('returns null for an empty list', () => {
    expect(stepSelection([], null, 1)).toBeNull();
  });
});
