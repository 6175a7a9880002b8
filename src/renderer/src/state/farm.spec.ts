import { describe, expect, it } from 'vitest';
import { LoaError } from '../../../shared/errors.ts';
import type { FarmOverview, FarmState } from '../../../shared/studio/studio-api.ts';
import { FarmStudioState } from './farm.svelte.ts';
import { apiStandIn } from './studio-api.fixture.ts';

const connected: FarmState = { state: 'connected', url: 'redis://:***@gpu-box:6379/0', error: null };
const overview: FarmOverview = {
  counts: { waiting: 1, active: 0, completed: 3, failed: 0 },
  jobs: [{ id: 'farm-1', kind: 'generate', prompt: 'rain', state: 'waiting', progress: null, worker: null, submittedAt: '2026-12-03T19:00:00.000Z' }],
  workers: [{ name: 'gpu-1', host: 'box', device: 'cuda', models: ['tiny'], state: 'idle', currentJob: null, jobsDone: 3, jobsFailed: 0 }],
};

describe('FarmStudioState', () => {
  it('after a connect, Generate runs on the farm and the panel reads the farm; a disconnect puts Generate back here', async () => {
    const { api, calls } = apiStandIn({ connectFarm: async () => connected, farmOverview: async () => overview, disconnectFarm: async () => ({ ...connected, state: 'disconnected' as const }) });
    const farm = new FarmStudioState(api);
    expect(farm.onFarm).toBe(false);
    expect(await farm.connect('redis://:pw@gpu-box:6379')).toBe(true);
    expect(calls[0]).toEqual({ method: 'connectFarm', args: ['redis://:pw@gpu-box:6379'] });
    expect(farm.onFarm).toBe(true);
    await farm.refresh();
    expect(farm.overview?.workers.map((w) => w.name)).toEqual(['gpu-1']);
    await farm.disconnect();
    expect([farm.connected, farm.onFarm, farm.overview]).toEqual([false, false, null]);
  });

  it('shows why a connect failed, with its hint, and keeps Generate on this machine', async () => {
    const { api } = apiStandIn({
      connectFarm: async () => {
        throw new LoaError('IO_FAILED', 'Cannot reach the farm at redis://gpu-box:6379/0: connect ECONNREFUSED.', 'Check that redis-server runs on that host and port.');
      },
    });
    const farm = new FarmStudioState(api);
    expect(await farm.connect('redis://gpu-box:6379')).toBe(false);
    expect(farm.problem).toEqual({ message: 'Cannot reach the farm at redis://gpu-box:6379/0: connect ECONNREFUSED.', hint: 'Check that redis-server runs on that host and port.' });
    expect([farm.busy, farm.onFarm]).toEqual([false, false]);
  });
});
