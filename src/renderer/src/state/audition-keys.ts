/**
 * Runs the audition keys (lib/keymap.ts) against the studio's state. One window listener; nothing
 * fires while the user types in a text field or a select, or while a dialog is open. One key map
 * (AUDITION_ACTIONS) works on whichever take list shows (state/take-lists.ts): the workspace's
 * takes or the library's results.
 */
import { activatesOnEnter, commandForKey, isGenerateShortcut, isTextEntry, isUndoShortcut, keepsArrowKeys, type AuditionCommand } from '../lib/keymap.ts';
import type { TakeInfo } from '../../../shared/studio/studio-api.ts';
import { regionWithEdge } from '../lib/region-keys.ts';
import { describeOp } from '../lib/transform-text.ts';
import type { Studio } from './studio.svelte.ts';
import { libraryList, workspaceList, type TakeList } from './take-lists.ts';

export class AuditionKeys {
  private handledSpace = false;
  private readonly workspace: TakeList;
  private readonly library: TakeList;

  constructor(private readonly studio: Studio) {
    this.workspace = workspaceList(studio);
    this.library = libraryList(studio);
  }

  /** Installs the listeners; returns the function that removes them. */
  attach = (target: Window): (() => void) => {
    target.addEventListener('keydown', this.onKeyDown);
    target.addEventListener('keyup', this.onKeyUp);
    return () => {
      target.removeEventListener('keydown', this.onKeyDown);
      target.removeEventListener('keyup', this.onKeyUp);
    };
  };

  private onKeyDown = (event: KeyboardEvent): void => {
    const { studio } = this;
    if (isGenerateShortcut(event)) {
      event.preventDefault();
      if (!studio.exporter.open) void studio.generate();
      return;
    }
    if (event.defaultPrevented || event.isComposing) return;
    if (studio.exporter.open || studio.settings.panelOpen || studio.recipeDrop.open) {
      return; // dialogs handle their own keys (Esc closes them)
    }
    if (isTextEntry(event.target)) return;
    if (isUndoShortcut(event)) {
      if (studio.canUndo) {
        event.preventDefault();
        void studio.undo();
      }
      return;
    }
    const command = commandForKey(event);
    if (!command) return;
    if ((command.kind === 'seek' || command.kind === 'seek-edge') && keepsArrowKeys(event.target)) return;
    if (command.kind === 'toggle-card' && activatesOnEnter(event.target)) return;
    event.preventDefault();
    // A focused button would also "click" on Space's keyup; swallow that one.
    if (command.kind === 'toggle-play') this.handledSpace = true;
    void this.run(command);
  };

  private onKeyUp = (event: KeyboardEvent): void => {
    if (event.key === ' ' && this.handledSpace) {
      event.preventDefault();
      this.handledSpace = false;
    }
  };

  run = async (command: AuditionCommand): Promise<void> => {
    if (command.kind === 'toggle-library') {
      this.studio.toggleView();
      return;
    }
    const list = this.studio.view === 'library' ? this.library : this.workspace;
    try {
      await (AUDITION_ACTIONS[command.kind] as Action<AuditionCommand>)(this.studio, list, command);
    } catch (error) {
      this.studio.notices.report(error);
    }
  };
}

type Action<C extends AuditionCommand> = (studio: Studio, list: TakeList, command: C) => Promise<unknown> | void;

/** A key moved the selection onto `take`: audition it when auto-play is on, else stop what played. */
async function auditionSelected(studio: Studio, list: TakeList, take: TakeInfo | null, wasPlaying: boolean): Promise<void> {
  const { playback } = studio;
  if (!take) return;
  if (playback.autoPlay) await list.play(take);
  else if (wasPlaying && playback.playingId !== list.playerId(take.id)) playback.stop();
}

/**
 * The one key map, for both lists. A/B and the reference lane's operations belong to the
 * workspace; in the library those keys do nothing.
 */
const AUDITION_ACTIONS: { [K in AuditionCommand['kind']]: Action<Extract<AuditionCommand, { kind: K }>> } = {
  'toggle-play': async ({ playback }, list) => {
    const selected = list.selected;
    if (!selected) {
      const first = list.step(1);
      if (first) await list.play(first);
    } else if (playback.playingId === list.playerId(selected.id)) playback.stop();
    else await list.play(selected);
  },
  stop: ({ playback }) => playback.stopAll(),
  select: (studio, list, { delta }) => {
    const wasPlaying = studio.playback.playingId !== null;
    return auditionSelected(studio, list, list.step(delta), wasPlaying);
  },
  // In a variation grid ←/→ step between seeds; elsewhere they move the playhead.
  seek: (studio, list, { seconds }) => {
    const wasPlaying = studio.playback.playingId !== null;
    const cell = list.stepAcross(seconds > 0 ? 1 : -1);
    if (cell) return auditionSelected(studio, list, cell, wasPlaying);
    if (list.selected) studio.playback.seekBy(list.playerId(list.selected.id), seconds);
  },
  'seek-edge': ({ playback }, list, { edge }) => {
    if (list.selected) playback.seekEdge(list.playerId(list.selected.id), edge);
  },
  loop: ({ playback }) => playback.toggleLoop(),
  rate: (_, list, { rating }) => (list.selected ? list.rate(list.selected.id, rating) : undefined),
  favourite: (_, list) => (list.selected ? list.toggleFavourite(list.selected.id) : undefined),
  delete: (studio, list) => (list.selected ? studio.trash([list.selected]) : undefined),
  regenerate: async ({ queue, notices }, list) => {
    const selected = list.selected;
    if (!selected) return;
    const job = await queue.regenerate(selected);
    if (!job) return;
    const op = describeOp(job.params);
    notices.info(`Regenerating “${selected.params.prompt}”${op ? ` (${op})` : ''} with seed ${job.params.seed}`);
  },
  'use-as-reference': (studio, list) => (list.selected ? studio.useAsReference(list.selected) : undefined),
  'more-like-this': (_, list) => (list.selected ? list.moreLikeThis(list.selected) : undefined),
  'ab-mark': ({ ab }, list, { slot }) => {
    if (list.kind === 'workspace' && list.selected) ab.mark(slot, list.selected.id);
  },
  'ab-toggle': ({ ab }, list) => (list.kind === 'workspace' ? ab.toggle() : undefined),
  continue: (studio, list) => (list.kind === 'workspace' ? studio.transform('continue') : undefined),
  vary: (studio, list) => (list.kind === 'workspace' ? studio.transform('vary') : undefined),
  'toggle-library': (studio) => studio.toggleView(),
  'region-edge': ({ takes, playback }, list, { edge }) => {
    const take = list.selected;
    if (list.kind !== 'workspace' || !take) return;
    const cursor = playback.currentId === take.id ? playback.position : 0;
    takes.setRegion(take.id, regionWithEdge(takes.regions[take.id] ?? null, edge, cursor, take.durationS));
  },
  'toggle-card': ({ takes }, list) => {
    if (list.kind === 'workspace' && list.selected) takes.toggleExpanded(list.selected.id);
  },
};
