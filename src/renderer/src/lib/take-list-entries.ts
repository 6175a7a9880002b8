/**
 * The workspace list as the virtual list draws it, pure: a run header before each job's first
 * item, then its takes and grids, each entry with a stable key (its measured height is kept by it).
 */
import type { TakeInfo } from '../../../shared/studio/studio-api.ts';
import type { ListItem, VariationGrid } from './variation-grid.ts';

export type TakeListEntry = { kind: 'run'; key: string; createdAt: string } | { kind: 'take'; key: string; take: TakeInfo } | { kind: 'grid'; key: string; grid: VariationGrid };

const jobOf = (item: ListItem) => (item.kind === 'take' ? item.take.jobId : item.grid.jobId);
const createdOf = (item: ListItem) => (item.kind === 'take' ? item.take.createdAt : (item.grid.cells.flat().find((c) => c.take)?.take?.createdAt ?? ''));

export function listEntries(items: readonly ListItem[]): TakeListEntry[] {
  const entries: TakeListEntry[] = [];
  const runs = new Set<string>();
  items.forEach((item, i) => {
    if (i === 0 || jobOf(items[i - 1]) !== jobOf(item)) {
      // Keyed by job, so a header keeps its key (and measured height) as newer runs arrive above it.
      const key = runs.has(jobOf(item)) ? `run:${jobOf(item)}:${i}` : `run:${jobOf(item)}`;
      runs.add(jobOf(item));
      entries.push({ kind: 'run', key, createdAt: createdOf(item) });
    }
    if (item.kind === 'take') entries.push({ kind: 'take', key: item.take.id, take: item.take });
    else entries.push({ kind: 'grid', key: `grid:${item.grid.jobId}`, grid: item.grid });
  });
  return entries;
}

/** The entry showing a take (its row or card, or the grid holding it); −1 when none does. */
export function entryIndexOf(entries: readonly TakeListEntry[], takeId: string): number {
  return entries.findIndex((e) => (e.kind === 'take' ? e.take.id === takeId : e.kind === 'grid' && e.grid.cells.some((row) => row.some((c) => c.take?.id === takeId))));
}
