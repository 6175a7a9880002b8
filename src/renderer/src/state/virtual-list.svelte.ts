/**
 * A virtual list's scrolling state, for any list (the library's 100 000 rows, the workspace's
 * takes): the scroll offset and viewport the scroller reports, the window of items that belongs
 * in the DOM (lib/virtual-window.ts over the list's layout), fling detection, and scroll
 * requests (reveal an item, back to the top). What the items are, and where they come from, is
 * the owner's.
 */
import { untrack } from 'svelte';
import { isFling, scrollTopToRevealItem, virtualWindow, type ListLayout } from '../lib/virtual-window.ts';

/** After a fling, the list draws (and fetches) once it has stood still this long. */
const FLING_SETTLE_MS = 50;
/** Big moves closer together than this are one fling. */
const FLING_GAP_MS = 100;

export interface VirtualListOptions {
  /** Items kept in the DOM above and below the visible ones. */
  overscan: number;
  /** Mid-fling the owner may freeze its rows (see `flinging`); off: every scroll updates the window. */
  detectFlings?: boolean;
  /** The window moved while not flinging, or a fling settled (the library fetches pages here). */
  onMove?: () => void;
}

export class VirtualList {
  scrollTop = $state(0);
  viewportHeight = $state(600);
  /**
   * The list is moving more than half a screen per frame (a fling, a scrollbar drag): no item
   * could be read, so an owner may keep its rows still under a placeholder until it settles.
   */
  flinging = $state(false);
  /** The scroller applies this (a new search goes to the top, ↑/↓ reveal an item). */
  scrollRequest = $state<{ top: number; seq: number } | null>(null);

  window = $derived.by(() => virtualWindow(this.layout(), { viewportHeight: this.viewportHeight, scrollTop: this.scrollTop, overscan: this.options.overscan }));

  private settleTimer: ReturnType<typeof setTimeout> | undefined;
  /** When the last scroll moved more than half a screen (null: it did not). */
  private lastBigMoveAt: number | null = null;
  private scrollSeq = 0;

  constructor(
    /** Read reactively: the window follows the layout as items come, go or change height. */
    private readonly layout: () => ListLayout,
    private readonly options: VirtualListOptions,
  ) {}

  setViewport = (height: number): void => {
    if (Math.abs(height - this.viewportHeight) < 1) return;
    this.viewportHeight = height;
    this.options.onMove?.();
  };

  /** The scroller scrolled (one event per frame at most). */
  setScroll = (top: number): void => {
    const before = this.window;
    this.scrollTop = top;
    if (!this.options.detectFlings) {
      this.options.onMove?.();
      return;
    }
    const after = this.window;
    clearTimeout(this.settleTimer);
    // One big move is a jump (End, a click on the scrollbar track): show it at once. Two in a row
    // are a fling: whatever is asked for now would arrive for items already gone.
    const now = performance.now();
    const big = isFling(before.firstVisible, after.firstVisible, after.endVisible - after.firstVisible);
    const bigBefore = this.lastBigMoveAt !== null && now - this.lastBigMoveAt < FLING_GAP_MS;
    this.lastBigMoveAt = big ? now : null;
    this.flinging = big && bigBefore;
    if (this.flinging) {
      this.settleTimer = setTimeout(() => {
        this.flinging = false;
        this.options.onMove?.();
      }, FLING_SETTLE_MS);
    } else this.options.onMove?.();
  };

  /** Scrolls so item `index` is fully in view, moving as little as possible; true if it moved. */
  reveal = (index: number): boolean => {
    const top = scrollTopToRevealItem(this.layout(), index, this.viewportHeight, this.scrollTop);
    if (top === this.scrollTop) return false;
    this.scrollTo(top);
    return true;
  };

  /** Asks the scroller to go to `top` (no onMove: the owner knows what the jump means). */
  scrollTo = (top: number): void => {
    this.scrollRequest = { top, seq: ++this.scrollSeq };
    this.scrollTop = top;
  };

  dispose = (): void => {
    clearTimeout(this.settleTimer);
  };
}

/**
 * The scroller's side, as an attachment: reports its scroll offset and height to the list. The
 * browser sends at most one scroll event per frame, just before it draws, so the items follow in
 * that same frame (waiting for another animation frame would show them a frame late).
 */
export function trackScroller(list: VirtualList) {
  return (node: HTMLElement) => {
    const onScroll = () => list.setScroll(node.scrollTop);
    // A hidden list (display: none, its view not shown) measures 0: it keeps the window it had, so
    // showing it again finds its items still there instead of building them all anew.
    const measure = () => {
      if (node.clientHeight > 0) list.setViewport(node.clientHeight);
    };
    const observer = new ResizeObserver(measure);
    observer.observe(node);
    node.addEventListener('scroll', onScroll, { passive: true });
    // Untracked: the attachment must not re-run (re-measuring the scroller) each time the height changes.
    untrack(measure);
    return () => {
      observer.disconnect();
      node.removeEventListener('scroll', onScroll);
    };
  };
}

/** Applies the list's scroll requests to its scroller (call from the component's $effect). */
export function applyScrollRequest(list: VirtualList, scroller: HTMLElement | undefined): void {
  const request = list.scrollRequest;
  if (request && scroller && Math.abs(scroller.scrollTop - request.top) >= 1) scroller.scrollTop = request.top;
}
