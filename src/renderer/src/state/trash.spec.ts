import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LoaError } from '../../../shared/errors.ts';
import { plainTake } from '../lib/transform-takes.fixture.ts';
import { NoticeState } from './notices.svelte.ts';
import { apiStandIn } from './studio-api.fixture.ts';
import { TrashState, UNDO_MS } from './trash.svelte.ts';

describe('TrashState', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('offers Undo for ten seconds, and Undo restores exactly what went', async () => {
    const changes: unknown[] = [];
    const { api, calls } = apiStandIn({ trashTakes: async () => {}, restoreTakes: async () => {} });
    const trash = new TrashState(api, new NoticeState(), (change) => changes.push(change));
    expect(await trash.trash([plainTake('t1', 'j1')])).toBe(true);
    expect(trash.undo?.label).toBe('“glass” (seed 7)');
    expect(await trash.trash([plainTake('t2', 'j2'), plainTake('t3', 'j2', 2)])).toBe(true);
    expect(trash.undo).toMatchObject({ ids: ['t2', 't3'], label: '2 takes' });
    vi.advanceTimersByTime(UNDO_MS - 1);
    expect(await trash.undoTrash()).toBe(true);
    expect(trash.undo).toBeNull();
    expect(await trash.undoTrash()).toBe(false);
    expect(calls.map((c) => [c.method, c.args[0]])).toEqual([
      ['trashTakes', ['t1']],
      ['trashTakes', ['t2', 't3']],
      ['restoreTakes', ['t2', 't3']],
    ]);
    expect(changes).toEqual([{ trashed: ['t1'] }, { trashed: ['t2', 't3'] }, { restored: ['t2', 't3'] }]);
  });

  it('withdraws the offer after ten seconds', async () => {
    const trash = new TrashState(apiStandIn({ trashTakes: async () => {} }).api, new NoticeState(), () => {});
    await trash.trash([plainTake('t1', 'j1')]);
    vi.advanceTimersByTime(UNDO_MS);
    expect(trash.undo).toBeNull();
  });

  it('changes nothing on screen when main could not move the takes', async () => {
    const failed = new LoaError('IO_FAILED', 'The library is read-only.', 'Check the folder’s permissions.');
    const changes: unknown[] = [];
    const notices = new NoticeState();
    const trash = new TrashState(
      apiStandIn({
        trashTakes: async () => {
          throw failed;
        },
      }).api,
      notices,
      (c) => changes.push(c),
    );
    expect(await trash.trash([plainTake('t1', 'j1')])).toBe(false);
    expect(await trash.trash([])).toBe(false);
    expect({ undo: trash.undo, changes }).toEqual({ undo: null, changes: [] });
    expect(notices.notices.map((n) => [n.message, n.hint])).toEqual([[`Delete failed: ${failed.message}`, failed.hint]]);
  });
});
