/** The Hub install flow as HubState runs it (the event folding itself is in hub-install-view.spec.ts). */
import { describe, expect, it } from 'vitest';
import { CancelledError, InvalidRequestError, LoaError } from '../../../shared/errors.ts';
import type { CachedCheckpoint, InstalledModel } from '../../../shared/models/hub-install.ts';
import type { InstalledModels, InstallProgress, ModelStatus } from '../../../shared/studio/studio-api.ts';
import { HubState } from './hub.svelte.ts';
import { apiStandIn, deferred } from './studio-api.fixture.ts';

const REPO = 'cvssp/audioldm2';
const installed: InstalledModel = {
  id: 'cvssp--audioldm2',
  dir: '/models/cvssp--audioldm2',
  name: 'AudioLDM 2',
  license: 'CC-BY-NC-SA-4.0',
  repo: REPO,
  revision: 'main',
  checkpoint: null,
  bytes: 10,
  sharedBytes: 20,
};
const snapshot = (commit: string, complete: boolean): CachedCheckpoint => ({
  repo: REPO,
  commit,
  refs: [],
  cacheDir: '/hf',
  snapshotDir: `/hf/${commit}`,
  complete,
  missing: complete ? [] : ['unet/x'],
  bytes: 5,
});
const ready = { state: 'ready' } as ModelStatus;
const models = (list: InstalledModel[]): InstalledModels => ({ installed: list, cached: [snapshot('a'.repeat(40), true), snapshot('b'.repeat(40), false)], activeDir: list[0]?.dir ?? null });
const progress = (installId: string, state: InstallProgress['state'], event: InstallProgress['event']): InstallProgress => ({ installId, repo: REPO, state, event, error: null });

describe('HubState', () => {
  it('loads the catalogue, the models and the token state together, or says why not', async () => {
    const hub = new HubState(apiStandIn({ modelCatalogue: async () => [], listModels: async () => models([installed]), hubTokenState: async () => ({ set: true, storage: 'memory' }) }).api);
    await hub.load();
    expect({ installed: hub.installed.length, complete: hub.completeCached.map((c) => c.commit[0]), activeDir: hub.activeDir, token: hub.token, loadError: hub.loadError }).toEqual({
      installed: 1,
      complete: ['a'],
      activeDir: installed.dir,
      token: { set: true, storage: 'memory' },
      loadError: null,
    });
    const offline = new LoaError('IO_FAILED', 'The Hub could not be reached.', 'Check the connection.');
    const failing = new HubState(
      apiStandIn({
        modelCatalogue: async () => {
          throw offline;
        },
        listModels: async () => models([]),
        hubTokenState: async () => ({ set: false, storage: 'memory' }),
      }).api,
    );
    await failing.load();
    expect(failing.loadError).toEqual({ message: offline.message, hint: offline.hint });
  });

  it('runs one install at a time, follows its events and refreshes the models when it ends', async () => {
    const answer = deferred<ModelStatus>();
    const lists = [models([installed])];
    const { api, calls } = apiStandIn({ installModel: () => answer.promise, listModels: async () => lists.shift()! });
    const hub = new HubState(api);
    const started = hub.start(REPO, { firstRun: true, revision: 'a'.repeat(40) });
    expect({ running: hub.running, fromFirstRun: hub.fromFirstRun, phase: hub.install?.phase }).toEqual({ running: true, fromFirstRun: true, phase: 'starting' });
    expect(await hub.start('other/repo')).toBeNull();
    hub.onProgress(progress('i-7', 'running', { type: 'build', stage: 'graphs', done: 3, total: 7 }));
    expect(hub.install).toMatchObject({ installId: 'i-7', phase: 'building', build: { done: 3, total: 7 } });
    hub.dismiss();
    expect(hub.install).not.toBeNull();
    answer.resolve(ready);
    expect(await started).toBe(ready);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect({ phase: hub.install?.phase, running: hub.running, fromFirstRun: hub.fromFirstRun, installed: hub.installed.map((m) => m.id) }).toEqual({
      phase: 'done',
      running: false,
      fromFirstRun: false,
      installed: ['cvssp--audioldm2'],
    });
    expect(calls.filter((c) => c.method === 'installModel').map((c) => c.args[0])).toEqual([{ repo: REPO, acceptLicense: true, revision: 'a'.repeat(40) }]);
    hub.dismiss();
    expect(hub.install).toBeNull();
  });

  it('ends cancelled on a CANCELLED error, failed with message and hint on any other', async () => {
    const refused = new InvalidRequestError('acceptLicense', 'The licence was not accepted.', 'Tick “I accept the licence”.');
    const answers: Array<() => Promise<ModelStatus>> = [
      async () => {
        throw new CancelledError('Install cancelled.');
      },
      async () => {
        throw refused;
      },
    ];
    const hub = new HubState(apiStandIn({ installModel: () => answers.shift()!(), listModels: async () => models([]) }).api);
    expect(await hub.start(REPO)).toBeNull();
    expect(hub.install).toMatchObject({ phase: 'cancelled', error: null });
    expect(await hub.start(REPO)).toBeNull();
    expect(hub.install).toMatchObject({ phase: 'failed', error: { message: refused.message, hint: refused.hint } });
  });

  it('cancels the install by the id its events carry, and picks up one another window started', async () => {
    const { api, calls } = apiStandIn({ cancelInstall: async () => {} });
    const hub = new HubState(api);
    await hub.cancel();
    expect(calls).toEqual([]);
    hub.onProgress(progress('i-9', 'running', { type: 'resolve', repo: REPO, revision: 'main', commit: 'c'.repeat(40), fromCache: true }));
    expect(hub.install).toMatchObject({ installId: 'i-9', phase: 'resolving', fromCache: true });
    await hub.cancel();
    expect(calls).toEqual([{ method: 'cancelInstall', args: ['i-9'] }]);
    // Another install's events start a fresh view rather than mixing into this one.
    hub.onProgress(progress('i-10', 'running', null));
    expect(hub.install).toMatchObject({ installId: 'i-10', phase: 'starting', fromCache: false });
  });

  it('ticks each licence on its own card', () => {
    const hub = new HubState(apiStandIn({}).api);
    hub.setAccepted(REPO, true);
    hub.setAccepted('other/repo', false);
    expect(hub.accepted).toEqual({ [REPO]: true, 'other/repo': false });
  });
});
