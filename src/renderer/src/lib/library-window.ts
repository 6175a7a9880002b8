/**
 * The library list's windowing, pure: which pages of the search the rows in the DOM need. Which
 * rows those are is the virtual list's (lib/virtual-window.ts, with one fixed row height, so a
 * scroll offset maps to a row index by division: no measuring, no layout reads while scrolling).
 */
import { fixedLayout, scrollTopToRevealItem, virtualWindow, type VirtualWindow } from './virtual-window.ts';

export { isFling, MAX_SCROLL_PX } from './virtual-window.ts';

export interface WindowInput {
  total: number;
  rowHeight: number;
  viewportHeight: number;
  scrollTop: number;
  /** Rows kept in the DOM above and below the visible ones. */
  overscan: number;
  /** Rows per searchLibrary page (offset/limit). */
  pageSize: number;
}

export interface ListWindow extends VirtualWindow {
  /** The pages holding rows [start, end), ascending. */
  pages: number[];
}

/** The pages holding rows [start, end), ascending. */
export function pagesOf(start: number, end: number, pageSize: number): number[] {
  const pages: number[] = [];
  if (end > start) for (let p = Math.floor(start / pageSize); p <= Math.floor((end - 1) / pageSize); p++) pages.push(p);
  return pages;
}

export function listWindow(input: WindowInput): ListWindow {
  const window = virtualWindow(fixedLayout(input.total, input.rowHeight), input);
  return { ...window, pages: pagesOf(window.start, window.end, input.pageSize) };
}

/**
 * The scroll offset that brings row `index` fully into view, moving as little as possible
 * (the current offset when it already is).
 */
export function scrollTopToReveal(index: number, input: Omit<WindowInput, 'overscan' | 'pageSize'>): number {
  return scrollTopToRevealItem(fixedLayout(input.total, input.rowHeight), index, input.viewportHeight, input.scrollTop);
}

/**
 * The pages to have: the window's own first (they are on screen), then the ones holding the
 * `prefetchRows` rows either side, so a steady scroll finds its next rows already loaded.
 */
export function pagesWanted(window: Pick<ListWindow, 'start' | 'end' | 'pages'>, total: number, pageSize: number, prefetchRows: number): number[] {
  if (window.end <= window.start) return [...window.pages];
  const first = Math.floor(Math.max(0, window.start - prefetchRows) / pageSize);
  const last = Math.floor((Math.min(total, window.end + prefetchRows) - 1) / pageSize);
  const around: number[] = [];
  for (let p = first; p <= last; p++) if (!window.pages.includes(p)) around.push(p);
  return [...window.pages, ...around];
}

/** Pages to request now: wanted ones not cached or on their way, at most `slots` of them. */
export function pagesToFetch(wanted: readonly number[], cached: ReadonlySet<number>, inFlight: ReadonlySet<number>, slots: number): number[] {
  return wanted.filter((p) => !cached.has(p) && !inFlight.has(p)).slice(0, Math.max(0, slots));
}

/** Cached pages to drop so at most `max` stay: the ones farthest from the wanted pages go first. */
export function pagesToEvict(cached: readonly number[], wanted: readonly number[], max: number): number[] {
  if (cached.length <= max) return [];
  const keep = new Set(wanted);
  const centre = wanted.length ? (wanted[0] + wanted[wanted.length - 1]) / 2 : 0;
  const candidates = cached.filter((p) => !keep.has(p)).sort((a, b) => Math.abs(b - centre) - Math.abs(a - centre));
  return candidates.slice(0, cached.length - max);
}
