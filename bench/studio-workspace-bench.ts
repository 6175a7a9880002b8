/**
 * The 200-take workspace (issue 13 item 1), part of `npm run bench:studio` (alone:
 * `npx tsx bench/studio-workspace-bench.ts`). A library of 200 takes (1.5 s each, real WAVs,
 * written before the server starts), the studio on models/tiny, headless Chromium at 1440×900:
 *  - first paint: navigation to the first take row in the DOM, and the longest frame gap until
 *    the page has settled;
 *  - switching views: Library ↔ Workspace, five times each way;
 *  - resizing: 1440 → 1024 → 1280 → 1440 wide, twice;
 *  - scrolling: the rows from top to bottom and back by mouse wheel, then the same in the Cards
 *    view (full cards: wavesurfer waveform and spectrogram for each one drawn);
 * each as the longest requestAnimationFrame gap and the long tasks (> 50 ms) while it ran. Goal:
 * no frame gap over 100 ms. Written to BENCHMARKS.md (section `studio-workspace`). Not a test.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { launchChromium } from '../e2e/support/chromium.ts';
import { writeManyTakes } from '../e2e/support/many-takes.ts';
import { ensureRendererBuilt } from '../e2e/support/renderer-build.ts';
import { startStudioWeb } from '../e2e/support/studio-web.ts';
import { isEntryModule } from '../fuzz/fuzz-runner.ts';
import { frameRecorderScript, frameWindow, pageNow, type FrameWindow } from './frame-gaps.ts';
import { describeMachine, replaceSection } from './machine.ts';

const ROOT = resolve(import.meta.dirname, '..');
const TAKES = 200;
const LOADS = 3;
const GOAL_MS = 100;
const log = (line: string) => process.stderr.write(`[bench:studio workspace] ${line}\n`);

/** Page side, after the frame recorder: when the first take row appears. */
function watchFirstRow(): void {
  const w = globalThis as unknown as Record<string, unknown> & {
    document: { querySelector(s: string): unknown };
    MutationObserver: new (cb: () => void) => { observe(target: unknown, options: object): void; disconnect(): void };
  };
  const observer = new w.MutationObserver(() => {
    if (w.document.querySelector('[data-testid="take-row"]')) {
      w.__firstRowAt = performance.now();
      observer.disconnect();
    }
  });
  observer.observe(w.document, { childList: true, subtree: true });
}

/** Runs `action` and measures it, up to `settleMs` after it returns (what it set off still counts). */
async function measure(page: Page, action: () => Promise<void>, settleMs = 800): Promise<FrameWindow> {
  const from = await pageNow(page);
  await action();
  await page.waitForTimeout(settleMs);
  return frameWindow(page, from, await pageNow(page));
}

const worst = (ws: FrameWindow[]): FrameWindow => ({
  maxGap: Math.max(...ws.map((w) => w.maxGap)),
  frames: ws.reduce((n, w) => n + w.frames, 0),
  longTasks: ws.reduce((n, w) => n + w.longTasks, 0),
  longestTask: Math.max(...ws.map((w) => w.longestTask)),
  tasks: ws.flatMap((w) => w.tasks),
});

async function scrollThrough(page: Page): Promise<void> {
  const list = page.getByTestId('take-list');
  const box = (await list.boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  // A brisk wheel: 400 px every 50 ms, down to the end and back up.
  const height = await list.evaluate((el) => (el as unknown as { scrollHeight: number }).scrollHeight);
  const steps = Math.ceil(height / 400);
  for (let i = 0; i < steps; i++) {
    await page.mouse.wheel(0, 400);
    await page.waitForTimeout(50);
  }
  for (let i = 0; i < steps; i++) {
    await page.mouse.wheel(0, -400);
    await page.waitForTimeout(50);
  }
}

export interface WorkspaceFigures {
  /** The machine's 1-minute load average at the start and the end: on a shared machine, the context every figure needs. */
  load1: [number, number];
  firstRowMs: number;
  load: FrameWindow;
  views: FrameWindow;
  resize: FrameWindow;
  scrollRows: FrameWindow;
  toCards: FrameWindow;
  scrollCards: FrameWindow;
  cardsInDom: number;
  rowsInDom: number;
}

export async function runWorkspaceBench(): Promise<WorkspaceFigures> {
  await ensureRendererBuilt(); // the renderer as the sources are now: the server only builds a missing one
  const loadBefore = loadavg()[0]!;
  const temp = mkdtempSync(join(tmpdir(), 'loa-bench-workspace-'));
  const library = join(temp, 'library');
  await writeManyTakes(library, TAKES, { perJob: 20, seconds: 1.5 });
  log(`wrote ${TAKES} takes to ${library}`);
  const server = await startStudioWeb({ model: join(ROOT, 'models', 'tiny'), library, config: join(temp, 'config') });
  const browser = await launchChromium();
  try {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 });
    await context.addInitScript({ content: frameRecorderScript(watchFirstRow) });
    const firstRows: number[] = [];
    const loads: FrameWindow[] = [];
    let page: Page | undefined;
    for (let i = 0; i < LOADS; i++) {
      await page?.close();
      page = await context.newPage();
      await page.goto(server.url);
      await page.waitForFunction(() => (globalThis as unknown as { __firstRowAt?: number }).__firstRowAt !== undefined, undefined, { timeout: 180_000 });
      await page.waitForTimeout(1500);
      const firstRowAt = await page.evaluate(() => (globalThis as unknown as { __firstRowAt: number }).__firstRowAt);
      firstRows.push(firstRowAt);
      loads.push(await frameWindow(page, 0, await pageNow(page)));
      log(`load ${i + 1}: first row at ${firstRowAt.toFixed(0)} ms, longest frame gap ${loads[i].maxGap.toFixed(0)} ms`);
    }
    const p = page!;
    const rowsInDom = await p.getByTestId('take-row').count();

    const views: FrameWindow[] = [];
    for (let i = 0; i < 5; i++) {
      views.push(await measure(p, () => p.getByTestId('view-library').click()));
      views.push(await measure(p, () => p.getByTestId('view-workspace').click()));
    }
    log(`views: longest frame gap ${worst(views).maxGap.toFixed(0)} ms`);

    const resizes: FrameWindow[] = [];
    for (let i = 0; i < 2; i++) {
      for (const [width, height] of [
        [1024, 700],
        [1280, 800],
        [1440, 900],
      ] as const) {
        resizes.push(await measure(p, () => p.setViewportSize({ width, height }), 500));
      }
    }
    log(`resize: longest frame gap ${worst(resizes).maxGap.toFixed(0)} ms`);

    const scrollRows = await measure(p, () => scrollThrough(p));
    log(`scroll rows: longest frame gap ${scrollRows.maxGap.toFixed(0)} ms over ${scrollRows.frames} frames`);

    const toCards = await measure(p, () => p.getByTestId('take-view-cards').click(), 2000);
    const cardsInDom = await p.getByTestId('take-card').count();
    log(`to cards: longest frame gap ${toCards.maxGap.toFixed(0)} ms, ${cardsInDom} cards in the DOM`);
    const scrollCards = await measure(p, () => scrollThrough(p), 2000);
    log(`scroll cards: longest frame gap ${scrollCards.maxGap.toFixed(0)} ms over ${scrollCards.frames} frames`);
    await p.getByTestId('take-view-rows').click();
    await context.close();
    const sorted = [...firstRows].sort((a, b) => a - b);
    return {
      load1: [loadBefore, loadavg()[0]!],
      firstRowMs: sorted[Math.floor(sorted.length / 2)]!,
      load: worst(loads),
      views: worst(views),
      resize: worst(resizes),
      scrollRows,
      toCards,
      scrollCards,
      cardsInDom,
      rowsInDom,
    };
  } finally {
    await browser.close();
    await server.stop();
    rmSync(temp, { recursive: true, force: true });
  }
}

export function writeWorkspaceSection(f: WorkspaceFigures): void {
  const ms = (x: number) => `${Math.round(x)} ms`;
  const row = (what: string, w: FrameWindow) => `| ${what} | ${ms(w.maxGap)} | ${w.longTasks} / ${w.longTasks ? ms(w.longestTask) : '—'} | ${w.maxGap <= GOAL_MS ? 'met' : 'missed'} |`;
  const body = `## Studio: the 200-take workspace (issue 13 item 1)

Measured ${new Date().toISOString().slice(0, 10)} on ${describeMachine()}, 1-minute load average ${f.load1[0].toFixed(1)} at the start and ${f.load1[1].toFixed(1)} at the end (other work on the machine: every frame gap here is stretched by it); headless Debian Chromium (\`--disable-gpu\`) via playwright-core at 1440×900, model \`models/tiny\`, 200 takes of 1.5 s (real WAVs with peaks) in 10 runs of 20.
Frame gaps: a requestAnimationFrame loop and a \`longtask\` PerformanceObserver installed before navigation; each action measured from its start until 0.8 s after it returns (2 s for the Cards view), so the work it sets off counts. Goal: no frame gap over ${GOAL_MS} ms.
The workspace draws rows (a mini waveform from the peaks, no audio, no canvas) in a virtual list: ${f.rowsInDom} rows in the DOM for 200 takes; the Cards view keeps ${f.cardsInDom} full cards in the DOM, each with its wavesurfer waveform and a spectrogram computed in a worker.

| Action | Longest frame gap | Long tasks (> 50 ms): count / longest | Goal ≤ ${GOAL_MS} ms |
| --- | --- | --- | --- |
| First paint: navigation → first take row (median of ${LOADS} loads) | ${ms(f.firstRowMs)} | — | — |
${row(`Page load until settled (worst of ${LOADS})`, f.load)}
${row('Switching views, Library ↔ Workspace ×5', f.views)}
${row('Resizing 1440 → 1024 → 1280 → 1440, ×2', f.resize)}
${row('Scrolling the rows top → bottom → top (wheel, 400 px / 50 ms)', f.scrollRows)}
${row('Rows → Cards view', f.toCards)}
${row('Scrolling the cards top → bottom → top', f.scrollCards)}

Reproduce: \`npm run bench:studio\` (this section alone: \`npx tsx bench/studio-workspace-bench.ts\`). What the page load's gap is made of: evaluating the renderer's script, the /api answer with the 200 takes (their peaks packed, 5.3 KB of base64 each, decoded only for the rows drawn), mounting the page, then its rows one task later. Library ↔ Workspace: both stay mounted once shown, so only the first switch to the library builds it. Cards: mounted one per frame, those on screen first.
`;
  const path = join(ROOT, 'BENCHMARKS.md');
  writeFileSync(path, replaceSection(readFileSync(path, 'utf8'), 'studio-workspace', body));
  log(`wrote the studio-workspace section of ${path}`);
}

if (isEntryModule(import.meta.url)) writeWorkspaceSection(await runWorkspaceBench());
