import { describe, expect, it } from 'vitest';
import { fixedLayout, measuredLayout, scrollTopToRevealItem, virtualWindow } from './virtual-window.ts';

// A workspace-like list: run headers (20 px), rows (40 px), an expanded card (260 px).
const SIZES = [20, 40, 40, 260, 40, 20, 40, 40, 40, 40];
const offsets = SIZES.reduce<number[]>((acc, s, i) => [...acc, acc[i] + s], [0]);

describe('virtual list windowing', () => {
  it('finds the item under any offset of a measured list', () => {
    const layout = measuredLayout(SIZES);
    expect(layout.contentHeight).toBe(offsets[SIZES.length]);
    for (let y = 0; y < layout.contentHeight; y += 7) {
      const i = layout.indexAt(y);
      expect(offsets[i]).toBeLessThanOrEqual(y);
      expect(offsets[i + 1]).toBeGreaterThan(y);
      expect(layout.offsetOf(i)).toBe(offsets[i]);
      expect(layout.sizeOf(i)).toBe(SIZES[i]);
    }
    expect(layout.indexAt(-5)).toBe(0);
    expect(layout.indexAt(1e9)).toBe(SIZES.length - 1);
  });

  it('keeps only the items on screen and the overscan, placed at their own offsets', () => {
    const layout = measuredLayout(SIZES);
    const w = virtualWindow(layout, { viewportHeight: 100, scrollTop: 110, overscan: 1 });
    // 110..210 covers the card (100..360) alone.
    expect(w).toMatchObject({ firstVisible: 3, endVisible: 4, start: 2, end: 5, offset: offsets[2], scrollHeight: layout.contentHeight });
    const edge = virtualWindow(layout, { viewportHeight: 40, scrollTop: 20, overscan: 0 });
    // 20..60: item 1 (20..60) only; item 2 starts exactly on the bottom edge.
    expect(edge).toMatchObject({ firstVisible: 1, endVisible: 2 });
    const end = virtualWindow(layout, { viewportHeight: 100, scrollTop: 1e6, overscan: 2 });
    expect(end.endVisible).toBe(SIZES.length);
    expect(end.end).toBe(SIZES.length);
    expect(virtualWindow(measuredLayout([]), { viewportHeight: 100, scrollTop: 0, overscan: 2 })).toMatchObject({ start: 0, end: 0, scrollHeight: 0 });
  });

  it('agrees with the fixed layout when every measured item is one height', () => {
    const sizes = Array.from({ length: 500 }, () => 46);
    for (const scrollTop of [0, 45, 46, 1000, 12_345, 500 * 46]) {
      const a = virtualWindow(measuredLayout(sizes), { viewportHeight: 600, scrollTop, overscan: 8 });
      const b = virtualWindow(fixedLayout(500, 46), { viewportHeight: 600, scrollTop, overscan: 8 });
      expect(a).toEqual(b);
    }
  });

  it('reveals an item by moving as little as possible, a tall one by its top', () => {
    const layout = measuredLayout(SIZES);
    expect(scrollTopToRevealItem(layout, 1, 100, 0)).toBe(0); // already in view
    expect(scrollTopToRevealItem(layout, 4, 100, 0)).toBe(offsets[5] - 100); // below: bottom edge to the view's bottom
    expect(scrollTopToRevealItem(layout, 0, 100, 300)).toBe(0); // above: its top to the view's top
    expect(scrollTopToRevealItem(layout, 3, 100, 0)).toBe(offsets[3]); // taller than the view
  });
});
