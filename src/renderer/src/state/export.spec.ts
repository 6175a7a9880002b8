import { describe, expect, it } from 'vitest';
import { DiskFullError } from '../../../shared/errors.ts';
import type { ExportOptions, ExportResult, ExportRequest } from '../../../shared/studio/studio-api.ts';
import { DEFAULT_NAME_TEMPLATE, ExportState, FALLBACK_EXPORT_OPTIONS, UCS_NAME_TEMPLATE } from './export.svelte.ts';
import { NoticeState } from './notices.svelte.ts';
import { apiStandIn, deferred } from './studio-api.fixture.ts';

const result = (takeId: string): ExportResult => ({ takeId, path: `/exports/${takeId}.wav`, fileName: `${takeId}.wav`, bytes: 1044, url: `/media/export/${takeId}.wav` });

const saved: ExportOptions = { format: 'pcm24', sampleRate: 48000, normalize: { kind: 'loudness', lufs: -16 }, fadeInMs: 5, fadeOutMs: 20, nameTemplate: UCS_NAME_TEMPLATE };

describe('ExportState', () => {
  it('opens with the saved defaults, a copy the dialog may change freely', () => {
    const state = new ExportState(apiStandIn({}).api, new NoticeState());
    expect(state.options).toEqual(FALLBACK_EXPORT_OPTIONS);
    state.openFor(['t1'], { start: 0.5, end: 1.25 }, saved);
    expect({ open: state.open, region: state.region, ucs: state.ucs, lufs: state.lufsTarget }).toEqual({ open: true, region: { start: 0.5, end: 1.25 }, ucs: true, lufs: -16 });
    state.options.fadeInMs = 100;
    expect(saved.fadeInMs).toBe(5);
    // Several takes export whole: a region belongs to one take.
    state.openFor(['t1', 't2'], { start: 0.5, end: 1.25 }, undefined);
    expect(state.region).toBeNull();
  });

  it('switches normalisation keeping each mode’s own target', () => {
    const state = new ExportState(apiStandIn({}).api, new NoticeState());
    state.openFor(['t1'], null, { ...saved, normalize: { kind: 'none' } });
    state.setPeak(-3);
    state.setLufs(-14);
    expect(state.options.normalize).toEqual({ kind: 'none' });
    state.setNormalizeKind('peak');
    expect(state.options.normalize).toEqual({ kind: 'peak', dbfs: -3 });
    state.setPeak(-0.5);
    state.setNormalizeKind('loudness');
    expect(state.options.normalize).toEqual({ kind: 'loudness', lufs: -14 });
    state.setNormalizeKind('peak');
    expect(state.options.normalize).toEqual({ kind: 'peak', dbfs: -0.5 });
    state.useUcs(false);
    expect({ template: state.options.nameTemplate, ucs: state.ucs }).toEqual({ template: DEFAULT_NAME_TEMPLATE, ucs: false });
  });

  it('exports the ticked takes with plain options, counts progress and confirms', async () => {
    const answer = deferred<ExportResult[]>();
    const { api, calls } = apiStandIn({ exportTakes: () => answer.promise });
    const notices = new NoticeState();
    const state = new ExportState(api, notices);
    state.openFor(['t1', 't2'], null, saved);
    const running = state.run();
    expect({ running: state.running, progress: state.progress, fraction: state.fraction }).toEqual({ running: true, progress: { done: 0, total: 2 }, fraction: 0 });
    expect(await state.run()).toBeNull();
    state.setProgress(1, 2);
    expect(state.fraction).toBe(0.5);
    state.close();
    expect(state.open).toBe(true);
    answer.resolve([result('t1'), result('t2')]);
    expect(await running).toEqual([result('t1'), result('t2')]);
    const request = calls[0].args[0] as ExportRequest;
    expect(request).toEqual({ takeIds: ['t1', 't2'], region: undefined, options: saved });
    expect({ running: state.running, fraction: state.fraction }).toEqual({ running: false, fraction: 1 });
    expect(notices.notices.map((n) => n.message)).toEqual(['Exported 2 files']);
    state.close();
    expect(state.open).toBe(false);
  });

  it('keeps a failure in the dialog with what to do, and exports nothing more', async () => {
    const full = new DiskFullError('/exports');
    const state = new ExportState(
      apiStandIn({
        exportTakes: async () => {
          throw full;
        },
      }).api,
      new NoticeState(),
    );
    state.openFor(['t1'], { start: 0, end: 1 }, saved);
    expect(await state.run()).toBeNull();
    expect(state.error).toEqual({ message: full.message, hint: full.hint });
    expect({ running: state.running, results: state.results }).toEqual({ running: false, results: [] });
  });
});
