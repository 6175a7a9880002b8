/**
 * Virtual-list windowing, pure: which items of a long list are in the DOM and where they sit.
 * A layout says where each item is (every item one fixed height, as in the library, or each its
 * own measured height, as in the workspace); the window maps a scroll offset onto it with no
 * layout reads. Browsers cap an element's height (Chromium near 33.5 M px, Firefox near
 * 17.9 M px), so past MAX_SCROLL_PX the spacer stays that tall and the scroll offset is scaled.
 */

/** Safely under every engine's element-height cap. */
export const MAX_SCROLL_PX = 8_000_000;

/** Where the items of a list are, in content px (unscaled). */
export interface ListLayout {
  readonly count: number;
  readonly contentHeight: number;
  offsetOf(index: number): number;
  sizeOf(index: number): number;
  /** The item covering content offset `y` (clamped to the list). */
  indexAt(y: number): number;
}

/** Every item `size` px tall: O(1) whatever the count (a 10-million-take library). */
export function fixedLayout(count: number, size: number): ListLayout {
  const n = Math.max(0, count);
  return {
    count: n,
    contentHeight: n * size,
    offsetOf: (index) => index * size,
    sizeOf: () => size,
    indexAt: (y) => Math.min(Math.max(0, n - 1), Math.max(0, Math.floor(y / size))),
  };
}

/** Each item its own height (measured, or estimated until measured): prefix sums and a binary search. */
export function measuredLayout(sizes: readonly number[]): ListLayout {
  const offsets = new Float64Array(sizes.length + 1);
  for (let i = 0; i < sizes.length; i++) offsets[i + 1] = offsets[i] + Math.max(0, sizes[i]);
  const count = sizes.length;
  return {
    count,
    contentHeight: offsets[count],
    offsetOf: (index) => offsets[Math.min(Math.max(0, index), count)],
    sizeOf: (index) => offsets[index + 1] - offsets[index],
    indexAt: (y) => {
      if (count === 0) return 0;
      let lo = 0;
      let hi = count - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (offsets[mid] <= y) lo = mid;
        else hi = mid - 1;
      }
      return lo;
    },
  };
}

export interface VirtualWindowInput {
  viewportHeight: number;
  scrollTop: number;
  /** Items kept in the DOM above and below the visible ones. */
  overscan: number;
}

export interface VirtualWindow {
  /** Height of the scrolling spacer, px. */
  scrollHeight: number;
  /** Items actually on screen: [firstVisible, endVisible). */
  firstVisible: number;
  endVisible: number;
  /** Items in the DOM (visible plus overscan): [start, end). */
  start: number;
  end: number;
  /** Top of item `start` inside the spacer, px; item start + k sits at offsetOf(start + k) − offsetOf(start) below it. */
  offset: number;
}

interface Geometry {
  scrollHeight: number;
  /** Content px per scroll px; 1 unless the list is taller than MAX_SCROLL_PX. */
  ratio: number;
  maxScroll: number;
}

function geometry(layout: ListLayout, viewportHeight: number): Geometry {
  const scrollHeight = Math.min(layout.contentHeight, MAX_SCROLL_PX);
  const maxScroll = Math.max(0, scrollHeight - viewportHeight);
  const maxContent = Math.max(0, layout.contentHeight - viewportHeight);
  return { scrollHeight, ratio: maxScroll > 0 ? maxContent / maxScroll : 1, maxScroll };
}

export function virtualWindow(layout: ListLayout, input: VirtualWindowInput): VirtualWindow {
  const { count } = layout;
  const viewportHeight = Math.max(0, input.viewportHeight);
  const g = geometry(layout, viewportHeight);
  const scrollTop = Math.min(Math.max(0, input.scrollTop), g.maxScroll);
  const virtualTop = scrollTop * g.ratio;
  if (count === 0) return { scrollHeight: g.scrollHeight, firstVisible: 0, endVisible: 0, start: 0, end: 0, offset: 0 };
  const firstVisible = virtualTop >= layout.contentHeight ? count : layout.indexAt(virtualTop);
  const bottom = virtualTop + viewportHeight;
  // The item covering the bottom edge is visible unless the edge falls exactly on its top.
  let endVisible = bottom >= layout.contentHeight ? count : layout.indexAt(bottom) + 1;
  if (endVisible - 1 > firstVisible && layout.offsetOf(endVisible - 1) >= bottom) endVisible--;
  const start = Math.max(0, firstVisible - input.overscan);
  const end = Math.min(count, Math.max(endVisible + input.overscan, start));
  return { scrollHeight: g.scrollHeight, firstVisible, endVisible, start, end, offset: layout.offsetOf(start) - virtualTop + scrollTop };
}

/**
 * The scroll offset that brings item `index` fully into view, moving as little as possible (the
 * current offset when it already is; its top when it is taller than the view).
 */
export function scrollTopToRevealItem(layout: ListLayout, index: number, viewportHeight: number, currentScrollTop: number): number {
  const g = geometry(layout, viewportHeight);
  const scrollTop = Math.min(Math.max(0, currentScrollTop), g.maxScroll);
  if (layout.count === 0) return scrollTop;
  const virtualTop = scrollTop * g.ratio;
  const i = Math.min(Math.max(0, index), layout.count - 1);
  const itemTop = layout.offsetOf(i);
  const itemBottom = itemTop + layout.sizeOf(i);
  let wanted = virtualTop;
  if (itemTop < virtualTop) wanted = itemTop;
  else if (itemBottom > virtualTop + viewportHeight) wanted = Math.min(itemTop, itemBottom - viewportHeight);
  if (wanted === virtualTop) return scrollTop;
  // Scaled lists move `ratio` items' worth of px per scroll px: round towards the item.
  const next = wanted < virtualTop ? Math.floor(wanted / g.ratio) : Math.ceil(wanted / g.ratio);
  return Math.min(Math.max(0, next), g.maxScroll);
}

/**
 * True when the list moved more than half a screen since the last frame (a fling, a scrollbar
 * drag): items fly past faster than they could be drawn, so drawing (and fetching) waits until
 * the scroll settles.
 */
export function isFling(previousFirstVisible: number, firstVisible: number, visibleItems: number): boolean {
  return Math.abs(firstVisible - previousFirstVisible) > Math.max(1, visibleItems / 2);
}
