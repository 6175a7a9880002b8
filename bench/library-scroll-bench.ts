/**
 * `npm run bench:library-scroll`: the library panel with 100 000 takes in headless Chromium —
 * time to the first page of rows, then a scroll from the top to the bottom of the list in steps of
 * one screen per frame, with frame gaps (requestAnimationFrame) and long tasks recorded.
 * The takes are rows with real peaks and fake audio paths (LibraryDb's benchmark-only option): the
 * list never loads audio, so this measures the list itself.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { launchChromium } from '../e2e/support/chromium.ts';
import { startStudioWeb } from '../e2e/support/studio-web.ts';
import { SeededRandom } from '../src/main/engine/random.ts';
import { LibraryDb } from '../src/main/library/library-db.ts';
import { generationFile } from '../src/main/library/take-paths.ts';
import { describeMachine, replaceSection } from './machine.ts';

const ROOT = resolve(import.meta.dirname, '..');
const TAKES = Number(process.env.LOA_BENCH_TAKES ?? 100_000);
const log = (line: string) => process.stderr.write(`[bench:library-scroll] ${line}\n`);

const temp = mkdtempSync(join(tmpdir(), 'loa-bench-scroll-'));
const libraryDir = join(temp, 'library');
const rng = new SeededRandom(7);
const WORDS = ['door', 'metal', 'glass', 'rain', 'wind', 'engine', 'crowd', 'thunder', 'whoosh', 'impact', 'creak', 'hum'];
const shape = (s: number) => Array.from({ length: 4000 }, (_, i) => (i % 2 ? 1 : -1) * 0.8 * Math.exp(-(i >> 1) / (300 + 50 * s)));
const SHAPES = Array.from({ length: 8 }, (_, s) => shape(s));

log(`filling ${TAKES} takes`);
const db = LibraryDb.open(libraryDir, { benchmarkOnlySkipFileCheck: true });
db.batch(() => {
  for (let n = 0; n < TAKES; n++) {
    const prompt = `${WORDS[n % WORDS.length]} ${WORDS[Math.floor(rng.nextFloat64() * WORDS.length)]} take ${n}`;
    const createdAt = new Date(Date.UTC(2026, 0, 1) + n * 60_000);
    const id = `scroll${String(n).padStart(10, '0')}`;
    db.addTake({
      id, file: generationFile(createdAt, prompt, n, id), jobId: `job${n >> 2}`, rank: 1, seed: n, score: null, modelId: 'tiny-random', device: 'cpu',
      params: { prompt, negativePrompt: '', seconds: 2, steps: 25, scheduler: 'dpmpp', guidance: 3.5, seed: n, takes: 1 },
      sampleRate: 16_000, samples: 32_000, peaks: SHAPES[n % SHAPES.length], createdAt,
    });
  }
});
db.close();

const web = await startStudioWeb({ model: join(ROOT, 'models', 'tiny'), library: libraryDir, config: join(temp, 'config') });
const browser = await launchChromium();
let result: { firstPageMs: number; frames: number; maxGap: number; p95Gap: number; longTasks: number; longest: number; reachedIndex: number; rowsInDom: number; total: number };
try {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await page.goto(web.url);
  await page.getByTestId('view-library').waitFor({ timeout: 120_000 });
  const t0 = Date.now();
  await page.getByTestId('view-library').click({ timeout: 60_000 }).catch(async (error: unknown) => {
    await page.screenshot({ path: join(tmpdir(), 'loa-library-scroll-failure.png') });
    throw new Error(`${String(error)}\nPage text: ${(await page.locator('body').innerText()).slice(0, 500)}\nServer log: ${web.log().slice(-800)}`);
  });
  await page.getByTestId('library-row').first().waitFor({ timeout: 120_000 });
  const firstPageMs = Date.now() - t0;
  // Runs in the page (plain JavaScript: this project's Node tsconfig has no DOM types).
  const scrollThrough = `(async () => {
    const list = document.querySelector('[data-testid="library-list"]');
    const scroller = [list, ...Array.from(list.querySelectorAll('*'))].find((e) => e.scrollHeight > e.clientHeight + 10 && getComputedStyle(e).overflowY !== 'visible');
    const gaps = [];
    const longTasks = [];
    new PerformanceObserver((entries) => entries.getEntries().forEach((e) => longTasks.push(e.duration))).observe({ type: 'longtask' });
    let last = performance.now();
    const max = scroller.scrollHeight - scroller.clientHeight;
    const step = scroller.clientHeight;
    await new Promise((done) => {
      const frame = (t) => {
        gaps.push(t - last);
        last = t;
        if (scroller.scrollTop >= max - 1) return done();
        scroller.scrollTop = Math.min(max, scroller.scrollTop + step);
        requestAnimationFrame(frame);
      };
      requestAnimationFrame(frame);
    });
    // Let the last page arrive, then read what is on screen.
    await new Promise((r) => setTimeout(r, 1500));
    const rows = Array.from(document.querySelectorAll('[data-testid="library-row"]'));
    const sorted = [...gaps].sort((a, b) => a - b);
    return {
      firstPageMs: 0,
      frames: gaps.length,
      maxGap: sorted.at(-1),
      p95Gap: sorted[Math.floor(sorted.length * 0.95)],
      longTasks: longTasks.length,
      longest: longTasks.length ? Math.max(...longTasks) : 0,
      reachedIndex: Math.max(...rows.map((r) => Number(r.getAttribute('data-index')))),
      rowsInDom: rows.length,
      total: Number(document.querySelector('[data-testid="library-count"]')?.getAttribute('data-total')),
    };
  })()`;
  result = (await page.evaluate(scrollThrough)) as typeof result;
  result.firstPageMs = firstPageMs;
} finally {
  await browser.close();
  await web.stop();
  rmSync(temp, { recursive: true, force: true });
}
log(JSON.stringify(result));

const body = `## Library panel: 100 000 takes (issue 5)

Measured ${new Date().toISOString().slice(0, 10)} on ${describeMachine()}; headless Debian Chromium (\`--disable-gpu\`), browser mode, ${TAKES.toLocaleString('en')} takes in the SQLite library (real peaks, no audio loaded).

| Metric | Measured |
| --- | --- |
| Library view opened → first rows drawn | ${result.firstPageMs} ms |
| Scroll top → bottom, one screen per frame | ${result.frames} frames |
| Frame gap: 95th percentile / longest | ${result.p95Gap.toFixed(1)} ms / ${result.maxGap.toFixed(1)} ms |
| Long tasks (> 50 ms) while scrolling, count / longest | ${result.longTasks} / ${result.longest.toFixed(0)} ms |
| Rows in the DOM at the bottom / last row index shown | ${result.rowsInDom} / ${result.reachedIndex} of ${result.total} |

Reproduce: \`npm run bench:library-scroll\` (\`LOA_BENCH_TAKES\` to change the count). Rows are fixed-height and only the visible ones (plus overscan) exist; pages of 50 come from the server as the list scrolls, so a fling across the whole library shows placeholders for the rows it skips.
`;
const path = join(ROOT, 'BENCHMARKS.md');
writeFileSync(path, replaceSection(readFileSync(path, 'utf8'), 'library-scroll', body));
log(`wrote the library-scroll section of ${path}`);
