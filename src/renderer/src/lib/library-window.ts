/**
 * The library list's windowing, pure: which rows of a very long list are in the DOM, where they
 * sit, and which pages of the search they need. Rows have one fixed height, so a scroll offset
 * maps to a row index by division — no measuring, no layout reads while scrolling.
 *
 * Browsers cap an element's height (Chromium near 33.5 M px, Firefox near 17.9 M px), so past
 * MAX_SCROLL_PX the spacer stays that tall and the scroll offset is scaled onto the rows.
 */

/** Safely under every engine's element-height cap. */
export const MAX_SCROLL_PX = 8_000_000;

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

export interface ListWindow {
  /** Height of the scrolling spacer, px. */
  scrollHeight: number;
  /** Rows actually on screen: [firstVisible, endVisible). */
  firstVisible: number;
  endVisible: number;
  /** Rows in the DOM (visible plus overscan): [start, end). */
  start: number;
  end: number;
  /** Top of row `start` inside the spacer, px; row start + k sits k row heights below it. */
  offset: number;
  /** The pages holding rows [start, end), ascending. */
  pages: number[];
}

interface Geometry {
  contentHeight: number;
  scrollHeight: number;
  /** Virtual (unscaled) px per scroll px; 1 unless the list is taller than MAX_SCROLL_PX. */
  ratio: number;
  maxScroll: number;
}

function geometry(total: number, rowHeight: number, viewportHeight: number): Geometry {
  const contentHeight = Math.max(0, total) * rowHeight;
  const scrollHeight = Math.min(contentHeight, MAX_SCROLL_PX);
  const maxScroll = Math.max(0, scrollHeight - viewportHeight);
  const maxContent = Math.max(0, contentHeight - viewportHeight);
  return { contentHeight, scrollHeight, ratio: maxScroll > 0 ? maxContent / maxScroll : 1, maxScroll };
}

export function listWindow(input: WindowInput): ListWindow {
  const { total, rowHeight, viewportHeight, overscan, pageSize } = input;
  const g = geometry(total, rowHeight, viewportHeight);
  const scrollTop = Math.min(Math.max(0, input.scrollTop), g.maxScroll);
  const virtualTop = scrollTop * g.ratio;
  const firstVisible = Math.min(total, Math.floor(virtualTop / rowHeight));
  const endVisible = Math.min(total, Math.ceil((virtualTop + Math.max(0, viewportHeight)) / rowHeight));
  const start = Math.max(0, firstVisible - overscan);
  const end = Math.min(total, Math.max(endVisible + overscan, start));
  const pages: number[] = [];
  if (end > start) for (let p = Math.floor(start / pageSize); p <= Math.floor((end - 1) / pageSize); p++) pages.push(p);
  return {
    scrollHeight: g.scrollHeight,
    firstVisible,
    endVisible,
    start,
    end,
    offset: start * rowHeight - virtualTop + scrollTop,
    pages,
  };
}

/**
 * The scroll offset that brings row `index` fully into view, moving as little as possible
 * (the current offset when it already is).
 */
export function scrollTopToReveal(index: number, input: Omit<WindowInput, 'overscan' | 'pageSize'>): number {
  const { total, rowHeight, viewportHeight } = input;
  const g = geometry(total, rowHeight, viewportHeight);
  const scrollTop = Math.min(Math.max(0, input.scrollTop), g.maxScroll);
  const virtualTop = scrollTop * g.ratio;
  const rowTop = Math.min(Math.max(0, index), Math.max(0, total - 1)) * rowHeight;
  let wanted = virtualTop;
  if (rowTop < virtualTop) wanted = rowTop;
  else if (rowTop + rowHeight > virtualTop + viewportHeight) wanted = rowTop + rowHeight - viewportHeight;
  if (wanted === virtualTop) return scrollTop;
  // Scaled lists move `ratio` rows' worth of px per scroll px: round towards the row.
  const next = wanted < virtualTop ? Math.floor(wanted / g.ratio) : Math.ceil(wanted / g.ratio);
  return Math.min(Math.max(0, next), g.maxScroll);
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

/**
 * True when the list moved more than half a screen since the last frame (a fling, a scrollbar
 * drag): rows fly past faster than their pages could come (a page takes a frame or two), so
 * fetching waits until the scroll settles. Slower scrolling is met by the prefetched pages.
 */
export function isFling(previousFirstVisible: number, firstVisible: number, visibleRows: number): boolean {
  return Math.abs(firstVisible - previousFirstVisible) > Math.max(1, visibleRows / 2);
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
