/**
 * Audio-to-audio end to end, the newcomer's story, in Debian's Chromium against the real
 * browser-mode server and the real engine on models/tiny: open a stereo WAV (file input) and drop
 * one (a real DataTransfer drop) on the reference lane → the waveform and spectrogram appear →
 * continue it by 1 s (seam marker, lineage line) → a 3 × 2 variation grid → regenerate a selected
 * region → a seamless loop (badge, loops when played) → a take sent back to the lane; a text file
 * named .wav shows the decoder's message. Screenshots go to e2e/.screenshots-out/ (e2e/screenshots/ with npm run screenshots).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, CHROMIUM_PATH } from './support/chromium.ts';
import { dropFile, writeTextAsWav, writeToneWav } from './support/reference-files.ts';
import { SCREENSHOTS } from './support/screenshots.ts';
import type { StudioWebProcess } from './support/studio-web.ts';
import { askForWords, blurFocus, runNewJob } from './support/page-actions.ts';
import { CARD_VIEW, openStudioPage, type StudioPage } from './support/studio-page.ts';
import { callStudio } from './support/studio-rpc.ts';
import type { JobInfo } from '../src/shared/studio/studio-api.ts';

const REFERENCE_SECONDS = 2;

if (!chromiumAvailable) console.log(`[e2e] skipped: no Chromium at ${CHROMIUM_PATH} (apt-get install chromium, or set LOA_CHROMIUM)`);

describe.skipIf(!chromiumAvailable)('reference lane (browser mode, real engine on models/tiny)', () => {
  let server: StudioWebProcess;
  let page: Page;
  let files: string;
  let pageErrors: string[] = [];
  let studio: StudioPage;
  let continueJob = '';

  const newJob = (start: () => Promise<void>) => runNewJob(page, server, start, 60_000);

  const cardsOf = (jobId: string): Locator => page.locator(`[data-testid="take-card"][data-job-id="${jobId}"]`);
  const duration = async (card: Locator) => Number(await card.getByTestId('take-waveform').getAttribute('data-duration'));
  const laneDuration = async () => Number(await page.getByTestId('reference-meta').getAttribute('data-duration'));

  beforeAll(async () => {
    files = mkdtempSync(join(tmpdir(), 'loa-e2e-ref-'));
    studio = await openStudioPage({ preferences: CARD_VIEW }); // these tests drive the full card
    ({ server, page, pageErrors } = studio);
  }, 240_000);

  afterAll(async () => {
    await studio?.close();
    if (files) rmSync(files, { recursive: true, force: true });
  });

  it('shows an empty lane that says what to drop, then opens a stereo WAV', async () => {
    const lane = page.getByTestId('reference-lane');
    expect(await lane.textContent()).toContain('Drop a sound file here (WAV, FLAC, MP3, OGG) or send a take with ⇧R');
    expect(await page.getByTestId('reference-drop').getAttribute('data-state')).toBe('empty');

    await page.getByTestId('reference-file-input').setInputFiles(writeToneWav(files, 'tone.wav', REFERENCE_SECONDS));
    await page.getByTestId('reference-waveform').waitFor({ timeout: 20_000 });
    // Downmixed and resampled to the model's rate: 2 s of 16 kHz mono.
    expect(await laneDuration()).toBeCloseTo(REFERENCE_SECONDS, 2);
    const spectrogram = page.getByTestId('reference-spectrogram');
    await expect.poll(() => spectrogram.getAttribute('data-state'), { timeout: 15_000 }).toBe('ready');
    expect(await page.getByTestId('reference-waveform').getAttribute('data-decoded-rate')).toBe(await spectrogram.getAttribute('data-sample-rate'));
    expect(await page.getByTestId('reference-picker').inputValue()).toBe(await lane.getAttribute('data-reference-id'));
  }, 40_000);

  it('imports a file dropped on the lane, and explains a text file named .wav', async () => {
    const lane = page.getByTestId('reference-lane');
    const first = await lane.getAttribute('data-reference-id');
    await dropFile(page, '[data-testid="reference-drop"]', 'dropped tone.wav', readFileSync(writeToneWav(files, 'dropped.wav', REFERENCE_SECONDS)));
    await expect.poll(() => lane.getAttribute('data-reference-id'), { timeout: 20_000 }).not.toBe(first);
    expect(await page.getByTestId('reference-picker').locator('option').count()).toBe(2);
    expect(await page.getByTestId('reference-picker').locator('option:checked').textContent()).toContain('dropped tone.wav');

    await dropFile(page, '[data-testid="reference-drop"]', 'notes.wav', readFileSync(writeTextAsWav(files, 'notes.wav')));
    const error = page.getByTestId('reference-error');
    await error.waitFor({ timeout: 10_000 });
    const text = (await error.textContent()) ?? '';
    expect(text).toContain('"notes.wav" is not in a format LOA Studio reads: it looks like text');
    expect(text).toContain('Convert the file'); // the hint, under the message
    // The failed import leaves the lane's reference alone.
    await page.getByTestId('reference-waveform').waitFor();
    expect(await page.getByTestId('reference-picker').locator('option').count()).toBe(2);
  }, 40_000);

  it('describes the reference in words CLAP picks, and a click adds one to the prompt', async () => {
    const input = page.getByTestId('prompt-input');
    await input.fill('');
    const words = await askForWords(page, { button: 'describe-button', panel: 'describe-words', chip: 'describe-word' });
    const panel = page.getByTestId('describe-words');
    expect(words).toHaveLength(8);
    expect(new Set(words).size).toBe(8);
    const chip = (word: string) => page.locator(`[data-testid="describe-word"][data-word="${word}"]`);
    await chip(words[0]).click();
    expect(await input.inputValue()).toBe(words[0]);
    await chip(words[1]).click();
    await chip(words[0]).click(); // already there: not added twice
    expect(await input.inputValue()).toBe(`${words[0]}, ${words[1]}`);
    expect(await chip(words[1]).getAttribute('aria-pressed')).toBe('true');
    expect(await chip(words[2]).getAttribute('aria-pressed')).toBe('false');
    await page.screenshot({ path: join(SCREENSHOTS, 'reference-describe.png') });
    // Another reference in the lane: the words were for the other sound, so they go.
    await page.getByTestId('reference-picker').selectOption({ index: 1 });
    await expect.poll(() => panel.getAttribute('data-state')).toBe('idle');
    await page.getByTestId('reference-picker').selectOption({ index: 0 });
  }, 60_000);

  it('continues the reference by 1 s with exactly the settings the lane shows: a longer take with its seam and lineage', async () => {
    await page.getByTestId('prompt-input').fill('rain on a tin roof');
    // The left panel's numbers are not on screen beside the lane, so they must not steer it (issue 13 item 9).
    await page.getByTestId('takes-input').fill('4');
    await page.getByTestId('steps-input').fill('9');
    expect(await page.getByTestId('lane-prompt').textContent()).toBe('“rain on a tin roof”');
    await page.getByTestId('lane-steps').fill('3');
    await page.getByTestId('lane-guidance').fill('2.5');
    expect(await page.getByTestId('lane-takes').inputValue()).toBe('1');
    await page.getByTestId('lane-seed').fill('4242');
    expect(await page.getByTestId('lane-scheduler').textContent()).toContain('DDIM');
    await page.getByTestId('continue-seconds').fill('1');
    expect(await page.getByTestId('crossfade-ms').inputValue()).toBe('50');
    expect(await page.getByTestId('continue-button').getAttribute('title')).toContain('3 steps DDIM, guidance 2.5, 1 take, seed 4242');
    // An out-of-range lane field is named with its range and holds the button back.
    await page.getByTestId('lane-takes').fill('40');
    expect(await page.getByTestId('lane-problems').textContent()).toBe('Takes must be a whole number from 1 to 16 (not 40).');
    expect(await page.getByTestId('continue-button').isDisabled()).toBe(true);
    await page.getByTestId('lane-takes').fill('1');
    const jobId = await newJob(() => page.getByTestId('continue-button').click());
    continueJob = jobId;
    // What main ran is what the lane showed, not the left panel's 4 takes and 9 steps.
    const job = ((await callStudio(server.url, 'listJobs')) as JobInfo[]).find((j) => j.jobId === jobId);
    expect(job?.params).toMatchObject({ op: 'continue', prompt: 'rain on a tin roof', steps: 3, guidance: 2.5, takes: 1, seed: 4242, scheduler: 'ddim', seconds: 1, crossfadeMs: 50 });
    expect(job?.takeIds).toHaveLength(1);
    await page.getByTestId('takes-input').fill('1');
    await page.getByTestId('lane-seed').fill('');
    expect(await page.locator(`[data-job-id="${jobId}"] [data-testid="job-op"]`).textContent()).toBe('continue +1 s');
    const card = cardsOf(jobId).first();
    await card.waitFor({ timeout: 10_000 });
    expect(await duration(card)).toBeCloseTo(REFERENCE_SECONDS + 1, 1);
    // The seam sits where the reference ended.
    expect(await card.getByTestId('take-waveform').getAttribute('data-markers')).toBe(REFERENCE_SECONDS.toFixed(3));
    const lineage = card.getByTestId('take-lineage');
    const seed = await card.getByTestId('take-seed').textContent();
    expect((await lineage.textContent())?.replace(/\s+/g, ' ').trim()).toBe(`↳ continued from dropped tone.wav · +1 s · seed ${seed}`);
    // The name selects that reference in the lane.
    await page.getByTestId('reference-picker').selectOption({ index: 1 });
    await lineage.getByTestId('lineage-reference').click();
    expect(await page.getByTestId('reference-picker').locator('option:checked').textContent()).toContain('dropped tone.wav');
  }, 60_000);

  it('makes a 3 × 2 variation grid and moves through it with the arrow keys', async () => {
    await page.getByTestId('steps-input').fill('4');
    await page.getByTestId('grid-toggle').click();
    await page.getByTestId('grid-strengths').fill('0.25, 0.5, 0.75');
    await page.getByTestId('grid-seeds').fill('2');
    const jobId = await newJob(() => page.getByTestId('vary-button').click());
    const grid = page.locator(`[data-testid="variation-grid"][data-job-id="${jobId}"]`);
    const cells = grid.getByTestId('grid-cell');
    await expect.poll(() => cells.count(), { timeout: 10_000 }).toBe(6);
    expect(await cells.evaluateAll((all) => all.map((c) => (c as unknown as { dataset: { strength: string } }).dataset.strength))).toEqual(['0.25', '0.25', '0.5', '0.5', '0.75', '0.75']);

    // Click plays a cell; → moves to the next seed and ↓ to the next strength.
    const cell = (strength: string, column: number) => grid.locator(`[data-testid="grid-cell"][data-strength="${strength}"]`).nth(column);
    await cell('0.25', 0).click();
    await expect.poll(() => cell('0.25', 0).getAttribute('data-playing'), { timeout: 5_000 }).toBe('true');
    await page.keyboard.press('Escape');
    await blurFocus(page);
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => cell('0.25', 1).getAttribute('data-selected')).toBe('true');
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => cell('0.5', 1).getAttribute('data-selected')).toBe('true');
    await page.keyboard.press('Space');
    await expect.poll(() => cell('0.5', 1).getAttribute('data-playing'), { timeout: 5_000 }).toBe('true');
    await page.keyboard.press('Escape');
    // With auto-play on, a move auditions the cell it lands on.
    await page.getByTestId('autoplay-toggle').click();
    await blurFocus(page);
    await page.keyboard.press('ArrowLeft');
    await expect.poll(() => cell('0.5', 0).getAttribute('data-playing'), { timeout: 5_000 }).toBe('true');
    await page.keyboard.press('Escape');
    await page.getByTestId('autoplay-toggle').click();
    await blurFocus(page);
    await grid.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SCREENSHOTS, 'variation-grid.png') });
    await page.getByTestId('grid-toggle').click();

    // In the library each grid take's row names its own strength (issue 13), not the whole grid's.
    await page.getByTestId('view-library').click();
    await page.getByTestId('library-list').waitFor();
    const varyBadges = async () => (await page.getByTestId('library-row-op').allTextContents()).filter((t) => t.startsWith('vary')).sort();
    await expect.poll(varyBadges, { timeout: 15_000 }).toEqual(['vary 0.25', 'vary 0.25', 'vary 0.5', 'vary 0.5', 'vary 0.75', 'vary 0.75']);
    await page.getByTestId('view-workspace').click();
    await page.getByTestId('reference-lane').waitFor();
  }, 90_000);

  it('regenerates a region selected on the reference: a take of the same length', async () => {
    const wave = page.getByTestId('reference-waveform');
    const box = (await wave.boundingBox())!;
    const y = box.y + 30;
    await page.mouse.move(box.x + box.width * 0.25, y);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.45, y, { steps: 4 });
    await page.mouse.move(box.x + box.width * 0.6, y, { steps: 4 });
    await page.mouse.up();
    const selection = page.getByTestId('reference-selection');
    await selection.waitFor({ timeout: 5_000 });
    const from = Number(await selection.getAttribute('data-start'));
    expect(from).toBeGreaterThan(REFERENCE_SECONDS * 0.25 - 0.15);
    expect(from).toBeLessThan(REFERENCE_SECONDS * 0.25 + 0.15);
    await page.screenshot({ path: join(SCREENSHOTS, 'reference-lane.png') });

    const jobId = await newJob(() => page.getByTestId('regenerate-region-button').click());
    const card = cardsOf(jobId).first();
    await card.waitFor({ timeout: 10_000 });
    expect(await duration(card)).toBeCloseTo(await laneDuration(), 2);
    expect(await card.getByTestId('take-lineage').getAttribute('data-op')).toBe('inpaint');
    expect((await card.getByTestId('take-waveform').getAttribute('data-markers'))?.split(' ')).toHaveLength(2);
  }, 60_000);

  it('makes a seamless loop that shows its badge and loops when played', async () => {
    expect(await page.getByTestId('make-loop-button').textContent()).toBe('Make loop');
    const jobId = await newJob(() => page.getByTestId('make-loop-button').click());
    const card = cardsOf(jobId).first();
    await card.waitFor({ timeout: 10_000 });
    await card.getByTestId('loop-badge').waitFor();
    // Repeat (L) is off: the take loops because it is a loop.
    expect(await page.getByTestId('repeat-toggle').getAttribute('aria-pressed')).toBe('false');
    await card.getByTestId('play-button').click();
    await expect.poll(() => card.getAttribute('data-playing'), { timeout: 5_000 }).toBe('true');
    expect(await card.locator('audio').evaluate((a) => (a as unknown as { loop: boolean }).loop)).toBe(true);
    await page.keyboard.press('Escape');
  }, 60_000);

  it('keys: R re-runs a transform with a new seed, ⇧R sends a take to the lane, C continues, never while typing', async () => {
    const original = cardsOf(continueJob).first();
    const seed = Number(await original.getByTestId('take-seed').textContent());
    await original.locator('.prompt').click();
    await blurFocus(page);
    const again = await newJob(() => page.keyboard.press('r'));
    const card = cardsOf(again).first();
    await card.waitFor({ timeout: 10_000 });
    expect(await card.getByTestId('op-badge').textContent()).toBe('continue +1 s');
    expect(await duration(card)).toBeCloseTo(REFERENCE_SECONDS + 1, 1);
    expect(Number(await card.getByTestId('take-seed').textContent())).not.toBe(seed);

    // ⇧R: the selected take becomes the reference.
    const lane = page.getByTestId('reference-lane');
    const before = await lane.getAttribute('data-reference-id');
    await card.locator('.prompt').click();
    await blurFocus(page);
    await page.keyboard.press('Shift+R');
    await expect.poll(() => lane.getAttribute('data-reference-id'), { timeout: 10_000 }).not.toBe(before);
    expect(await page.getByTestId('reference-picker').locator('option:checked').textContent()).toMatch(/^take 1 of “rain on a tin roof”/);
    expect(await laneDuration()).toBeCloseTo(REFERENCE_SECONDS + 1, 1);

    // Typing C and V in the prompt is text, not a job.
    const jobs = await page.getByTestId('job-row').count();
    const prompt = page.getByTestId('prompt-input');
    await prompt.click();
    await prompt.press('End');
    await page.keyboard.type(' cv');
    await page.waitForTimeout(300);
    expect(await prompt.inputValue()).toBe('rain on a tin roof cv');
    expect(await page.getByTestId('job-row').count()).toBe(jobs);
    await prompt.fill('rain on a tin roof');

    // C outside a text field continues the new reference.
    await blurFocus(page);
    const continued = await newJob(() => page.keyboard.press('c'));
    const longer = cardsOf(continued).first();
    await longer.waitFor({ timeout: 10_000 });
    expect(await duration(longer)).toBeCloseTo(REFERENCE_SECONDS + 2, 1);

    // "Use as ref" on a card does the same as ⇧R.
    const current = await lane.getAttribute('data-reference-id');
    await longer.getByTestId('use-as-reference').click();
    await expect.poll(() => lane.getAttribute('data-reference-id'), { timeout: 10_000 }).not.toBe(current);
  }, 60_000);

  it('finds the library takes that sound like the reference, closest first', async () => {
    const referenceId = await page.getByTestId('reference-lane').getAttribute('data-reference-id');
    await page.getByTestId('find-like-reference').click();
    const banner = page.getByTestId('similar-banner');
    await banner.waitFor({ timeout: 10_000 });
    expect(await banner.getAttribute('data-reference-id')).toBe(referenceId);
    expect(await banner.textContent()).toContain('Sounds like the reference');
    const rows = page.getByTestId('library-row');
    // Rows of an earlier visit to the library may still be listed: wait for the ranked ones.
    await expect
      .poll(() => rows.evaluateAll((all) => all.length > 1 && all.every((r) => (r as unknown as { dataset: { similarity?: string } }).dataset.similarity !== undefined)), { timeout: 15_000 })
      .toBe(true);
    const scores = await rows.evaluateAll((all) => all.map((r) => Number((r as unknown as { dataset: { similarity: string } }).dataset.similarity)));
    for (const score of scores) expect(Math.abs(score)).toBeLessThanOrEqual(1);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    await page.getByTestId('similar-back').click();
    await banner.waitFor({ state: 'detached' });
    await page.getByTestId('view-workspace').click();
  }, 60_000);

  it('ran without page errors or CSP violations', async () => {
    const violations = await studio.cspViolations();
    expect(violations).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
