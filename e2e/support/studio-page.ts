/**
 * One browser-mode studio page for an e2e file: the real server on models/tiny, Debian Chromium at
 * 1440×900, page errors and CSP violations recorded from the first script on, and the model ready.
 */
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from './chromium.ts';
import { ensureRendererBuilt, REPO_ROOT } from './renderer-build.ts';
import { startStudioWeb, type StudioWebProcess } from './studio-web.ts';
import { until } from './until.ts';

export interface StudioPage {
  server: StudioWebProcess;
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** Uncaught errors in the page, as they happen. */
  pageErrors: string[];
  /** CSP violations the page reported so far. */
  cspViolations(): Promise<string[]>;
  close(): Promise<void>;
}

/**
 * View preferences the page starts with (lib/preferences.ts): the tests written for take cards ask
 * for the cards view and no auto-play; unset, the page has the studio's own defaults.
 */
export interface StudioPreferences {
  takeView?: 'rows' | 'cards';
  autoPlay?: boolean;
}

/** The cards view without auto-play: what the card-level tests (waveform, regions, A/B) drive. */
export const CARD_VIEW: StudioPreferences = { takeView: 'cards', autoPlay: false };

/**
 * `allowRoots`: server folders the page may name (folder import); none by default, as in production.
 * `library`: a library folder made beforehand (a temp one by default).
 */
export async function openStudioPage(options: { allowRoots?: string[]; preferences?: StudioPreferences; library?: string } = {}): Promise<StudioPage> {
  await ensureRendererBuilt();
  const server = await startStudioWeb({ model: join(REPO_ROOT, 'models', 'tiny'), allowRoots: options.allowRoots, library: options.library });
  const browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 });
  await context.addInitScript(() => {
    type Violation = { violatedDirective: string; blockedURI: string };
    const w = globalThis as unknown as { __cspViolations: string[]; document: { addEventListener(type: string, listener: (e: Violation) => void): void } };
    w.__cspViolations = [];
    w.document.addEventListener('securitypolicyviolation', (e) => w.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  if (options.preferences) {
    const entries = Object.entries({ 'loa.takeView': options.preferences.takeView, 'loa.autoPlay': options.preferences.autoPlay }).filter(([, v]) => v !== undefined);
    await context.addInitScript(
      (pairs: [string, string][]) => {
        const storage = (globalThis as unknown as { localStorage: { setItem(k: string, v: string): void } }).localStorage;
        for (const [key, value] of pairs) storage.setItem(key, value);
      },
      entries.map(([k, v]) => [k, String(v)] as [string, string]),
    );
  }
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.goto(server.url);
  await until('the model to be ready', async () => (await page.getByTestId('model-status').getAttribute('data-state')) === 'ready', 90_000, 200);
  return {
    server,
    browser,
    context,
    page,
    pageErrors,
    cspViolations: () => page.evaluate(() => (globalThis as unknown as { __cspViolations: string[] }).__cspViolations),
    close: async () => {
      await context.close().catch(() => {});
      await browser.close().catch(() => {});
      await server.stop();
    },
  };
}
