/**
 * The variation grid (docs/ux-conventions.md §2): the takes of one vary job with several strengths, laid out as
 * rows of strength × columns of seed, and how the arrow keys move through it and the list; pure.
 */
import { isTransformParams, type TakeInfo } from '../../../shared/studio/studio-api.ts';
import { strengthOf } from './transform-text.ts';

export interface GridCell {
  strength: number;
  seed: number;
  /** Null while the job is still making it (or the filter hides it). */
  take: TakeInfo | null;
}

export interface VariationGrid {
  jobId: string;
  strengths: number[];
  seeds: number[];
  /** cells[row][column]: row = strength, column = seed. */
  cells: GridCell[][];
}

export type ListItem = { kind: 'take'; take: TakeInfo } | { kind: 'grid'; grid: VariationGrid };

/** The vary request behind a take, when it asked for more than one strength. */
function gridParams(take: TakeInfo): { seed: number; takes: number; strengths: number[] } | null {
  const params = take.lineage?.params ?? take.params;
  if (!isTransformParams(params) || params.op !== 'vary' || params.strengths.length < 2) return null;
  return params;
}

export function isGridTake(take: TakeInfo): boolean {
  return gridParams(take) !== null;
}

const same = (a: number, b: number) => Math.abs(a - b) < 1e-9;

/** One job's takes as a grid: every requested strength × seed has a cell, made or not. */
export function buildGrid(jobTakes: readonly TakeInfo[]): VariationGrid {
  const params = jobTakes.map(gridParams).find((p) => p !== null) ?? null;
  const strengths: number[] = [];
  const seeds: number[] = [];
  const addStrength = (s: number) => {
    if (!strengths.some((x) => same(x, s))) strengths.push(s);
  };
  const addSeed = (s: number) => {
    if (!seeds.includes(s)) seeds.push(s);
  };
  // Engine order: strength-major, seeds seed … seed + takes − 1 for every strength.
  if (params) {
    params.strengths.forEach(addStrength);
    for (let k = 0; k < params.takes; k++) addSeed(params.seed + k);
  }
  for (const take of jobTakes) {
    const strength = isTransformParams(take.params) ? strengthOf(take.params, take.lineage) : null;
    if (strength !== null) addStrength(strength);
    addSeed(take.seed);
  }
  seeds.sort((a, b) => a - b);
  const cells = strengths.map((strength) =>
    seeds.map((seed) => ({
      strength,
      seed,
      take: jobTakes.find((t) => t.seed === seed && isTransformParams(t.params) && same(strengthOf(t.params, t.lineage) ?? Number.NaN, strength)) ?? null,
    })),
  );
  return { jobId: jobTakes[0]?.jobId ?? '', strengths, seeds, cells };
}

/** The list as it is drawn: single takes, and one grid for the takes of each grid job. */
export function listItems(visible: readonly TakeInfo[]): ListItem[] {
  const items: ListItem[] = [];
  const done = new Set<string>();
  for (const take of visible) {
    if (!isGridTake(take)) {
      items.push({ kind: 'take', take });
      continue;
    }
    if (done.has(take.jobId)) continue;
    done.add(take.jobId);
    items.push({ kind: 'grid', grid: buildGrid(visible.filter((t) => t.jobId === take.jobId)) });
  }
  return items;
}

function position(grid: VariationGrid, takeId: string): { row: number; col: number } | null {
  for (let row = 0; row < grid.cells.length; row++) {
    const col = grid.cells[row].findIndex((c) => c.take?.id === takeId);
    if (col >= 0) return { row, col };
  }
  return null;
}

/** The next made cell from `takeId` in a direction, or null at the grid's edge. */
export function moveInGrid(grid: VariationGrid, takeId: string, dRow: number, dCol: number): string | null {
  const at = position(grid, takeId);
  if (!at) return null;
  let { row, col } = at;
  for (;;) {
    row += dRow;
    col += dCol;
    if (row < 0 || row >= grid.cells.length || col < 0 || col >= grid.cells[row].length) return null;
    const take = grid.cells[row][col].take;
    if (take) return take.id;
  }
}

/** Where the selection lands in a grid entered from above (its top row) or below (its bottom row). */
function entryCell(grid: VariationGrid, fromAbove: boolean): string | null {
  const rows = fromAbove ? grid.cells : [...grid.cells].reverse();
  for (const row of rows) for (const cell of row) if (cell.take) return cell.take.id;
  return null;
}

function itemIndex(items: readonly ListItem[], takeId: string | null): number {
  if (takeId === null) return -1;
  return items.findIndex((item) => (item.kind === 'take' ? item.take.id === takeId : position(item.grid, takeId) !== null));
}

/**
 * ↑/↓: the next take up or down. Inside a grid it moves between strengths, then leaves the grid
 * at its edge; into a grid it lands on the nearest row. Stays put at the list's ends; null when
 * the list is empty.
 */
export function stepSelection(visible: readonly TakeInfo[], currentId: string | null, delta: 1 | -1): string | null {
  const items = listItems(visible);
  if (items.length === 0) return null;
  let index = itemIndex(items, currentId);
  const current = index >= 0 ? items[index] : null;
  if (current?.kind === 'grid') {
    const moved = moveInGrid(current.grid, currentId!, delta, 0);
    if (moved) return moved;
  }
  for (;;) {
    index = index < 0 ? (delta > 0 ? 0 : items.length - 1) : index + delta;
    if (index < 0 || index >= items.length) return currentId;
    const item = items[index];
    const id = item.kind === 'take' ? item.take.id : entryCell(item.grid, delta > 0);
    if (id) return id;
  }
}

/** ←/→ inside a grid: the next seed. Null when the take is not in a grid (the keys seek instead). */
export function stepInGrid(visible: readonly TakeInfo[], currentId: string | null, delta: 1 | -1): string | null {
  if (currentId === null) return null;
  const items = listItems(visible);
  const item = items[itemIndex(items, currentId)];
  if (item?.kind !== 'grid') return null;
  return moveInGrid(item.grid, currentId, 0, delta) ?? currentId;
}
