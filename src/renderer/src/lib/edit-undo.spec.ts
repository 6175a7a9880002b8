import { describe, expect, it } from 'vitest';
import type { TakeInfo } from '../../../shared/studio/studio-api.ts';
import { EditUndo, MAX_EDIT_STEPS, previousValues } from './edit-undo.ts';

const take = (over: Partial<TakeInfo> = {}) => ({ id: 't1', rating: 2, favourite: false, tags: ['metal'], notes: 'hit', ...over }) as TakeInfo;

describe('previousValues', () => {
  it('keeps what the patch replaces, only those fields', () => {
    expect(previousValues(take(), { rating: 4 })).toEqual({ rating: 2 });
    expect(previousValues(take(), { tags: ['metal', 'door'], notes: 'x' })).toEqual({ tags: ['metal'], notes: 'hit' });
    expect(previousValues(take(), { favourite: true })).toEqual({ favourite: false });
  });

  it('is null for a patch that changes nothing', () => {
    expect(previousValues(take(), { rating: 2, tags: ['metal'] })).toBeNull();
    expect(previousValues(take(), {})).toBeNull();
  });
});

describe('EditUndo', () => {
  it('walks back edits last first, and skips edits that changed nothing', () => {
    const undo = new EditUndo();
    undo.record(take(), { rating: 4 }, 'Rating', 1);
    undo.record(take({ rating: 4 }), { rating: 4 }, 'Rating', 2);
    undo.record(take({ rating: 4 }), { tags: [] }, 'Tags', 3);
    expect(undo.pop()).toEqual({ takeId: 't1', before: { tags: ['metal'] }, what: 'Tags', at: 3 });
    expect(undo.pop()).toEqual({ takeId: 't1', before: { rating: 2 }, what: 'Rating', at: 1 });
    expect(undo.pop()).toBeUndefined();
  });

  it('keeps the last MAX_EDIT_STEPS, and forgets the steps of takes that are gone', () => {
    const undo = new EditUndo();
    for (let i = 0; i <= MAX_EDIT_STEPS; i++) undo.record(take({ id: `t${i}`, rating: 0 }), { rating: 1 }, 'Rating', i);
    undo.forget([`t${MAX_EDIT_STEPS}`]);
    expect(undo.last()?.takeId).toBe(`t${MAX_EDIT_STEPS - 1}`);
    let n = 0;
    while (undo.pop()) n++;
    expect(n).toBe(MAX_EDIT_STEPS - 1); // the oldest fell off, the newest was forgotten
  });
});
