/**
 * Undo for edits to takes (rating, favourite, tags, notes): each edit remembers what it replaced,
 * and Ctrl/Cmd+Z puts the last one back. Pure (no runes): nothing on screen shows the stack.
 */
import type { TakeInfo, TakePatch } from '../../../shared/studio/studio-api.ts';

export interface EditStep {
  takeId: string;
  /** The fields the edit changed, as they were before it. */
  before: TakePatch;
  /** "Rating", "Tags", … for the notice that says what was undone. */
  what: string;
  /** When the edit was made (performance.now), to weigh it against an undoable delete. */
  at: number;
}

/** How many edits Ctrl+Z can walk back. */
export const MAX_EDIT_STEPS = 100;

/** The fields of `take` that `patch` sets, as they are now; null when the patch changes nothing. */
export function previousValues(take: TakeInfo, patch: TakePatch): TakePatch | null {
  const before: TakePatch = {};
  let changed = false;
  if (patch.rating !== undefined) {
    before.rating = take.rating;
    changed ||= patch.rating !== take.rating;
  }
  if (patch.favourite !== undefined) {
    before.favourite = take.favourite;
    changed ||= patch.favourite !== take.favourite;
  }
  if (patch.tags !== undefined) {
    before.tags = [...take.tags];
    changed ||= patch.tags.join('\u0000') !== take.tags.join('\u0000');
  }
  if (patch.notes !== undefined) {
    before.notes = take.notes;
    changed ||= patch.notes !== take.notes;
  }
  return changed ? before : null;
}

export class EditUndo {
  private steps: EditStep[] = [];

  /** Remembers what `patch` is about to replace on `take` (nothing, when it changes nothing). */
  record(take: TakeInfo, patch: TakePatch, what: string, at = performance.now()): void {
    const before = previousValues(take, patch);
    if (!before) return;
    this.steps.push({ takeId: take.id, before, what, at });
    if (this.steps.length > MAX_EDIT_STEPS) this.steps.shift();
  }

  last(): EditStep | undefined {
    return this.steps.at(-1);
  }

  pop(): EditStep | undefined {
    return this.steps.pop();
  }

  /** A take that went to the trash for good, or was replaced: its steps no longer apply. */
  forget(takeIds: readonly string[]): void {
    this.steps = this.steps.filter((s) => !takeIds.includes(s.takeId));
  }
}
