import { describe, expect, it } from 'vitest';
import { isFling, listWindow, MAX_SCROLL_PX, pagesToEvict, pagesToFetch, pagesWanted, scrollTopToReveal } from './library-window.ts';

const ROW = 44;
const VIEW = 600;
const base = { rowHeight: ROW, viewportHeight: VIEW, overscan: 6, pageSize: 50 };

describe('library list windowing', () => {
  it('puts only the visible rows and the overscan in the DOM, for 100 000 takes at any offset', () => {
    const total = 100_000;
    const maxScroll = total * ROW - VIEW;
    for (const scrollTop of [0, 1, 43, 44, 12_345, 2_200_000, maxScroll - 1, maxScroll, maxScroll + 5_000]) {
      const w = listWindow({ ...base, total, scrollTop });
      expect(w.scrollHeight).toBe(total * ROW);
      const top = Math.min(scrollTop, maxScroll);
      expect(w.firstVisible).toBe(Math.floor(top / ROW));
      expect(w.endVisible).toBe(Math.min(total, Math.ceil((top + VIEW) / ROW)));
      expect(w.end - w.start).toBeLessThanOrEqual(Math.ceil(VIEW / ROW) + 1 + 2 * base.overscan);
      expect(w.start).toBe(Math.max(0, w.firstVisible - base.overscan));
      expect(w.end).toBe(Math.min(total, w.endVisible + base.overscan));
      // Unscaled: row i sits at i × row height.
      expect(w.offset).toBe(w.start * ROW);
      expect(w.pages[0]).toBe(Math.floor(w.start / 50));
      expect(w.pages[w.pages.length - 1]).toBe(Math.floor((w.end - 1) / 50));
    }
    const last = listWindow({ ...base, total, scrollTop: maxScroll });
    expect(last.end).toBe(total);
    expect(last.pages).toEqual([1999]);
  });

  it('scales the scroll offset onto the rows past the browser height cap (10 million takes)', () => {
    const total = 10_000_000;
    const top = listWindow({ ...base, total, scrollTop: 0 });
    expect(top.scrollHeight).toBe(MAX_SCROLL_PX);
    expect(top.firstVisible).toBe(0);
    expect(top.offset).toBe(0);
    const bottom = listWindow({ ...base, total, scrollTop: MAX_SCROLL_PX - VIEW });
    expect(bottom.end).toBe(total);
    expect(bottom.endVisible).toBe(total);
    // The last row's bottom edge lands exactly on the viewport's bottom edge.
    expect(bottom.offset + (total - bottom.start) * ROW).toBeCloseTo(MAX_SCROLL_PX, 3);
    const middle = listWindow({ ...base, total, scrollTop: (MAX_SCROLL_PX - VIEW) / 2 });
    expect(Math.abs(middle.firstVisible - (total * ROW - VIEW) / 2 / ROW)).toBeLessThan(1);
    // Visible rows start within one row of the viewport's top.
    const firstTop = middle.offset + (middle.firstVisible - middle.start) * ROW;
    expect(firstTop).toBeLessThanOrEqual((MAX_SCROLL_PX - VIEW) / 2);
    expect(firstTop).toBeGreaterThan((MAX_SCROLL_PX - VIEW) / 2 - ROW);
  });

  it('handles empty and short lists', () => {
    const empty = listWindow({ ...base, total: 0, scrollTop: 100 });
    expect(empty).toMatchObject({ scrollHeight: 0, start: 0, end: 0, pages: [] });
    const short = listWindow({ ...base, total: 3, scrollTop: 50 });
    expect(short).toMatchObject({ scrollHeight: 3 * ROW, start: 0, end: 3, firstVisible: 0, endVisible: 3, offset: 0, pages: [0] });
  });

  it('scrolls just enough to reveal a row, before or after the view', () => {
    const input = { total: 100_000, rowHeight: ROW, viewportHeight: VIEW, scrollTop: 44_000 };
    expect(scrollTopToReveal(1005, input)).toBe(44_000); // row 1005 is on screen already
    expect(scrollTopToReveal(999, input)).toBe(999 * ROW);
    expect(scrollTopToReveal(1020, input)).toBe(1021 * ROW - VIEW);
    expect(scrollTopToReveal(-5, input)).toBe(0);
    expect(scrollTopToReveal(100_500, input)).toBe(100_000 * ROW - VIEW);
    // Scaled: the revealed row is on screen.
    const huge = { total: 10_000_000, rowHeight: ROW, viewportHeight: VIEW, scrollTop: 0 };
    for (const index of [5_000_000, 9_999_999, 123_456]) {
      const w = listWindow({ ...base, total: huge.total, scrollTop: scrollTopToReveal(index, huge) });
      expect(index).toBeGreaterThanOrEqual(w.firstVisible);
      expect(index).toBeLessThan(w.endVisible);
    }
  });

  it('fetches missing pages only, a few at a time, and evicts the farthest', () => {
    expect(pagesToFetch([3, 4, 5, 6], new Set([4]), new Set([5]), 1)).toEqual([3]);
    expect(pagesToFetch([3, 4, 5, 6], new Set([4]), new Set([5]), 3)).toEqual([3, 6]);
    expect(pagesToFetch([1], new Set(), new Set(), 0)).toEqual([]);
    expect(pagesToEvict([0, 1, 2, 3], [2], 8)).toEqual([]);
    expect(pagesToEvict([0, 1, 2, 3, 40, 41], [2, 3], 4).sort((a, b) => a - b)).toEqual([40, 41]);
    expect(pagesToEvict([0, 1, 2, 3, 40, 41], [40, 41], 3).sort((a, b) => a - b)).toEqual([0, 1, 2]);
  });

  it('wants the window pages first, then the neighbours within the prefetch distance', () => {
    // Rows 40–70 on screen: pages 0 and 1; 20 rows of prefetch reach row 90 (still page 1) and row 20 (page 0).
    expect(pagesWanted({ start: 40, end: 70, pages: [0, 1] }, 100_000, 50, 20)).toEqual([0, 1]);
    // Rows 120–145: page 2; prefetch reaches rows 100–165, so pages 2, 3.
    expect(pagesWanted({ start: 120, end: 145, pages: [2] }, 100_000, 50, 20)).toEqual([2, 3]);
    // At the end of the list nothing past the last row is wanted.
    expect(pagesWanted({ start: 99_980, end: 100_000, pages: [1999] }, 100_000, 50, 20)).toEqual([1999]);
    const w = listWindow({ ...base, total: 100_000, scrollTop: 51 * ROW });
    expect(pagesWanted(w, 100_000, 50, 0)).toEqual(w.pages);
    expect(pagesWanted({ start: 0, end: 0, pages: [] }, 0, 50, 20)).toEqual([]);
  });

  it('calls a move of more than half a screen of rows in one frame a fling', () => {
    expect(isFling(100, 110, 20)).toBe(false);
    expect(isFling(100, 111, 20)).toBe(true);
    expect(isFling(111, 100, 20)).toBe(true);
    expect(isFling(5000, 100, 20)).toBe(true);
    expect(isFling(0, 1, 0)).toBe(false);
  });
});
