/**
 * The workspace end to end, in Debian's Chromium against the real browser-mode server, the real
 * engine on models/tiny and a real library in a temp folder: prompt → generate (Ctrl+Enter) →
 * progress to 100% → cancel a second job → play → select a region → export it (checked on disk)
 * → keyboard audition → reload and find the take again. Screenshots go to e2e/.screenshots-out/ (e2e/screenshots/ with npm run screenshots).
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, CHROMIUM_PATH } from './support/chromium.ts';
import { startDragOut } from './support/drag-out.ts';
import { blurFocus, runNewJob } from './support/page-actions.ts';
import { SCREENSHOTS } from './support/screenshots.ts';
import { CARD_VIEW, openStudioPage, type StudioPage } from './support/studio-page.ts';
import type { StudioWebProcess } from './support/studio-web.ts';
import { until } from './support/until.ts';
import { readWavHeader } from './support/wav-header.ts';
import { readRecipe } from '../src/main/library/wav-metadata.ts';

const PROMPT = 'glass shattering on concrete';

if (!chromiumAvailable) console.log(`[e2e] skipped: no Chromium at ${CHROMIUM_PATH} (apt-get install chromium, or set LOA_CHROMIUM)`);

const audioTime = (card: Locator) => card.locator('audio').evaluate((a) => (a as unknown as { currentTime: number }).currentTime);

describe.skipIf(!chromiumAvailable)('workspace (browser mode, real engine on models/tiny)', () => {
  let server: StudioWebProcess;
  let page: Page;
  let pageErrors: string[] = [];
  let studio: StudioPage;
  let firstTakeId = '';
  let region = { start: 0, end: 0 };

  beforeAll(async () => {
    studio = await openStudioPage({ preferences: CARD_VIEW }); // these tests drive the full card
    ({ server, page, pageErrors } = studio);
  }, 240_000);

  afterAll(async () => {
    await studio?.close();
  });

  it('opens the workspace with the model loading or ready', async () => {
    await page.getByTestId('prompt-input').waitFor({ timeout: 30_000 });
    const status = page.getByTestId('model-status');
    await until('the model to be ready', async () => (await status.getAttribute('data-state')) === 'ready', 90_000, 200);
    await page.screenshot({ path: join(SCREENSHOTS, 'workspace-empty.png') });
  }, 120_000);

  it('generates from Ctrl+Enter and shows progress up to 100%', async () => {
    await page.getByTestId('prompt-input').fill(PROMPT);
    await page.getByTestId('seconds-input').fill('2.5');
    await page.getByTestId('steps-input').fill('12');
    await page.getByTestId('takes-input').fill('2');
    await page.getByTestId('prompt-input').press('Control+Enter');

    const row = page.getByTestId('job-row').first();
    await row.waitFor({ timeout: 10_000 });
    const jobId = (await row.getAttribute('data-job-id'))!;
    const job = page.locator(`[data-testid="job-row"][data-job-id="${jobId}"]`);
    const seen = new Set<number>();
    let shot = false;
    await until(
      'the job to finish',
      async () => {
        const bar = job.getByTestId('job-progress');
        if (await bar.count()) {
          const value = Number(await bar.getAttribute('aria-valuenow'));
          seen.add(value);
          if (!shot && value >= 40 && value < 100) {
            shot = true;
            await page.screenshot({ path: join(SCREENSHOTS, 'generating.png') });
          }
        }
        const state = await job.getAttribute('data-state');
        if (state === 'failed') throw new Error(`The job failed: ${await job.textContent()}`);
        return state === 'done';
      },
      120_000,
      40,
    );
    expect(Number(await job.getByTestId('job-progress').getAttribute('aria-valuenow'))).toBe(100);
    // Progress was watched on its way, not only at the end.
    expect([...seen].some((v) => v > 0 && v < 100)).toBe(true);

    const cards = page.getByTestId('take-card');
    await until('two take cards', async () => (await cards.count()) === 2, 20_000);
    for (const card of await cards.all()) {
      expect(await card.getByTestId('take-seed').textContent()).toMatch(/^\d+$/);
      const spectrogram = card.getByTestId('take-spectrogram');
      await expect.poll(() => spectrogram.getAttribute('data-state'), { timeout: 20_000 }).toBe('ready');
      // The spectrogram analyses the decoded audio at the take's own sample rate, and draws it.
      const rate = await spectrogram.getAttribute('data-sample-rate');
      expect(await card.getByTestId('take-waveform').getAttribute('data-decoded-rate')).toBe(rate);
      await expect.poll(() => spectrogram.locator('canvas').count(), { timeout: 10_000 }).toBeGreaterThan(0);
    }
    firstTakeId = (await cards.first().getAttribute('data-take-id'))!;
  }, 180_000);

  it('cancels a second job', async () => {
    await page.getByTestId('seconds-input').fill('10');
    await page.getByTestId('steps-input').fill('500');
    await page.getByTestId('takes-input').fill('1');
    await page.getByTestId('generate-button').click();
    const active = page.locator('[data-testid="job-row"][data-state="running"], [data-testid="job-row"][data-state="queued"]').first();
    await active.waitFor({ timeout: 15_000 });
    const jobId = (await active.getAttribute('data-job-id'))!;
    await active.getByTestId('cancel-button').click();
    const job = page.locator(`[data-testid="job-row"][data-job-id="${jobId}"]`);
    await expect.poll(() => job.getAttribute('data-state'), { timeout: 30_000 }).toBe('cancelled');
    await expect(job.getByTestId('cancel-button').count()).resolves.toBe(0);
    // Put the editor back to quick settings for the R key later.
    await page.getByTestId('seconds-input').fill('2.5');
    await page.getByTestId('steps-input').fill('12');
  }, 60_000);

  it('plays a take: the audio clock advances', async () => {
    const card = page.locator(`[data-take-id="${firstTakeId}"]`);
    await card.getByTestId('play-button').click();
    await expect.poll(() => card.getAttribute('data-playing'), { timeout: 5_000 }).toBe('true');
    const t0 = await audioTime(card);
    await page.waitForTimeout(600);
    const t1 = await audioTime(card);
    expect(t1).toBeGreaterThan(t0);
    expect(t1).toBeGreaterThan(0.2);
    await card.getByTestId('play-button').click();
    await expect.poll(() => card.getAttribute('data-playing')).toBe('false');

    // A click on the waveform plays from that point.
    const wave = card.getByTestId('take-waveform');
    const box = (await wave.boundingBox())!;
    const duration = Number(await wave.getAttribute('data-duration'));
    await page.mouse.click(box.x + box.width * 0.5, box.y + 30);
    await expect.poll(() => card.getAttribute('data-playing'), { timeout: 5_000 }).toBe('true');
    // The seek lands as playback starts; on a busy machine the first read can come a frame early.
    await expect.poll(() => audioTime(card), { timeout: 5_000 }).toBeGreaterThan(duration * 0.45);
    await page.keyboard.press('Escape');
    await expect.poll(() => card.getAttribute('data-playing')).toBe('false');
  }, 30_000);

  it('selects a region by dragging on the waveform', async () => {
    const card = page.locator(`[data-take-id="${firstTakeId}"]`);
    const wave = card.getByTestId('take-waveform');
    const box = (await wave.boundingBox())!;
    const duration = Number(await wave.getAttribute('data-duration'));
    const y = box.y + 30;
    await page.mouse.move(box.x + box.width * 0.2, y);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.4, y, { steps: 5 });
    await page.mouse.move(box.x + box.width * 0.6, y, { steps: 5 });
    await page.mouse.up();
    const selection = card.getByTestId('take-selection');
    await selection.waitFor({ timeout: 5_000 });
    region = { start: Number(await selection.getAttribute('data-start')), end: Number(await selection.getAttribute('data-end')) };
    expect(region.start).toBeGreaterThan(duration * 0.2 - 0.15);
    expect(region.start).toBeLessThan(duration * 0.2 + 0.15);
    expect(region.end).toBeGreaterThan(duration * 0.6 - 0.15);
    expect(region.end).toBeLessThan(duration * 0.6 + 0.15);
    // A drag selects; it does not start playback (a click does).
    expect(await card.getAttribute('data-playing')).toBe('false');
    await page.screenshot({ path: join(SCREENSHOTS, 'workspace.png') });
  }, 30_000);

  it('plays just the selection, and repeats it with L', async () => {
    const card = page.locator(`[data-take-id="${firstTakeId}"]`);
    await card.locator('.prompt').click();
    await blurFocus(page);
    await page.keyboard.press('l');
    await expect.poll(() => page.getByTestId('repeat-toggle').getAttribute('aria-pressed')).toBe('true');
    // One meaning per word (issue 13): the transport's toggle is Repeat, the selection a region, "loop" only a loop take.
    expect(await page.getByTestId('repeat-toggle').textContent()).toBe('Repeat');
    expect(await card.getByTestId('take-repeat').textContent()).toBe('Repeat');
    expect(await card.getByTestId('take-selection').textContent()).toMatch(/^\s*region /);
    expect(await page.locator('button', { hasText: /^Loop$/ }).count()).toBe(0);
    await page.keyboard.press('Space');
    await expect.poll(() => card.getAttribute('data-playing'), { timeout: 5_000 }).toBe('true');
    // Longer than the selection: still playing, and still inside it.
    await page.waitForTimeout((region.end - region.start) * 1000 + 500);
    expect(await card.getAttribute('data-playing')).toBe('true');
    const t = await audioTime(card);
    expect(t).toBeGreaterThanOrEqual(region.start - 0.05);
    expect(t).toBeLessThanOrEqual(region.end + 0.1);
    await page.keyboard.press('l');
    await page.keyboard.press('Escape');
    await expect.poll(() => card.getAttribute('data-playing')).toBe('false');
    expect(await page.getByTestId('repeat-toggle').getAttribute('aria-pressed')).toBe('false');
  }, 30_000);

  it('exports the selection as a WAV file on disk', async () => {
    const card = page.locator(`[data-take-id="${firstTakeId}"]`);
    await card.getByTestId('export-button').click();
    const dialog = page.getByTestId('export-dialog');
    await dialog.waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'export-dialog.png') });
    try {
      await dialog.getByTestId('export-confirm').click();
      const result = dialog.getByTestId('export-result').first();
      const failure = dialog.getByTestId('export-error');
      await until(
        'an export result',
        async () => {
          if (await failure.count()) throw new Error(`The export failed: ${await failure.textContent()}`);
          return (await result.count()) > 0;
        },
        30_000,
      );
      const path = (await result.getAttribute('data-path'))!;
      const bytes = Number(await result.getAttribute('data-bytes'));
      expect(statSync(path).size).toBe(bytes);
      const header = readWavHeader(readFileSync(path));
      // The dialog's defaults: 24-bit, 48 kHz, mono (docs/ux-conventions.md §7).
      expect(header.format).toBe(1);
      expect(header.bitsPerSample).toBe(24);
      expect(header.sampleRate).toBe(48000);
      expect(header.channels).toBe(1);
      expect(header.seconds).toBeGreaterThan(region.end - region.start - 0.02);
      expect(header.seconds).toBeLessThan(region.end - region.start + 0.02);
      // The file carries its take's recipe and how it was rendered (so it can come back from a DAW).
      expect(readRecipe(new Uint8Array(readFileSync(path)))?.rendering).toMatchObject({ takeId: firstTakeId, region: { start: region.start, end: region.end }, sampleRate: 48000, format: 'pcm24' });
      // The dialog says what the file reached, the same numbers its recipe records (issue 13).
      const recorded = readRecipe(new Uint8Array(readFileSync(path)))!.rendering!.result!;
      const report = result.getByTestId('export-report');
      expect(await report.textContent()).toMatch(/reached (−[\d.]+ LUFS|too short or quiet to measure LUFS), peak −?[\d.]+ dBFS/);
      expect(Number(await report.getAttribute('data-peak'))).toBe(recorded.peakDbfs);
      expect(await report.getAttribute('data-limited')).toBe(String(recorded.limited));

      // Again with "trim silence": the recipe says so, and the file is no longer than the region.
      await dialog.getByTestId('trim-silence').check();
      await dialog.getByTestId('export-confirm').click();
      await until(
        'a second export result',
        async () => {
          if (await failure.count()) throw new Error(`The export failed: ${await failure.textContent()}`);
          const paths = await dialog.getByTestId('export-result').evaluateAll((items) => items.map((i) => (i as unknown as { dataset: { path: string } }).dataset.path));
          return paths.find((p) => p !== path) ?? null;
        },
        30_000,
      ).then((trimmedPath) => {
        expect(readRecipe(new Uint8Array(readFileSync(trimmedPath)))?.rendering).toMatchObject({ trimSilence: true });
        expect(readWavHeader(readFileSync(trimmedPath)).seconds).toBeLessThanOrEqual(header.seconds);
      });
      await dialog.getByTestId('trim-silence').uncheck();
    } finally {
      // Close it either way, so a failure here doesn't take the keyboard tests down with it.
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached', timeout: 5_000 });
    }
  }, 60_000);

  it('offers the selection for drag-out as a rendered WAV (browser mode: a single-use download URL)', async () => {
    const card = page.locator(`[data-take-id="${firstTakeId}"]`);
    const offered = await startDragOut(page, card.getByTestId('drag-handle'));
    expect(offered.name).toMatch(/\.wav$/);
    const response = await page.request.get(offered.url);
    expect(response.status()).toBe(200);
    const header = readWavHeader(await response.body());
    expect(header.seconds).toBeGreaterThan(region.end - region.start - 0.02);
    expect(header.seconds).toBeLessThan(region.end - region.start + 0.02);
  }, 30_000);

  it('exports ticked takes as a batch, with progress', async () => {
    const cards = page.getByTestId('take-card');
    for (const card of await cards.all()) await card.getByRole('checkbox', { name: 'Tick for batch export' }).check();
    await page.getByTestId('batch-export-button').click();
    const dialog = page.getByTestId('export-dialog');
    await dialog.waitFor();
    try {
      await dialog.getByTestId('export-confirm').click();
      const failure = dialog.getByTestId('export-error');
      await until(
        'two export results',
        async () => {
          if (await failure.count()) throw new Error(`The export failed: ${await failure.textContent()}`);
          return (await dialog.getByTestId('export-result').count()) === 2;
        },
        60_000,
      );
      expect(await dialog.getByTestId('export-progress').getAttribute('aria-valuenow')).toBe('100');
      const paths = await dialog.getByTestId('export-result').evaluateAll((items) => items.map((i) => (i as unknown as { dataset: { path: string } }).dataset.path));
      expect(new Set(paths).size).toBe(2);
      for (const path of paths) expect(readWavHeader(readFileSync(path)).seconds).toBeCloseTo(2.5, 2);
    } finally {
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached', timeout: 5_000 });
      for (const card of await cards.all()) await card.getByRole('checkbox', { name: 'Tick for batch export' }).uncheck();
    }
  }, 90_000);

  it('auditions with the keyboard and never while typing', async () => {
    const cards = page.getByTestId('take-card');
    const first = cards.nth(0);
    const second = cards.nth(1);
    await first.locator('.prompt').click(); // selects the take without starting playback
    await blurFocus(page);
    expect(await first.getAttribute('data-selected')).toBe('true');

    await page.keyboard.press('ArrowDown');
    await expect.poll(() => second.getAttribute('data-selected')).toBe('true');
    expect(await first.getAttribute('data-selected')).toBe('false');

    await page.keyboard.press('Space');
    await expect.poll(() => second.getAttribute('data-playing'), { timeout: 5_000 }).toBe('true');
    const t0 = await audioTime(second);
    await page.waitForTimeout(400);
    expect(await audioTime(second)).toBeGreaterThan(t0);
    expect(await first.getAttribute('data-playing')).toBe('false');

    await page.keyboard.press('Escape');
    await expect.poll(() => second.getAttribute('data-playing')).toBe('false');

    await page.keyboard.press('ArrowUp');
    await expect.poll(() => first.getAttribute('data-selected')).toBe('true');
    await page.keyboard.press('4');
    await expect.poll(() => first.getByTestId('take-rating').getAttribute('data-rating')).toBe('4');
    await page.keyboard.press('f');
    await expect.poll(() => first.getByTestId('favourite-button').getAttribute('aria-pressed')).toBe('true');

    // Typing in the prompt: Space, arrows and digits are text, not audition keys.
    const prompt = page.getByTestId('prompt-input');
    await prompt.click();
    await prompt.press('End');
    await page.keyboard.type(' with 3 echoes');
    await page.keyboard.press('ArrowDown');
    await page.waitForTimeout(300);
    expect(await prompt.inputValue()).toBe(`${PROMPT} with 3 echoes`);
    expect(await page.locator('[data-testid="take-card"][data-playing="true"]').count()).toBe(0);
    expect(await first.getAttribute('data-selected')).toBe('true');
    expect(await first.getByTestId('take-rating').getAttribute('data-rating')).toBe('4');
  }, 30_000);

  it('compares two takes level-matched: A, B, then X swaps at the same position', async () => {
    const cards = page.getByTestId('take-card');
    const [first, second] = [cards.nth(0), cards.nth(1)];
    const ab = page.getByTestId('ab-compare');
    await blurFocus(page);
    await first.locator('.prompt').click();
    await page.keyboard.press('a');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('b');
    expect(await ab.getAttribute('data-a')).toBe(await first.getAttribute('data-take-id'));
    expect(await ab.getAttribute('data-b')).toBe(await second.getAttribute('data-take-id'));
    // Matched by RMS: the louder side is turned down, the quieter one stays at 0 dB.
    const trims = [Number(await ab.getAttribute('data-trim-a')), Number(await ab.getAttribute('data-trim-b'))];
    expect(Math.max(...trims)).toBe(0);
    expect(Math.min(...trims)).toBeLessThanOrEqual(0);

    await page.keyboard.press('x');
    await expect.poll(() => ab.getAttribute('data-side')).toBe('a');
    await expect.poll(() => first.getAttribute('data-playing')).toBe('true');
    await page.waitForTimeout(500);
    await page.keyboard.press('x');
    await expect.poll(() => second.getAttribute('data-playing')).toBe('true');
    expect(await first.getAttribute('data-playing')).toBe('false');
    expect(await ab.getAttribute('data-side')).toBe('b');
    // B picks up where A was, not from the start.
    expect(await audioTime(second)).toBeGreaterThan(0.3);
    await page.keyboard.press('Escape');
    await expect.poll(() => page.locator('[data-testid="take-card"][data-playing="true"]').count()).toBe(0);
  }, 30_000);

  it('finds the take again after a reload', async () => {
    const before = await page.getByTestId('take-card').count();
    await page.reload();
    const card = page.locator(`[data-take-id="${firstTakeId}"]`);
    await card.waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('take-card').count()).toBe(before);
    expect(await card.getByTestId('take-rating').getAttribute('data-rating')).toBe('4');
    expect(await card.getByTestId('favourite-button').getAttribute('aria-pressed')).toBe('true');
    await page.getByTestId('library-search').fill('no such sound');
    await expect.poll(() => page.getByTestId('take-card').count()).toBe(0);
    await page.getByTestId('library-search').fill('shattering');
    await expect.poll(() => page.getByTestId('take-card').count()).toBe(before);
  }, 60_000);

  it('regenerates the selected take with a new seed on R', async () => {
    const card = page.locator(`[data-take-id="${firstTakeId}"]`);
    const seed = Number(await card.getByTestId('take-seed').textContent());
    const before = await page.getByTestId('take-card').count();
    await card.locator('.prompt').click();
    await blurFocus(page);
    await runNewJob(page, server, () => page.keyboard.press('r'), 120_000);
    // Same settings (two takes per run), new seeds.
    await expect.poll(() => page.getByTestId('take-card').count(), { timeout: 20_000 }).toBe(before + 2);
    const newest = page.getByTestId('take-card').first();
    expect(await newest.locator('.prompt').textContent()).toBe(PROMPT);
    const newSeed = Number(await newest.getByTestId('take-seed').textContent());
    expect(newSeed === seed || newSeed === seed + 1 || newSeed === seed - 1).toBe(false);
  }, 150_000);

  it('switches the theme from the settings panel', async () => {
    const theme = () => page.evaluate(() => (globalThis as unknown as { document: { documentElement: { dataset: { theme?: string } } } }).document.documentElement.dataset.theme);
    expect(await theme()).toBe('dark');
    await page.getByTestId('settings-button').click();
    const panel = page.getByTestId('settings-panel');
    await panel.waitFor();
    expect(await panel.getByTestId('library-dir-input').inputValue()).toBe(server.libraryDir);
    await page.screenshot({ path: join(SCREENSHOTS, 'settings.png') });
    await panel.getByRole('radio', { name: 'Light' }).click();
    await expect.poll(theme).toBe('light');
    await page.keyboard.press('Escape');
    await panel.waitFor({ state: 'detached' });
    await page.screenshot({ path: join(SCREENSHOTS, 'workspace-light.png') });
    await page.getByTestId('settings-button').click();
    await panel.getByRole('radio', { name: 'Dark' }).click();
    await expect.poll(theme).toBe('dark');
    await page.keyboard.press('Escape');
    await panel.waitFor({ state: 'detached' });
  }, 30_000);

  it('"Like this" on a take card opens the library ranked around that take', async () => {
    const card = page.locator(`[data-testid="take-card"][data-take-id="${firstTakeId}"]`);
    await card.getByTestId('take-more-like-this').click();
    const banner = page.getByTestId('similar-banner');
    await banner.waitFor({ timeout: 10_000 });
    expect(await banner.getAttribute('data-take-id')).toBe(firstTakeId);
    const rows = page.getByTestId('library-row');
    await expect.poll(() => rows.count(), { timeout: 15_000 }).toBeGreaterThan(0);
    const ids = await rows.evaluateAll((all) => all.map((r) => (r as unknown as { dataset: { takeId: string } }).dataset.takeId));
    expect(ids).not.toContain(firstTakeId);
    await page.getByTestId('similar-back').click();
    await page.getByTestId('view-workspace').click();
    await card.waitFor();
    // M does the same for the selected take.
    await card.locator('.prompt').click();
    await blurFocus(page);
    await page.keyboard.press('m');
    await banner.waitFor({ timeout: 10_000 });
    expect(await banner.getAttribute('data-take-id')).toBe(firstTakeId);
    await page.getByTestId('similar-back').click();
    await page.getByTestId('view-workspace').click();
    await card.waitFor();
  }, 60_000);

  it('runs one job per line in batch mode, each with its own prompt', async () => {
    const input = page.getByTestId('prompt-input');
    await page.getByTestId('batch-toggle').click();
    expect(await page.getByTestId('batch-toggle').getAttribute('aria-pressed')).toBe('true');
    await input.fill('rain on a tin roof\n\n  door slam, large hall \nwind through pines');
    await page.getByTestId('seconds-input').fill('0.5');
    await page.getByTestId('steps-input').fill('1');
    await page.getByTestId('takes-input').fill('1');
    expect((await page.getByTestId('generate-button').textContent())?.trim()).toBe('Generate 3 prompts');
    const before = await page.getByTestId('job-row').evaluateAll((rows) => rows.map((r) => (r as unknown as { dataset: { jobId: string } }).dataset.jobId));
    await input.press('Control+Enter');
    const fresh = page.getByTestId('job-row');
    await expect
      .poll(async () => (await fresh.evaluateAll((rows) => rows.map((r) => (r as unknown as { dataset: { jobId: string } }).dataset.jobId))).filter((id) => !before.includes(id)).length, {
        timeout: 10_000,
      })
      .toBe(3);
    const added = (
      await fresh.evaluateAll((rows) =>
        rows.map((r) => ({
          id: (r as unknown as { dataset: { jobId: string } }).dataset.jobId,
          prompt: (r as unknown as { querySelector(s: string): { textContent: string } }).querySelector('.prompt').textContent,
        })),
      )
    ).filter((r) => !before.includes(r.id));
    expect(added.map((r) => r.prompt).sort()).toEqual(['door slam, large hall', 'rain on a tin roof', 'wind through pines']);
    for (const { id } of added) await expect.poll(() => page.locator(`[data-testid="job-row"][data-job-id="${id}"]`).getAttribute('data-state'), { timeout: 60_000 }).toBe('done');
    await page.getByTestId('batch-toggle').click();
    expect((await page.getByTestId('generate-button').textContent())?.trim()).toBe('Generate');
  }, 120_000);

  it('ran without page errors or CSP violations', async () => {
    const violations = await studio.cspViolations();
    expect(violations).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
