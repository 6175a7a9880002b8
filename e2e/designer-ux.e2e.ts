/**
 * Issue 13 as a sound designer meets it, items 7, 8, 14 and 15, in Debian's Chromium against the
 * real browser-mode server and engine (models/tiny):
 * - narrow windows: at 1024×700, 1280×720 and 1440×900 nothing in the top bar is drawn over
 *   anything else (Repeat over the clock, A/B over the volume), and the library shows its prompts
 *   (whole at 1280); screenshots at the three widths (workspace-<width>.png, library-<width>.png);
 * - drag-out: hovering writes nothing, a drag offers a token-free single-use URL and only its
 *   fetch renders the file; the keyboard reaches the handle and downloads;
 * - accessibility: axe-core finds no serious or critical violation on the workspace with takes,
 *   the library and settings; skip links, one tab stop per card's tool row, keyboard regions,
 *   an always-editable seed;
 * - what the output is: 16 kHz mono said plainly; the export's DC / high-pass option; varispeed
 *   and reverse audition.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRecipe } from '../src/main/library/wav-metadata.ts';
import { describeViolations, seriousAxeViolations } from './support/axe.ts';
import { chromiumAvailable, CHROMIUM_PATH } from './support/chromium.ts';
import { startDragOut } from './support/drag-out.ts';
import { blurFocus, runNewJob } from './support/page-actions.ts';
import { SCREENSHOTS } from './support/screenshots.ts';
import { CARD_VIEW, openStudioPage, type StudioPage } from './support/studio-page.ts';
import { startStudioWeb, type StudioWebProcess } from './support/studio-web.ts';
import { until } from './support/until.ts';
import { wavSamples } from './support/library-files.ts';
import { readWavHeader } from './support/wav-header.ts';

const PROMPT = 'heavy wooden door slams shut';
const WIDTHS = [
  { width: 1024, height: 700 },
  { width: 1280, height: 720 },
  { width: 1440, height: 900 },
] as const;

if (!chromiumAvailable) console.log(`[e2e] skipped: no Chromium at ${CHROMIUM_PATH} (apt-get install chromium, or set LOA_CHROMIUM)`);

type Box = { x: number; y: number; width: number; height: number };
const overlaps = (a: Box, b: Box) => a.x < b.x + b.width - 0.5 && b.x < a.x + a.width - 0.5 && a.y < b.y + b.height - 0.5 && b.y < a.y + a.height - 0.5;

async function box(locator: Locator): Promise<Box> {
  const b = await locator.boundingBox();
  if (!b) throw new Error(`${locator} is not on screen`);
  return b;
}

/** The boxes of the top bar's visible parts (its own children and the transport's), named for the failure message. */
async function topBarBoxes(page: Page): Promise<Array<{ name: string; box: Box }>> {
  return page.evaluate(() => {
    type El = { className: string; dataset: Record<string, string>; tagName: string; children: ArrayLike<El>; getBoundingClientRect(): Box; checkVisibility(): boolean };
    const doc = (globalThis as unknown as { document: { querySelector(s: string): El | null } }).document;
    const top = doc.querySelector('header.top')!;
    const transport = doc.querySelector('[data-testid="transport"]');
    const parts = [...Array.from(top.children).filter((el) => el !== transport), ...(transport ? Array.from(transport.children) : [])];
    return parts
      .filter((el) => el.checkVisibility())
      .map((el) => ({ name: el.dataset['testid'] ?? `${el.tagName.toLowerCase()}.${String(el.className).split(' ')[0]}`, box: el.getBoundingClientRect() }))
      .filter((p) => p.box.width > 0 && p.box.height > 0);
  });
}

/** WCAG contrast of an element's `property` colour against the first opaque background behind it. */
async function contrastAgainstBackground(locator: Locator, property: 'color' | 'border-top-color'): Promise<number> {
  return locator.evaluate((el, prop) => {
    type Styled = { parentElement: Styled | null };
    const w = globalThis as unknown as { getComputedStyle(e: Styled): { getPropertyValue(p: string): string; backgroundColor: string } };
    const rgb = (text: string) => (text.match(/[\d.]+/g) ?? []).map(Number);
    const luminance = ([r, g, b]: number[]) => {
      const f = (c: number) => (c / 255 <= 0.03928 ? c / 255 / 12.92 : ((c / 255 + 0.055) / 1.055) ** 2.4);
      return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    const fg = rgb(w.getComputedStyle(el as unknown as Styled).getPropertyValue(prop));
    let node: Styled | null = (el as unknown as Styled).parentElement;
    let bg = [255, 255, 255];
    while (node) {
      const c = rgb(w.getComputedStyle(node).backgroundColor);
      if (c.length >= 3 && (c.length === 3 || c[3] === 1)) {
        bg = c;
        break;
      }
      node = node.parentElement;
    }
    const [hi, lo] = [luminance(fg), luminance(bg)].sort((a, b) => b - a);
    return (hi + 0.05) / (lo + 0.05);
  }, property);
}

describe.skipIf(!chromiumAvailable)('issue 13 items 7, 8, 14, 15 (browser mode, real engine on models/tiny)', () => {
  let studio: StudioPage;
  let server: StudioWebProcess;
  let page: Page;
  let takeId = '';
  const exportsDir = () => join(server.libraryDir, 'Exports');
  const exported = () => (existsSync(exportsDir()) ? readdirSync(exportsDir()).filter((name) => !name.startsWith('.')) : []);
  const card = () => page.locator(`[data-testid="take-card"][data-take-id="${takeId}"]`);

  beforeAll(async () => {
    studio = await openStudioPage({ preferences: CARD_VIEW });
    ({ server, page } = studio);
    await page.getByTestId('prompt-input').fill(PROMPT);
    await page.getByTestId('seconds-input').fill('2.5');
    await page.getByTestId('steps-input').fill('12');
    await page.getByTestId('takes-input').fill('2');
    await runNewJob(page, server, () => page.getByTestId('generate-button').click());
    await until('two take cards', async () => (await page.getByTestId('take-card').count()) === 2, 20_000);
    takeId = (await page.getByTestId('take-card').first().getAttribute('data-take-id'))!;
  }, 300_000);

  afterAll(async () => {
    await studio?.close();
  });

  it('keeps the top bar apart and the library readable at 1024, 1280 and 1440 wide (screenshots at each)', async () => {
    // Something in the transport and in A/B, as a designer has it mid-session.
    await card().getByTestId('play-button').click();
    await page.keyboard.press('Escape');
    await page.keyboard.press('a');
    try {
      for (const size of WIDTHS) await checkLayoutAt(size);
    } finally {
      await page.setViewportSize({ width: 1440, height: 900 });
      await page.getByTestId('view-workspace').click();
    }
  }, 90_000);

  async function checkLayoutAt(size: (typeof WIDTHS)[number]): Promise<void> {
    {
      await page.setViewportSize(size);
      await page.getByTestId('view-workspace').click();
      await page.waitForTimeout(150);
      const parts = await topBarBoxes(page);
      for (const [i, a] of parts.entries()) {
        expect(a.box.x + a.box.width, `${a.name} runs off the ${size.width} px window`).toBeLessThanOrEqual(size.width + 0.5);
        for (const b of parts.slice(i + 1)) expect(overlaps(a.box, b.box), `${a.name} overlaps ${b.name} at ${size.width} px`).toBe(false);
      }
      // The two collisions the issue names, by name.
      expect(overlaps(await box(page.getByTestId('repeat-toggle')), await box(page.getByTestId('transport-clock')))).toBe(false);
      expect(overlaps(await box(page.getByTestId('ab-compare')), await box(page.getByTestId('volume-readout')))).toBe(false);
      // The key legend wraps rather than running off the window.
      const keyEdges = await page
        .locator('footer.status .keys li')
        .evaluateAll((items) => items.map((li) => (li as unknown as { getBoundingClientRect(): Box }).getBoundingClientRect()).map((b) => b.x + b.width));
      expect(Math.max(...keyEdges), `the key legend runs off the ${size.width} px window`).toBeLessThanOrEqual(size.width);
      await page.screenshot({ path: join(SCREENSHOTS, `workspace-${size.width}.png`) });

      await page.getByTestId('view-library').click();
      const prompt = page.getByTestId('library-row-prompt').first();
      await prompt.waitFor({ timeout: 10_000 });
      const text = await prompt.evaluate((el) => {
        const e = el as unknown as { textContent: string; clientWidth: number; scrollWidth: number; checkVisibility(): boolean };
        return { text: e.textContent, visible: e.checkVisibility(), width: e.clientWidth, cut: e.scrollWidth > e.clientWidth + 1 };
      });
      expect(text.text).toBe(PROMPT);
      expect(text.visible, `library prompts hidden at ${size.width} px`).toBe(true);
      // Enough room to read a prompt at 1024; the whole of this one from 1280 up.
      expect(text.width).toBeGreaterThan(size.width === 1024 ? 120 : 180);
      if (size.width >= 1280) expect(text.cut, `the prompt is cut at ${size.width} px`).toBe(false);
      await page.screenshot({ path: join(SCREENSHOTS, `library-${size.width}.png`) });
    }
  }

  it('drag-out: hovering writes nothing; a drag offers a token-free URL that renders the file once, when fetched', async () => {
    const handle = card().getByTestId('drag-handle');
    await handle.hover();
    await page.waitForTimeout(1000);
    expect(exported()).toEqual([]);

    // A drag straight away (no hover first): the URL is there at dragstart.
    const offered = await startDragOut(page, handle);
    const token = new URL(server.url).hash.replace('#token=', '');
    expect(offered.type).toBe('audio/wav');
    expect(offered.name).toMatch(/^heavy-wooden-door-slams-shut_\d+\.wav$/);
    expect(offered.url).not.toContain(token);
    expect(offered.url).not.toMatch(/token/i);
    expect(new URL(offered.url).pathname).toMatch(/^\/drag\/[A-Za-z0-9_-]{22}$/);
    // Dragging alone wrote nothing either: only the drop target's fetch renders the file.
    expect(exported()).toEqual([]);

    const first = await fetch(offered.url);
    expect(first.status).toBe(200);
    expect(first.headers.get('content-disposition')).toMatch(/^attachment; filename="/);
    const header = readWavHeader(Buffer.from(await first.arrayBuffer()));
    expect(header.seconds).toBeCloseTo(2.5, 1);
    expect(exported()).toHaveLength(1);
    // Single use: the same URL again (or another made-up one) is a plain 404.
    expect((await fetch(offered.url)).status).toBe(404);
    expect((await fetch(`${server.origin}/drag/AAAAAAAAAAAAAAAAAAAAAA`)).status).toBe(404);
    expect(exported()).toHaveLength(1);
  }, 60_000);

  it('drag-out from the keyboard: Tab reaches the handle and Enter downloads the WAV', async () => {
    const favourite = card().getByTestId('favourite-button');
    await favourite.focus();
    await page.keyboard.press('Tab');
    expect(
      await card()
        .getByTestId('drag-handle')
        .evaluate((el) => el === (el.ownerDocument as unknown as { activeElement: unknown }).activeElement),
    ).toBe(true);
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 30_000 }), page.keyboard.press('Enter')]);
    expect(download.suggestedFilename()).toMatch(/^heavy-wooden-door-slams-shut_\d+.*\.wav$/);
    expect(download.url()).not.toMatch(/token/i);
    const path = await download.path();
    expect(readWavHeader(readFileSync(path)).seconds).toBeCloseTo(2.5, 1);
    expect(exported()).toHaveLength(2);
  }, 60_000);

  it('says plainly that takes are 16 kHz mono, and exports with DC removal / high-pass when asked', async () => {
    expect(await page.getByTestId('output-format-note').textContent()).toMatch(/16 kHz mono/);
    await card().getByTestId('export-button').click();
    const dialog = page.getByTestId('export-dialog');
    await dialog.waitFor();
    try {
      expect(await dialog.getByTestId('export-source-note').textContent()).toMatch(/16 kHz mono/);
      await dialog.getByTestId('high-pass').check();
      await dialog.getByTestId('export-confirm').click();
      const result = dialog.getByTestId('export-result').first();
      await until(
        'an export result',
        async () => {
          const failure = dialog.getByTestId('export-error');
          if (await failure.count()) throw new Error(`The export failed: ${await failure.textContent()}`);
          return (await result.count()) > 0;
        },
        60_000,
      );
      const path = (await result.getAttribute('data-path'))!;
      const rendering = readRecipe(new Uint8Array(readFileSync(path)))!.rendering!;
      expect(rendering).toMatchObject({ takeId, highPass: true });
      // The filtered file is centred on zero (the high-pass removes any offset the take had).
      const { data } = wavSamples(readFileSync(path));
      const header = readWavHeader(readFileSync(path));
      expect(header.bitsPerSample).toBe(24);
      let sum = 0;
      for (let i = 0; i + 2 < data.length; i += 3) sum += data.readIntLE(i, 3) / 2 ** 23;
      expect(Math.abs(sum / (data.length / 3))).toBeLessThan(1e-3);
    } finally {
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached', timeout: 5_000 });
    }
  }, 90_000);

  it('varispeed and reverse audition: the controls drive the audio element and an AudioBufferSource', async () => {
    const transport = page.getByTestId('transport');
    const media = () =>
      card()
        .locator('audio')
        .evaluate((a) => {
          const m = a as unknown as { playbackRate: number; preservesPitch: boolean; paused: boolean };
          return { rate: m.playbackRate, preservesPitch: m.preservesPitch, paused: m.paused };
        });
    await page.getByTestId('varispeed-input').fill('-12');
    await expect.poll(() => transport.getAttribute('data-rate')).toBe('0.5');
    await card().getByTestId('play-button').click();
    await expect.poll(() => card().getAttribute('data-playing'), { timeout: 10_000 }).toBe('true');
    expect(await media()).toEqual({ rate: 0.5, preservesPitch: false, paused: false });
    // Changed while playing: the playing element follows at once.
    await page.getByTestId('varispeed-input').fill('12');
    await expect.poll(async () => (await media()).rate).toBe(2);
    // Esc in the number box is the box's; out of it, Esc stops.
    await blurFocus(page);
    await page.keyboard.press('Escape');
    await expect.poll(() => card().getAttribute('data-playing')).toBe('false');

    // Reverse, slow and repeating (so it is surely still playing when looked at).
    await page.getByTestId('varispeed-input').fill('-12');
    await page.getByTestId('repeat-toggle').click();
    await page.getByTestId('reverse-toggle').click();
    expect(await transport.getAttribute('data-reverse')).toBe('true');
    await card().getByTestId('play-button').click();
    const deadline = Date.now() + 15_000;
    while ((await transport.getAttribute('data-reverse-playing')) !== takeId) {
      if (Date.now() > deadline) {
        const notices = await page.getByTestId('notice').allTextContents();
        throw new Error(`The reversed take did not play. Notices: ${notices.join(' | ') || 'none'}; page errors: ${studio.pageErrors.join(' | ') || 'none'}`);
      }
      await page.waitForTimeout(100);
    }
    // The whole 2.5 s take, reversed in a buffer at the audio context's rate; the element itself is silent.
    const frames = Number(await transport.getAttribute('data-reverse-frames'));
    const contextRate = await page.evaluate(() => new (globalThis as unknown as { AudioContext: new () => { sampleRate: number; close(): Promise<void> } }).AudioContext().sampleRate);
    expect(Math.abs(frames - 2.5 * contextRate)).toBeLessThan(contextRate * 0.01);
    expect((await media()).paused).toBe(true);
    expect(await card().getAttribute('data-playing')).toBe('true');
    await page.keyboard.press('Escape');
    await expect.poll(() => transport.getAttribute('data-reverse-playing')).toBe('');
    await page.getByTestId('reverse-toggle').click();
    await page.getByTestId('repeat-toggle').click();
    await page.getByTestId('varispeed-input').fill('0');
    await expect.poll(() => transport.getAttribute('data-rate')).toBe('1');
  }, 60_000);

  it('accessibility: skip links, one tab stop per tool row, regions from the keyboard, an always-editable seed', async () => {
    // The skip links are the first tab stops, before the top bar; the first takes focus to the takes.
    await page.locator('header.top .brand').click();
    const active = () => page.evaluate(() => (globalThis as unknown as { document: { activeElement: { dataset?: Record<string, string> } | null } }).document.activeElement?.dataset?.['testid'] ?? '');
    await page.keyboard.press('Shift+Tab');
    expect(await active()).toBe('skip-to-prompt');
    await page.keyboard.press('Shift+Tab');
    expect(await active()).toBe('skip-to-takes');
    await page.keyboard.press('Enter');
    expect(await active()).toBe('take-list');

    // A whole card from its first control to the next card: a handful of Tab presses.
    await card().locator('input[type="checkbox"]').first().focus();
    let stops = 1;
    for (; stops < 40; stops++) {
      await page.keyboard.press('Tab');
      const inside = await card().evaluate((el) => el.contains((el.ownerDocument as unknown as { activeElement: unknown }).activeElement as never));
      if (!inside) break;
    }
    expect(stops).toBeLessThanOrEqual(10);
    // Inside the tool row, ←/→ move between the tools (and do not seek).
    const tools = card().getByTestId('take-tools');
    await tools.locator('button[tabindex="0"]').focus();
    const first = await tools.locator('button[tabindex="0"]').textContent();
    await page.keyboard.press('ArrowRight');
    expect(await tools.locator('button[tabindex="0"]').textContent()).not.toBe(first);
    expect(await tools.locator('button[tabindex="0"]').evaluate((el) => el === (el.ownerDocument as unknown as { activeElement: unknown }).activeElement)).toBe(true);

    // A region from the keyboard: → moves the cursor 1 s, I sets the in point, → again, O the out point.
    await card().locator('.prompt').click();
    await blurFocus(page);
    // Each key waits for the transport clock to show where the cursor went.
    const clock = page.getByTestId('transport-clock');
    const audioAt = () =>
      card()
        .locator('audio')
        .evaluate((a) => (a as unknown as { currentTime: number }).currentTime);
    await page.keyboard.press('Shift+ArrowLeft');
    await expect.poll(() => clock.textContent()).toBe('0:00.00');
    await expect.poll(audioAt).toBe(0);
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => clock.textContent()).toBe('0:01.00');
    await expect.poll(audioAt).toBeCloseTo(1, 2);
    await page.keyboard.press('i');
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => clock.textContent()).toBe('0:02.00');
    await page.keyboard.press('o');
    const selection = card().getByTestId('take-selection');
    await selection.waitFor({ timeout: 5_000 });
    expect(Number(await selection.getAttribute('data-start'))).toBeCloseTo(1, 1);
    expect(Number(await selection.getAttribute('data-end'))).toBeCloseTo(2, 1);
    await card().getByRole('button', { name: 'Clear the region' }).click();

    // The seed is always editable: typing one uses it (Random seed unticks), emptying it goes back to random.
    const seed = page.getByTestId('seed-input');
    const random = page.getByTestId('seed-lock');
    expect(await seed.isEditable()).toBe(true);
    expect(await random.isChecked()).toBe(true);
    await seed.fill('42');
    expect(await random.isChecked()).toBe(false);
    await seed.fill('');
    expect(await random.isChecked()).toBe(true);
    await page.getByTestId('seed-roll').click();
    expect(Number(await seed.inputValue())).toBeGreaterThanOrEqual(0);
    expect(await random.isChecked()).toBe(false);
    await random.check();
  }, 60_000);

  it('axe-core finds no serious or critical violation: workspace with takes, library, settings (dark and light); borders and empty stars at 3:1', async () => {
    const check = async (where: string) => {
      const violations = await seriousAxeViolations(page);
      expect(violations, `${where}:\n${describeViolations(violations)}`).toEqual([]);
    };
    for (const theme of ['Dark', 'Light'] as const) {
      await page.getByTestId('settings-button').click();
      const panel = page.getByTestId('settings-panel');
      await panel.waitFor();
      await panel.getByRole('radio', { name: theme }).click();
      await expect
        .poll(() => page.evaluate(() => (globalThis as unknown as { document: { documentElement: { dataset: { theme?: string } } } }).document.documentElement.dataset.theme))
        .toBe(theme.toLowerCase());
      await page.waitForTimeout(300);
      await check(`settings (${theme})`);
      await page.keyboard.press('Escape');
      await panel.waitFor({ state: 'detached' });
      await page.getByTestId('view-workspace').click();
      await check(`workspace (${theme})`);
      expect(await contrastAgainstBackground(page.getByTestId('seconds-input'), 'border-top-color')).toBeGreaterThanOrEqual(3);
      expect(await contrastAgainstBackground(card().locator('.star:not(.on)').first(), 'color')).toBeGreaterThanOrEqual(3);
      await page.getByTestId('view-library').click();
      await page.getByTestId('library-row').first().waitFor({ timeout: 10_000 });
      await check(`library (${theme})`);
      await page.getByTestId('view-workspace').click();
    }
    await page.getByTestId('settings-button').click();
    await page.getByTestId('settings-panel').getByRole('radio', { name: 'Dark' }).click();
    await page.keyboard.press('Escape');
  }, 120_000);

  it('axe-core finds no serious or critical violation on the first-run screen', async () => {
    const bare = await startStudioWeb();
    const context = await studio.browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      const firstRun = await context.newPage();
      await firstRun.goto(bare.url);
      await firstRun.getByTestId('first-run').waitFor({ timeout: 60_000 });
      const violations = await seriousAxeViolations(firstRun);
      expect(violations, describeViolations(violations)).toEqual([]);
    } finally {
      await context.close();
      await bare.stop();
    }
  }, 120_000);
});
