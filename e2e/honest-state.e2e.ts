/**
 * The studio never says one thing and does another (issue 13 items 5 and 6), in Debian's Chromium
 * against the real browser-mode server and engine on models/tiny:
 * - out-of-range numbers stay as typed, are marked invalid with their range, and keep Generate
 *   disabled; once valid, the job main runs has exactly the numbers on screen;
 * - the server killed mid-job: the job reads interrupted, Generate is off, the page says what to do;
 *   restarted with the same config it prints the same link and the open tab reconnects and works;
 *   restarted with a new token, the new link pasted into the same tab reconnects it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobInfo } from '../src/shared/studio/studio-api.ts';
import { chromiumAvailable, CHROMIUM_PATH, launchChromium } from './support/chromium.ts';
import { runNewJob } from './support/page-actions.ts';
import { ensureRendererBuilt, REPO_ROOT } from './support/renderer-build.ts';
import { SCREENSHOTS } from './support/screenshots.ts';
import { callStudio } from './support/studio-rpc.ts';
import { startStudioWeb, type StudioWebProcess } from './support/studio-web.ts';
import { until } from './support/until.ts';

if (!chromiumAvailable) console.log(`[e2e] skipped: no Chromium at ${CHROMIUM_PATH} (apt-get install chromium, or set LOA_CHROMIUM)`);

const MODEL = join(REPO_ROOT, 'models', 'tiny');

describe.skipIf(!chromiumAvailable)('honest state: no silent changes, a lost server shown as lost', () => {
  let dirs: string;
  let server: StudioWebProcess;
  let browser: Browser;
  let page: Page;
  let port = 0;
  const pageErrors: string[] = [];

  const start = (options: { newToken?: boolean } = {}) => startStudioWeb({ model: MODEL, config: join(dirs, 'config'), library: join(dirs, 'library'), ...(port ? { port } : {}), ...options });
  const modelReady = () => until('the model to be ready', async () => (await page.getByTestId('model-status').getAttribute('data-state')) === 'ready', 90_000, 200);
  const generate = (p: Page) => p.getByTestId('generate-button');
  const problems = () => page.getByTestId('field-problems').locator('li').allTextContents();
  const jobOnServer = async (jobId: string) => ((await callStudio(server.url, 'listJobs')) as JobInfo[]).find((j) => j.jobId === jobId);

  beforeAll(async () => {
    await ensureRendererBuilt();
    dirs = mkdtempSync(join(tmpdir(), 'loa-e2e-honest-'));
    server = await start();
    port = Number(new URL(server.url).port);
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 });
    page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(server.url);
    await modelReady();
  }, 240_000);

  afterAll(async () => {
    await browser?.close().catch(() => {});
    await server?.stop();
    if (dirs) rmSync(dirs, { recursive: true, force: true });
  });

  it('keeps out-of-range numbers as typed, names their ranges, and keeps Generate disabled until they are valid', async () => {
    await page.getByTestId('prompt-input').fill('door slam, large hall');
    await page.getByTestId('takes-input').fill('1000');
    await page.getByTestId('seconds-input').fill('999');
    await page.getByTestId('guidance-input').fill('-50');
    await page.getByTestId('seed-lock').click();
    await page.getByTestId('seed-input').fill('-1');

    expect(await problems()).toEqual([
      'Length must be a number from 0.5 to 30 (not 999).',
      'Guidance must be a number from 1 to 30 (not -50).',
      'Takes must be a whole number from 1 to 16 (not 1000).',
      `Seed must be a whole number from 0 to ${Number.MAX_SAFE_INTEGER} (not -1).`,
    ]);
    for (const field of ['takes-input', 'seconds-input', 'guidance-input', 'seed-input']) {
      expect(await page.getByTestId(field).getAttribute('aria-invalid')).toBe('true');
    }
    // Nothing was clamped: the fields still hold what was typed.
    expect(await page.getByTestId('takes-input').inputValue()).toBe('1000');
    expect(await generate(page).isDisabled()).toBe(true);
    expect((await generate(page).textContent())?.trim()).toBe('Generate');
    // Ctrl+Enter is refused too, and says why.
    const jobsBefore = await page.getByTestId('job-row').count();
    await page.getByTestId('prompt-input').press('Control+Enter');
    await page.getByText('Nothing was generated: correct the field marked in red').waitFor({ timeout: 5_000 });
    expect(await page.getByTestId('job-row').count()).toBe(jobsBefore);

    await page.getByTestId('takes-input').fill('0');
    expect(await problems()).toContain('Takes must be a whole number from 1 to 16 (not 0).');

    await page.getByTestId('takes-input').fill('3');
    await page.getByTestId('seconds-input').fill('1');
    await page.getByTestId('guidance-input').fill('1');
    await page.getByTestId('steps-input').fill('2');
    await page.getByTestId('seed-input').fill('77');
    await page.getByTestId('field-problems').waitFor({ state: 'detached', timeout: 5_000 });
    expect(await page.getByTestId('takes-input').getAttribute('aria-invalid')).toBe('false');
    expect((await generate(page).textContent())?.trim()).toBe('Generate 3 takes');
    const jobId = await runNewJob(page, server, () => generate(page).click(), 60_000);
    // Main ran exactly what the page showed.
    const job = await jobOnServer(jobId);
    expect(job?.params).toMatchObject({ takes: 3, seconds: 1, guidance: 1, steps: 2, seed: 77 });
    expect(job?.takeIds).toHaveLength(3);
  }, 180_000);

  it('marks the running job interrupted when the server dies, turns Generate off and says what to do', async () => {
    // Long enough to still be running when the server is killed.
    await page.getByTestId('takes-input').fill('16');
    await page.getByTestId('steps-input').fill('999');
    await page.getByTestId('seconds-input').fill('30');
    const before = await page.getByTestId('job-row').evaluateAll((rows) => rows.map((r) => (r as unknown as { dataset: { jobId: string } }).dataset.jobId));
    await generate(page).click();
    const jobId = await until(
      'the long job to run',
      async () => {
        const running = page.locator('[data-testid="job-row"][data-state="running"]');
        const id = (await running.count()) ? await running.first().getAttribute('data-job-id') : null;
        return id && !before.includes(id) ? id : null;
      },
      20_000,
    );
    await server.kill();

    const row = page.locator(`[data-testid="job-row"][data-job-id="${jobId}"]`);
    await until('the job to read interrupted', async () => (await row.getAttribute('data-state')) === 'interrupted', 15_000);
    expect(await row.textContent()).toContain('Interrupted: the studio server stopped while this job ran.');
    const lost = page.getByTestId('server-lost');
    await lost.waitFor({ timeout: 5_000 });
    expect(await lost.textContent()).toContain('1 job was interrupted');
    expect(await page.getByTestId('server-lost-hint').textContent()).toContain('this tab reconnects by itself');
    expect(await page.getByTestId('server-lost-hint').getAttribute('data-new-link')).toBeNull();
    expect(await generate(page).isDisabled()).toBe(true);
    expect(await page.getByTestId('model-status').textContent()).toContain('server lost');
    await page.screenshot({ path: join(SCREENSHOTS, 'server-lost.png') });
  }, 60_000);

  it('reconnects the same tab when the server restarts with the same config: same link, same token', async () => {
    const oldUrl = server.url;
    server = await start();
    expect(server.url).toBe(oldUrl);
    await page.getByTestId('server-lost').waitFor({ state: 'detached', timeout: 90_000 });
    await modelReady();
    // The interrupted job stays listed as interrupted: the new server never knew it.
    expect(await page.locator('[data-testid="job-row"][data-state="interrupted"]').count()).toBe(1);
    await page.getByTestId('takes-input').fill('1');
    await page.getByTestId('steps-input').fill('2');
    await page.getByTestId('seconds-input').fill('1');
    const jobId = await runNewJob(page, server, () => generate(page).click(), 60_000);
    expect((await jobOnServer(jobId))?.takeIds).toHaveLength(1);
  }, 300_000);

  it('takes a new link pasted into the same tab after a restart with a new token', async () => {
    await page.evaluate(() => ((globalThis as unknown as { __samePage: boolean }).__samePage = true));
    await server.kill();
    await page.getByTestId('server-lost').waitFor({ timeout: 15_000 });
    const oldUrl = server.url;
    server = await start({ newToken: true });
    expect(server.url).not.toBe(oldUrl);
    // The old token is refused: the tab keeps knocking until it gets the new link.
    await until('the server to refuse the old token', async () => server.log().includes('bad token'), 30_000, 100);
    // The page finds out that the studio is back with another link, and asks for it.
    const hint = page.getByTestId('server-lost-hint');
    await until('the page to ask for the new link', async () => (await hint.getAttribute('data-new-link')) === 'true', 30_000, 100);
    expect(await hint.textContent()).toContain('paste the link it printed');
    // Nothing was running this time: the job interrupted by the first loss is not counted again.
    expect(await page.getByTestId('server-lost-jobs').textContent()).not.toContain('interrupted');
    await page.screenshot({ path: join(SCREENSHOTS, 'server-new-link.png') });
    await page.goto(server.url); // only the fragment changes: the same document, a hashchange
    await page.getByTestId('server-lost').waitFor({ state: 'detached', timeout: 90_000 });
    expect(await page.evaluate(() => (globalThis as unknown as { __samePage?: boolean }).__samePage)).toBe(true);
    await modelReady();
    const jobId = await runNewJob(page, server, () => generate(page).click(), 60_000);
    expect((await jobOnServer(jobId))?.state).toBe('done');
    expect(pageErrors).toEqual([]);
  }, 300_000);
});
