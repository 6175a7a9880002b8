/**
 * The workspace with 200 takes (issue 13 items 1 and 2), in Debian's Chromium against the real
 * browser-mode server: a compact row per take by default, only the rows on screen in the DOM,
 * scrolling brings the next ones; ↑/↓ move the selection and play it (auto-play, on by default,
 * off with its toggle); a row opens as the full card, and the cards view is virtual too.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, CHROMIUM_PATH } from './support/chromium.ts';
import { writeManyTakes } from './support/many-takes.ts';
import { blurFocus } from './support/page-actions.ts';
import { SCREENSHOTS } from './support/screenshots.ts';
import { openStudioPage, type StudioPage } from './support/studio-page.ts';

const TAKES = 200;

if (!chromiumAvailable) console.log(`[e2e] skipped: no Chromium at ${CHROMIUM_PATH} (apt-get install chromium, or set LOA_CHROMIUM)`);

describe.skipIf(!chromiumAvailable)('take rows: 200 takes in the workspace (browser mode)', () => {
  let studio: StudioPage;
  let page: Page;
  let temp = '';

  const rowIds = () => page.getByTestId('take-row').evaluateAll((rows) => rows.map((r) => (r as unknown as { dataset: { takeId: string } }).dataset.takeId));
  const selectedRow = () => page.locator('[data-testid="take-row"][data-selected="true"]').getAttribute('data-take-id');
  /** The list's own player: which take it holds and whether it is playing. */
  const player = () =>
    page.getByTestId('take-row-audio').evaluate((a) => {
      const media = a as unknown as { paused: boolean; dataset: { takeId: string } };
      return { takeId: media.dataset.takeId, paused: media.paused };
    });

  beforeAll(async () => {
    temp = mkdtempSync(join(tmpdir(), 'loa-take-rows-'));
    await writeManyTakes(join(temp, 'library'), TAKES, { perJob: 20, seconds: 1.5 });
    // The studio's own defaults: rows, auto-play on.
    studio = await openStudioPage({ library: join(temp, 'library') });
    page = studio.page;
  }, 240_000);

  afterAll(async () => {
    await studio?.close();
    if (temp) rmSync(temp, { recursive: true, force: true });
  });

  it('shows a compact row per take, and only the rows on screen are in the DOM', async () => {
    const list = page.getByTestId('take-list');
    await page.getByTestId('take-row').first().waitFor({ timeout: 30_000 });
    expect(await list.getAttribute('data-view')).toBe('rows');
    expect(await page.getByTestId('take-view-rows').getAttribute('aria-pressed')).toBe('true');
    // 200 takes and a header per run of 20, but a 900 px window holds ~16 rows.
    expect(Number(await list.getAttribute('data-total'))).toBe(TAKES + TAKES / 20);
    const ids = await rowIds();
    expect(ids.length).toBeGreaterThan(8);
    expect(ids.length).toBeLessThanOrEqual(40);
    expect(await page.getByTestId('take-card').count()).toBe(0);
    // Rows draw their peaks as an SVG path: no canvas anywhere in the list, no audio but the selection's.
    expect(await list.locator('canvas').count()).toBe(0);
    expect(await list.locator('audio').count()).toBe(0);
    const first = page.getByTestId('take-row').first();
    expect(await first.getByTestId('take-row-seed').textContent()).toMatch(/^\d+$/);
    expect(await first.getByTestId('mini-wave').count()).toBe(1);
    await page.screenshot({ path: join(SCREENSHOTS, 'workspace-rows.png') });

    // Scrolling to the end brings the oldest takes and leaves the first ones.
    await list.evaluate((el) => ((el as unknown as { scrollTop: number; scrollHeight: number }).scrollTop = 1e6));
    await expect.poll(async () => (await rowIds()).some((id) => ids.includes(id)), { timeout: 5000 }).toBe(false);
    const after = await rowIds();
    expect(after.length).toBeGreaterThan(8);
    expect(after.length).toBeLessThanOrEqual(40);
    expect(Number(await list.getAttribute('data-end'))).toBe(TAKES + TAKES / 20);
    await list.evaluate((el) => ((el as unknown as { scrollTop: number }).scrollTop = 0));
    await expect.poll(async () => (await rowIds())[0]).toBe(ids[0]);
  }, 60_000);

  it('plays the selected take while ↑/↓ move through the rows (auto-play), and stops doing so when it is off', async () => {
    const rows = await rowIds();
    expect(await page.getByTestId('autoplay-toggle').getAttribute('aria-pressed')).toBe('true');
    await page.locator(`[data-testid="take-row"][data-take-id="${rows[0]}"] [data-testid="take-row-prompt"]`).click();
    await expect.poll(selectedRow).toBe(rows[0]);
    await expect.poll(player).toEqual({ takeId: rows[0], paused: false });
    await blurFocus(page);

    for (const next of [rows[1], rows[2]]) {
      await page.keyboard.press('ArrowDown');
      await expect.poll(selectedRow).toBe(next);
      await expect.poll(player).toEqual({ takeId: next, paused: false });
      await expect.poll(() => page.locator(`[data-testid="take-row"][data-take-id="${next}"]`).getAttribute('data-playing')).toBe('true');
    }
    await page.keyboard.press('ArrowUp');
    await expect.poll(selectedRow).toBe(rows[1]);
    await expect.poll(player).toEqual({ takeId: rows[1], paused: false });

    // Moving down the list past the window keeps the selection on screen.
    for (let i = 0; i < 30; i++) await page.keyboard.press('ArrowDown');
    const far = await selectedRow();
    expect(far).not.toBeNull();
    expect(await page.locator(`[data-testid="take-row"][data-take-id="${far}"]`).isVisible()).toBe(true);

    // Auto-play off: ↓ only selects, and what played stops.
    await page.getByTestId('autoplay-toggle').click();
    await blurFocus(page);
    await page.keyboard.press('ArrowDown');
    await expect.poll(selectedRow).not.toBe(far);
    await expect.poll(async () => (await player()).paused).toBe(true);
    expect(await page.locator('[data-testid="take-row"][data-playing="true"]').count()).toBe(0);
    // Space still plays the selection.
    const selected = await selectedRow();
    await page.keyboard.press(' ');
    await expect.poll(player).toEqual({ takeId: selected, paused: false });
    await page.keyboard.press('Escape');
    await page.getByTestId('autoplay-toggle').click();
  }, 60_000);

  it('opens a row as the full card and folds it back', async () => {
    await page.getByTestId('take-list').evaluate((el) => ((el as unknown as { scrollTop: number }).scrollTop = 0));
    // The rows follow the scroll a frame later: read them once the window is back at the top.
    await expect.poll(() => page.getByTestId('take-list').getAttribute('data-start')).toBe('0');
    const id = (await rowIds())[3];
    await page.locator(`[data-testid="take-row"][data-take-id="${id}"] [data-testid="take-row-expand"]`).click();
    const card = page.locator(`[data-testid="take-card"][data-take-id="${id}"]`);
    await card.waitFor({ timeout: 10_000 });
    expect(await card.getByTestId('take-waveform').count()).toBe(1);
    expect(await card.getByTestId('take-seed').textContent()).toMatch(/^\d+$/);
    expect(await page.locator(`[data-testid="take-row"][data-take-id="${id}"]`).count()).toBe(0);
    expect(await page.getByTestId('take-card').count()).toBe(1);
    // The spectrogram is drawn for the opened card only.
    await expect.poll(() => card.getByTestId('take-spectrogram').getAttribute('data-state'), { timeout: 20_000 }).toBe('ready');
    await card.getByTestId('take-card-collapse').click();
    await page.locator(`[data-testid="take-row"][data-take-id="${id}"]`).waitFor();
    expect(await page.getByTestId('take-card').count()).toBe(0);

    // From the keyboard: Enter opens the selected take as a card, Enter again folds it back.
    await page.locator(`[data-testid="take-row"][data-take-id="${id}"] [data-testid="take-row-prompt"]`).click();
    await blurFocus(page);
    await page.keyboard.press('Enter');
    await card.waitFor({ timeout: 10_000 });
    await page.keyboard.press('Enter');
    await page.locator(`[data-testid="take-row"][data-take-id="${id}"]`).waitFor();
    expect(await page.getByTestId('take-card').count()).toBe(0);
    await page.keyboard.press('Escape');
  }, 60_000);

  it('keeps the cards view virtual too: a few cards in the DOM, new ones as it scrolls', async () => {
    await page.getByTestId('take-view-cards').click();
    const list = page.getByTestId('take-list');
    await page.getByTestId('take-card').first().waitFor({ timeout: 10_000 });
    // Cards mount once the list stands still (a placeholder of their size until then).
    const settled = () => expect.poll(() => page.getByTestId('take-card-placeholder').count(), { timeout: 5000 }).toBe(0);
    await settled();
    const cardIds = () => page.getByTestId('take-card').evaluateAll((cards) => cards.map((c) => (c as unknown as { dataset: { takeId: string } }).dataset.takeId));
    const first = await cardIds();
    expect(first.length).toBeGreaterThan(1);
    expect(first.length).toBeLessThanOrEqual(12);
    expect(await page.getByTestId('take-row').count()).toBe(0);
    await list.evaluate((el) => ((el as unknown as { scrollTop: number }).scrollTop = 20_000));
    await expect.poll(async () => (await cardIds()).some((id) => first.includes(id)), { timeout: 5000 }).toBe(false);
    await settled();
    expect((await cardIds()).length).toBeGreaterThan(1);
    expect((await cardIds()).length).toBeLessThanOrEqual(12);
    await page.getByTestId('take-view-rows').click();
    await page.getByTestId('take-row').first().waitFor();
    expect(studio.pageErrors).toEqual([]);
  }, 60_000);
});
