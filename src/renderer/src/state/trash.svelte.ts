/**
 * Delete with Undo: takes go to main's trash (hidden, files kept), and for a few seconds the
 * toast's Undo (or Ctrl/Cmd+Z) brings them back. Nothing is ever deleted for good from here.
 */
import type { StudioApi, TakeInfo } from '../../../shared/studio/studio-api.ts';
import type { NoticeState } from './notices.svelte.ts';

/** How long the Undo of a delete stays offered. */
export const UNDO_MS = 10_000;

export interface TrashUndo {
  ids: string[];
  /** “prompt” (seed n), or "3 takes": what the toast says went. */
  label: string;
  /** When (performance.now): Ctrl+Z undoes whichever came last, this delete or an edit. */
  at: number;
}

export class TrashState {
  undo = $state<TrashUndo | null>(null);

  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly api: StudioApi,
    private readonly notices: NoticeState,
    /** The lists follow: rows gone, or back. */
    private readonly onChange: (change: { trashed: string[] } | { restored: string[] }) => void,
  ) {}

  trash = async (takes: TakeInfo[]): Promise<boolean> => {
    if (takes.length === 0) return false;
    const ids = takes.map((t) => t.id);
    try {
      await this.api.trashTakes(ids);
    } catch (error) {
      this.notices.report(error, 'Delete failed');
      return false;
    }
    clearTimeout(this.timer);
    this.undo = { ids, label: takes.length === 1 ? `“${takes[0].params.prompt}” (seed ${takes[0].seed})` : `${takes.length} takes`, at: performance.now() };
    this.timer = setTimeout(() => (this.undo = null), UNDO_MS);
    this.onChange({ trashed: ids });
    return true;
  };

  /** Brings the last deleted takes back (the toast's Undo, or Ctrl/Cmd+Z). */
  undoTrash = async (): Promise<boolean> => {
    const undo = this.undo;
    if (!undo) return false;
    this.dismiss();
    try {
      await this.api.restoreTakes(undo.ids);
    } catch (error) {
      this.notices.report(error, 'Undo failed');
      return false;
    }
    this.onChange({ restored: undo.ids });
    return true;
  };

  dismiss = (): void => {
    clearTimeout(this.timer);
    this.undo = null;
  };
}
