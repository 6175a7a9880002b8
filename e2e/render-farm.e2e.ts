/**
 * The studio on a render farm (issue 15 item 2), in Debian's Chromium against the real browser-mode
 * server: a real redis-server (with a password) on a free loopback port and one
 * `npm run loa -- worker` child process on the tiny model. Settings → Render farm connects, the
 * Farm panel lists the worker, Generate runs on the farm, and the take comes back into the
 * workspace and the library.
 */
import type { Browser, Page } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TakeInfo } from '../src/shared/studio/studio-api.ts';
import { TINY_BUNDLE } from '../src/main/engine/testing/tiny-bundle.ts';
import { killAllWorkers, TestRedis, WorkerProcess } from '../src/main/farm/testing/redis-fixture.ts';
import { chromiumAvailable, CHROMIUM_PATH, launchChromium } from './support/chromium.ts';
import { runNewJob } from './support/page-actions.ts';
import { ensureRendererBuilt } from './support/renderer-build.ts';
import { callStudio } from './support/studio-rpc.ts';
import { startStudioWeb, type StudioWebProcess } from './support/studio-web.ts';
import { until } from './support/until.ts';

if (!chromiumAvailable) console.log(`[e2e] skipped: no Chromium at ${CHROMIUM_PATH} (apt-get install chromium, or set LOA_CHROMIUM)`);

const PASSWORD = 'e2e-farm-pass';

describe.skipIf(!chromiumAvailable)('render farm in the studio', () => {
  let cache: string;
  let redis: TestRedis;
  let server: StudioWebProcess;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    cache = mkdtempSync(join(tmpdir(), 'loa-e2e-farm-'));
    await ensureRendererBuilt();
    redis = await TestRedis.start({ password: PASSWORD });
    // The worker and the studio load their engines at the same time.
    [server] = await Promise.all([
      startStudioWeb({ model: TINY_BUNDLE }),
      WorkerProcess.start({ redisUrl: redis.url, model: TINY_BUNDLE, name: 'e2e-worker', cacheDir: cache, extra: ['--drain-seconds', '0'] }),
    ]);
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
    await page.goto(server.url);
    await until('the model to be ready', async () => (await page.getByTestId('model-status').getAttribute('data-state')) === 'ready', 120_000, 200);
  }, 300_000);

  afterAll(async () => {
    await browser?.close().catch(() => {});
    await killAllWorkers();
    await server?.stop();
    await redis?.stop();
    if (cache) rmSync(cache, { recursive: true, force: true });
  });

  it('connects in Settings, lists the worker, generates on the farm and files the take', async () => {
    await page.getByTestId('settings-button').click();
    await page.getByTestId('farm-url-input').fill(redis.url);
    await page.getByTestId('farm-connect').click();
    await until('the farm to connect', async () => (await page.getByTestId('farm-state').textContent()) === 'Connected', 15_000);
    // The password never comes back to the page: the field now holds the masked URL.
    expect(await page.getByTestId('farm-url-input').inputValue()).toBe(`redis://:***@127.0.0.1:${redis.port}/0`);
    expect(await page.content()).not.toContain(PASSWORD);
    await page.getByRole('button', { name: 'Close settings' }).click();

    const worker = page.getByTestId('farm-worker');
    await until('the worker in the Farm panel', async () => (await worker.count()) === 1, 15_000);
    expect(await worker.textContent()).toContain('e2e-worker');
    expect(await page.getByTestId('run-on').inputValue()).toBe('farm');

    await page.getByTestId('prompt-input').fill('farm thunder rumble');
    await page.getByTestId('seconds-input').fill('0.5');
    await page.getByTestId('steps-input').fill('2');
    await page.getByTestId('takes-input').fill('1');
    const jobId = await runNewJob(page, server, () => page.getByTestId('generate-button').click(), 120_000);
    expect(jobId).toMatch(/^farm-/);
    expect(await page.locator(`[data-testid="job-row"][data-job-id="${jobId}"] [data-testid="job-farm"]`).count()).toBe(1);

    const takes = (await callStudio(server.url, 'listTakes')) as TakeInfo[];
    const take = takes.find((t) => t.jobId === jobId);
    expect(take).toMatchObject({ params: { prompt: 'farm thunder rumble', steps: 2, seconds: 0.5 }, samples: 8000, device: 'cpu' });
    // In the workspace through the same 'take' event a local take comes by: as a card or a row.
    const shown = page.locator(`[data-testid="take-card"][data-take-id="${take!.id}"], [data-testid="take-row"][data-take-id="${take!.id}"]`);
    await until('the take in the workspace', async () => (await shown.count()) === 1, 10_000);
    await until('the worker to count the job', async () => (await worker.textContent())?.includes('1 done') ?? false, 10_000);
  }, 180_000);
});
