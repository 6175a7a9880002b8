/**
 * How the studio benches see a frozen page: a requestAnimationFrame loop keeps every gap between
 * frames, and a `longtask` PerformanceObserver every task over 50 ms, from before any page script
 * runs (`frameRecorderScript` goes to `context.addInitScript`); `frameWindow` sums them up
 * between two `performance.now()` times of the page. Used by bench/studio-bench.ts and
 * bench/studio-workspace-bench.ts.
 */
import type { Page } from 'playwright-core';

export interface FrameWindow {
  /** The longest gap between two frames that touches the window, ms. */
  maxGap: number;
  frames: number;
  longTasks: number;
  longestTask: number;
  /** Each long task: its start from the window's start, and its duration, ms. */
  tasks: { at: number; duration: number }[];
}

/** Runs in the page, serialised with toString(): no imports, no closures. */
function recordFrames(): void {
  const w = globalThis as unknown as Record<string, unknown> & { requestAnimationFrame(cb: (t: number) => void): void };
  const gaps: { at: number; gap: number }[] = [];
  const longTasks: { start: number; duration: number }[] = [];
  w.__gaps = gaps;
  w.__longTasks = longTasks;
  let last = -1;
  const frame = (t: number) => {
    if (last >= 0) gaps.push({ at: t, gap: t - last });
    last = t;
    w.requestAnimationFrame(frame);
  };
  w.requestAnimationFrame(frame);
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) longTasks.push({ start: e.startTime, duration: e.duration });
  }).observe({ type: 'longtask' as never, buffered: true });
}

/**
 * The init script: the recorder, then `more` (other page-side probes, also serialised), with a
 * no-op `__name` first: tsx (esbuild keepNames) wraps named functions in __name() calls.
 */
export function frameRecorderScript(...more: (() => void)[]): string {
  return ['globalThis.__name = (f) => f;', ...[recordFrames, ...more].map((f) => `(${f.toString()})();`)].join(' ');
}

export const pageNow = (page: Page): Promise<number> => page.evaluate(() => performance.now());

/** What the recorder saw between `from` and `to` (page times): a gap or task counts if it overlaps. */
export function frameWindow(page: Page, from: number, to: number): Promise<FrameWindow> {
  return page.evaluate(
    ([a, b]) => {
      const w = globalThis as unknown as { __gaps: { at: number; gap: number }[]; __longTasks: { start: number; duration: number }[] };
      const gaps = w.__gaps.filter((g) => g.at >= a && g.at - g.gap <= b);
      const tasks = w.__longTasks.filter((t) => t.start + t.duration >= a && t.start <= b);
      return {
        maxGap: Math.max(0, ...gaps.map((g) => g.gap)),
        frames: gaps.length,
        longTasks: tasks.length,
        longestTask: Math.max(0, ...tasks.map((t) => t.duration)),
        tasks: tasks.map((t) => ({ at: t.start - a, duration: t.duration })),
      };
    },
    [from, to] as const,
  );
}
