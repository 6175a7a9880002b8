/**
 * Install from the Hub in the studio (issue 11 items 5 and 6): browser mode pointed at the local
 * Hub stand-in (models/tiny served as cvssp/audioldm2 with the Hub's URL layout and API answers)
 * and at a temp Hugging Face cache. The first-run screen leads with the catalogue; the licence
 * must be ticked before Install; progress shows bytes, rate and ETA, then the build; the studio
 * is ready and generates a take. Settings → Models lists the model in use with its licence. A
 * snapshot already in the cache is offered first and used with no download at all.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HubStandIn } from '../src/main/models-hub/testing/hub-stand-in.ts';
import { writeHfSnapshot } from '../src/main/models-hub/testing/hf-cache-writer.ts';
import { chromiumAvailable, CHROMIUM_PATH, launchChromium } from './support/chromium.ts';
import { runNewJob } from './support/page-actions.ts';
import { ensureRendererBuilt, REPO_ROOT } from './support/renderer-build.ts';
import { SCREENSHOTS } from './support/screenshots.ts';
import { startStudioWeb, type StudioWebProcess } from './support/studio-web.ts';
import { until } from './support/until.ts';

const TINY = join(REPO_ROOT, 'models', 'tiny');
const REPO = 'cvssp/audioldm2';
const COMMIT = createHash('sha1').update('hub-install e2e').digest('hex');
const MUSIC = 'cvssp/audioldm2-music';
const MUSIC_COMMIT = createHash('sha1').update('hub-install e2e music').digest('hex');
/** The engine is benchmarked on the same CPUs while these run: be generous. */
const LOAD_MS = 240_000;

if (!chromiumAvailable) console.log(`[e2e] skipped: no Chromium at ${CHROMIUM_PATH} (apt-get install chromium, or set LOA_CHROMIUM)`);

describe.skipIf(!chromiumAvailable)('install from the Hub (browser mode, local Hub stand-in)', () => {
  let browser: Browser;
  let hub: HubStandIn | undefined;
  let server: StudioWebProcess | undefined;
  let page: Page;
  let cacheDir: string;
  const pageErrors: string[] = [];

  async function open(): Promise<void> {
    server = await startStudioWeb({ hubUrl: hub!.url, hfCache: cacheDir });
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 });
    page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(server.url);
    await page.getByTestId('first-run').waitFor({ timeout: 60_000 });
    await page.getByTestId('model-catalogue').waitFor({ timeout: 30_000 });
  }

  beforeAll(async () => {
    await ensureRendererBuilt();
    browser = await launchChromium();
  }, 300_000);

  afterEach(async () => {
    await page?.context().close();
    await server?.stop();
    await hub?.close();
    rmSync(cacheDir, { recursive: true, force: true });
    server = undefined;
    hub = undefined;
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('installs AudioLDM 2 from the first-run catalogue (licence accepted, progress, build), then generates', async () => {
    cacheDir = mkdtempSync(join(tmpdir(), 'loa-e2e-hf-'));
    // Slow enough that the progress is there to see, fast enough for a test.
    hub = await HubStandIn.start([{ repo: REPO, dir: TINY, commit: COMMIT }], { bytesPerSecond: 2_000_000 });
    await open();

    // One card per catalogue entry, sizes honest, Install only once the licence is accepted.
    for (const slug of ['cvssp-audioldm2', 'cvssp-audioldm2-large', 'cvssp-audioldm2-music']) {
      await page.getByTestId(`catalogue-card-${slug}`).waitFor();
      expect(await page.getByTestId(`catalogue-size-${slug}`).textContent()).toContain('size unknown');
    }
    const card = page.getByTestId('catalogue-card-cvssp-audioldm2');
    expect(await card.textContent()).toContain('CC-BY-NC-SA-4.0');
    expect(await card.textContent()).toMatch(/Non-commercial/);
    const install = page.getByTestId('catalogue-install-cvssp-audioldm2');
    expect(await install.isDisabled()).toBe(true);
    // The older ways in stay, below.
    await page.getByTestId('import-path-input').waitFor();
    await page.getByTestId('build-command').waitFor();
    expect(hub.requests.length).toBe(0); // nothing asked of the Hub before Install
    await page.getByTestId('catalogue-accept-cvssp-audioldm2').check();
    expect(await install.isDisabled()).toBe(false);
    await page.screenshot({ path: join(SCREENSHOTS, 'first-run-catalogue.png') });

    await install.click();
    const progress = page.getByTestId('install-progress');
    await progress.waitFor({ timeout: 30_000 });
    // Bytes, rate and ETA while downloading, overall and for the file.
    await page.getByTestId('install-overall').waitFor({ timeout: 60_000 });
    await until(
      'a rate and time left',
      async () => {
        const text = (
          (await page
            .getByTestId('install-overall-text')
            .textContent({ timeout: 1000 })
            .catch(() => '')) ?? ''
        ).replace(/\s+/g, ' ');
        return /of .*\/s.*left/.test(text) && !text.includes('– /s') ? text : null;
      },
      60_000,
      100,
    );
    await page.getByTestId('install-file').waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'first-run-installing.png') });

    // Cancel keeps what was fetched; Install again picks up from there.
    const sentBeforeCancel = hub.downloads().reduce((n, r) => n + r.sent, 0);
    await page.getByTestId('install-cancel').click();
    await until('the install to be cancelled', async () => (await progress.getAttribute('data-phase')) === 'cancelled', 30_000, 100);
    expect(await page.getByTestId('install-phase').textContent()).toMatch(/stays in the cache.*resumes/);
    expect(await page.getByTestId('first-run').count()).toBe(1);
    expect(sentBeforeCancel).toBeGreaterThan(0);
    const requestsBefore = hub.requests.length;
    await install.click();

    // Then the build, then the workspace with the model ready.
    await until(
      'the build stage',
      async () => ['building', 'loading', 'done'].includes((await progress.getAttribute('data-phase').catch(() => null)) ?? '') || (await page.getByTestId('prompt-input').count()) > 0,
      LOAD_MS,
      100,
    );
    await page.getByTestId('prompt-input').waitFor({ timeout: LOAD_MS });
    await until('the model to be ready', async () => (await page.getByTestId('model-status').getAttribute('data-state')) === 'ready', LOAD_MS, 200);
    expect(await page.getByTestId('model-license').textContent()).toMatch(/CC-BY-NC-SA-4\.0.*non-commercial/);
    expect(hub.downloads().some((r) => r.file === 'unet/diffusion_pytorch_model.safetensors')).toBe(true);
    expect(hub.requests.length).toBeGreaterThan(requestsBefore); // the second install asked the Hub again, and finished

    // It generates.
    await page.getByTestId('prompt-input').fill('wooden door creak');
    await page.getByTestId('seconds-input').fill('1');
    await page.getByTestId('steps-input').fill('4');
    await runNewJob(page, server!, () => page.getByTestId('generate-button').click(), LOAD_MS);
    await page.getByTestId('take-row').first().waitFor({ timeout: 30_000 });

    // Settings → Models: the installed model, in use, with its licence; the token field never shows a token.
    await page.getByTestId('settings-button').click();
    const installed = page.getByTestId('installed-cvssp--audioldm2');
    await installed.waitFor({ timeout: 30_000 });
    expect(await installed.textContent()).toContain('in use');
    expect(await installed.textContent()).toContain('CC-BY-NC-SA-4.0');
    await page.getByTestId('hub-token-input').fill('hf_e2eSecretToken');
    await page.getByTestId('hub-token-save').click();
    await until('the token to be set', async () => /A token is set/.test((await page.getByTestId('hub-token-state').textContent()) ?? ''), 10_000);
    expect(await page.getByTestId('hub-token-input').inputValue()).toBe('');
    expect(await page.content()).not.toContain('hf_e2eSecretToken');
    await page.getByTestId('settings-models').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SCREENSHOTS, 'settings-models.png') });
    expect(pageErrors).toEqual([]);
  }, 900_000);

  it('offers a checkpoint already in the Hugging Face cache first and uses it with no download; Settings → Models installs another and removes the first, cache copy only when ticked', async () => {
    cacheDir = mkdtempSync(join(tmpdir(), 'loa-e2e-hf-'));
    writeHfSnapshot(cacheDir, REPO, COMMIT, TINY);
    hub = await HubStandIn.start([
      { repo: REPO, dir: TINY, commit: COMMIT },
      { repo: MUSIC, dir: TINY, commit: MUSIC_COMMIT },
      // A repo that is no AudioLDM 2 checkpoint (no model_index.json): refused with the builder's reason.
      { repo: 'someone/not-audioldm', dir: join(REPO_ROOT, 'models', 'configs'), commit: createHash('sha1').update('not audioldm').digest('hex') },
    ]);
    await open();

    const cached = page.getByTestId('cached-card-cvssp-audioldm2');
    await cached.waitFor({ timeout: 30_000 });
    expect(await cached.textContent()).toContain('Found AudioLDM 2 in your Hugging Face cache — use it, no download');
    const use = page.getByTestId('cached-use-cvssp-audioldm2');
    expect(await use.isDisabled()).toBe(true);
    await page.getByTestId('cached-accept-cvssp-audioldm2').check();
    await page.screenshot({ path: join(SCREENSHOTS, 'first-run-cached.png') });
    await use.click();
    await page.getByTestId('prompt-input').waitFor({ timeout: LOAD_MS });
    await until('the model to be ready', async () => (await page.getByTestId('model-status').getAttribute('data-state')) === 'ready', LOAD_MS, 200);
    expect(hub.requests).toEqual([]); // not a single request to the Hub

    // Settings → Models: install AudioLDM 2 Music from the catalogue there; the studio switches to it.
    await page.getByTestId('settings-button').click();
    await page.getByTestId('installed-cvssp--audioldm2').waitFor({ timeout: 30_000 });
    await page.getByTestId('settings-install-model').click();
    const install = page.getByTestId('catalogue-install-cvssp-audioldm2-music');
    expect(await install.isDisabled()).toBe(true);
    await page.getByTestId('catalogue-accept-cvssp-audioldm2-music').check();
    await install.click();
    await until(
      'the music model to be in use',
      async () =>
        /in use/.test(
          (await page
            .getByTestId('installed-cvssp--audioldm2-music')
            .textContent({ timeout: 1000 })
            .catch(() => '')) ?? '',
        ),
      LOAD_MS,
      200,
    );
    await until('the model to be ready', async () => (await page.getByTestId('model-status').getAttribute('data-state')) === 'ready', LOAD_MS, 200);

    // Remove the first: asked first, and its Hugging Face cache copy goes only because it is ticked.
    const snapshot = join(cacheDir, 'models--cvssp--audioldm2', 'snapshots', COMMIT);
    expect(existsSync(snapshot)).toBe(true);
    await page.getByTestId('remove-cvssp--audioldm2').click();
    const confirm = page.getByTestId('remove-confirm');
    await confirm.waitFor();
    expect(await confirm.textContent()).toMatch(/Python tools/);
    await page.getByTestId('remove-include-cache').check();
    await page.screenshot({ path: join(SCREENSHOTS, 'settings-models-remove.png') });
    await page.getByTestId('remove-confirm-button').click();
    await until('the model to be gone', async () => (await page.getByTestId('installed-cvssp--audioldm2').count()) === 0, 30_000);
    expect(existsSync(snapshot)).toBe(false);
    expect(existsSync(join(cacheDir, 'models--cvssp--audioldm2-music', 'snapshots', MUSIC_COMMIT))).toBe(true);

    // A repo id typed in that is not an AudioLDM 2 checkpoint: the reason and what to do, in place; the model in use stays.
    await page.getByTestId('other-repo-input').fill('someone/not-audioldm');
    expect(await page.getByTestId('other-repo-install').isDisabled()).toBe(true);
    await page.getByTestId('other-repo-accept').check();
    await page.getByTestId('other-repo-install').click();
    const error = page.getByTestId('install-error');
    await error.waitFor({ timeout: 60_000 });
    expect(await error.textContent()).toMatch(/model_index\.json.*not a diffusers AudioLDM 2 checkpoint/s);
    await error.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SCREENSHOTS, 'settings-models-error.png') });
    expect(await page.getByTestId('model-status').getAttribute('data-state')).toBe('ready');
    expect(hub.downloads().some((r) => r.url.includes('not-audioldm') && r.file !== 'model_index.json' && r.sent > 0)).toBe(false);
    expect(pageErrors).toEqual([]);
  }, 900_000);
});
