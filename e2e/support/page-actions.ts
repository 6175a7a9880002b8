/**
 * Things every studio e2e does to its page: take the focus off a field (so audition keys reach the
 * app), and start a job and wait for it to finish, failing with the job's text and the server log.
 */
import type { Page } from 'playwright-core';
import type { StudioWebProcess } from './studio-web.ts';
import { until } from './until.ts';

export function blurFocus(page: Page): Promise<void> {
  return page.evaluate(() => (globalThis as unknown as { document: { activeElement: { blur?: () => void } | null } }).document.activeElement?.blur?.());
}

function jobIds(page: Page): Promise<string[]> {
  return page.getByTestId('job-row').evaluateAll((rows) => rows.map((r) => (r as unknown as { dataset: { jobId: string } }).dataset.jobId));
}

/** Runs `start` and returns the id of the job it added, once that job is done. */
export async function runNewJob(page: Page, server: StudioWebProcess, start: () => Promise<void>, timeoutMs = 90_000): Promise<string> {
  const before = await jobIds(page);
  await start();
  const jobId = await until('a new job', async () => (await jobIds(page)).find((id) => !before.includes(id)), 10_000);
  const row = page.locator(`[data-testid="job-row"][data-job-id="${jobId}"]`);
  await until(
    'the job to finish',
    async () => {
      const state = await row.getAttribute('data-state');
      if (state === 'failed' || state === 'cancelled') throw new Error(`The job ${state}: ${await row.textContent()}\n${server.log().slice(-2000)}`);
      return state === 'done';
    },
    timeoutMs,
    100,
  );
  return jobId;
}

/** Clicks `button` (Describe, Suggest tags), waits until `panel` is ready, and returns the words its `chip`s offer. */
export async function askForWords(page: Page, ids: { button: string; panel: string; chip: string }): Promise<string[]> {
  const panel = page.getByTestId(ids.panel);
  if ((await panel.getAttribute('data-state')) !== 'idle') throw new Error(`${ids.panel} is not idle before ${ids.button} is clicked`);
  await page.getByTestId(ids.button).click();
  await until(`${ids.panel} to be ready`, async () => (await panel.getAttribute('data-state')) === 'ready', 30_000);
  return page.getByTestId(ids.chip).evaluateAll((all) => all.map((w) => (w as unknown as { dataset: { word: string } }).dataset.word));
}
