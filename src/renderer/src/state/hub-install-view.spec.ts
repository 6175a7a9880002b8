/** The install view the first-run screen and Settings → Models draw, folded from 'install' events. */
import { describe, expect, it } from 'vitest';
import type { CatalogueEntry } from '../../../shared/models/hub-install.ts';
import type { InstallProgress } from '../../../shared/studio/studio-api.ts';
import { applyInstallEvent, catalogueSize, hubBytes, hubSeconds, newInstallView } from './hub.svelte.ts';

const push = (event: InstallProgress['event'], state: InstallProgress['state'] = 'running', error: InstallProgress['error'] = null): InstallProgress => ({
  installId: 'i-1',
  repo: 'cvssp/audioldm2',
  state,
  event,
  error,
});

describe('applyInstallEvent', () => {
  it('follows an install from the plan through the download, the checks and the build to done', () => {
    let view = newInstallView('cvssp/audioldm2');
    view = applyInstallEvent(view, push(null));
    expect(view).toMatchObject({ installId: 'i-1', phase: 'starting' });
    view = applyInstallEvent(view, push({ type: 'resolve', repo: 'cvssp/audioldm2', revision: 'main', commit: 'c'.repeat(40), fromCache: false }));
    view = applyInstallEvent(
      view,
      push({
        type: 'plan',
        totalBytes: 300,
        downloadBytes: 200,
        freeBytes: 10_000,
        files: [
          { path: 'a', bytes: 100, check: 'git-sha1', hash: 'h', state: 'cached' },
          { path: 'b', bytes: 200, check: 'sha256', hash: 'h2', state: 'missing' },
        ],
      }),
    );
    expect(view.plan).toEqual({ files: 2, cachedFiles: 1, totalBytes: 300, downloadBytes: 200, freeBytes: 10_000 });
    view = applyInstallEvent(view, push({ type: 'download', file: 'b', fileBytes: 50, fileTotal: 200, bytes: 150, total: 300, rate: 1000, etaSeconds: 0.15 }));
    expect(view).toMatchObject({ phase: 'downloading', overall: { bytes: 150, total: 300, rate: 1000 }, file: { path: 'b', bytes: 50, total: 200 } });
    // A small file checked mid-download does not flip the label away from "Downloading".
    view = applyInstallEvent(view, push({ type: 'verify', file: 'a', check: 'git-sha1' }));
    expect(view.phase).toBe('downloading');
    view = applyInstallEvent(view, push({ type: 'download', file: 'b', fileBytes: 200, fileTotal: 200, bytes: 300, total: 300, rate: 1000, etaSeconds: 0 }));
    view = applyInstallEvent(view, push({ type: 'verify', file: 'b', check: 'sha256' }));
    expect(view.phase).toBe('verifying');
    view = applyInstallEvent(view, push({ type: 'retry', file: 'b', attempt: 1, reason: 'HTTP 503', delayMs: 500 }));
    expect(view.notes).toEqual(['Retrying b (attempt 1): HTTP 503']);
    view = applyInstallEvent(view, push({ type: 'build', stage: 'graphs', done: 2, total: 7, detail: 'unet' }));
    expect(view).toMatchObject({ phase: 'building', build: { stage: 'graphs', done: 2, total: 7, detail: 'unet' } });
    view = applyInstallEvent(
      view,
      push({
        type: 'done',
        model: { id: 'cvssp--audioldm2', dir: '/m', name: 'AudioLDM 2', license: 'CC-BY-NC-SA-4.0 (…)', repo: 'cvssp/audioldm2', revision: null, checkpoint: null, bytes: 1, sharedBytes: 2 },
      }),
    );
    expect(view.phase).toBe('loading');
    view = applyInstallEvent(view, push(view.model ? { type: 'done', model: view.model } : null, 'done'));
    expect(view).toMatchObject({ phase: 'done', error: null, model: { id: 'cvssp--audioldm2' } });
  });

  it('ends cancelled or failed with the reason and what to do', () => {
    const base = newInstallView('cvssp/audioldm2');
    expect(applyInstallEvent(base, push(null, 'cancelled', { name: 'CancelledError', code: 'CANCELLED', message: 'Install cancelled.', hint: '' })).phase).toBe('cancelled');
    const failed = applyInstallEvent(base, push(null, 'failed', { name: 'DiskFullError', code: 'DISK_FULL', message: 'Installing needs 2 GB free; only 1 GB is free.', hint: 'Free some space.' }));
    expect(failed).toMatchObject({ phase: 'failed', error: { message: 'Installing needs 2 GB free; only 1 GB is free.', hint: 'Free some space.' } });
  });
});

describe('sizes and times as a card states them', () => {
  const entry = (bytes: number | null) => ({ download: { bytes, knownBytes: 1_387_970_000, files: [], note: '' } }) as unknown as CatalogueEntry;
  it('says "size unknown" where the catalogue has null, never a guess', () => {
    expect(catalogueSize(entry(null))).toEqual({ text: 'size unknown', exact: false });
    expect(catalogueSize(entry(1_387_970_000))).toEqual({ text: '1.39 GB', exact: true });
  });
  it("formats bytes in the Hub's decimal units and seconds as people read them", () => {
    expect(hubBytes(805)).toBe('805 B');
    expect(hubBytes(4_740_000)).toBe('4.74 MB');
    expect(hubSeconds(null)).toBe('–');
    expect(hubSeconds(42.4)).toBe('42 s');
    expect(hubSeconds(125)).toBe('2 min 05 s');
    expect(hubSeconds(4320)).toBe('1 h 12 min');
  });
});
