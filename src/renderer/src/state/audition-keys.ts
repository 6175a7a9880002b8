/**
 * Runs the audition keys (lib/keymap.ts) against the studio's state. One window listener; nothing
 * fires while the user types in a text field or a select, or while a dialog is open. In the
 * library view the same keys work on the library's list (↑/↓, Space, 1–5, F, Delete).
 */
import { commandForKey, isGenerateShortcut, isTextEntry, isUndoShortcut, keepsArrowKeys, type AuditionCommand } from '../lib/keymap.ts';
import { describeOp } from '../lib/transform-text.ts';
import { stepInGrid, stepSelection } from '../lib/variation-grid.ts';
import { libraryPlayerId } from './library.svelte.ts';
import type { Studio } from './studio.svelte.ts';

export class AuditionKeys {
  private handledSpace = false;

  constructor(private readonly studio: Studio) {}

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
    if (this.studio.view === 'library') return this.runInLibrary(command);
    const { takes, playback, queue, ab, notices } = this.studio;
    const selected = takes.selected;
    try {
      switch (command.kind) {
        case 'delete':
          if (selected) await this.studio.trash([selected]);
          break;
        case 'toggle-play':
          if (selected) await playback.toggle(selected.id);
          else {
            const first = takes.selectRelative(1);
            if (first) await playback.play(first.id);
          }
          break;
        case 'stop':
          playback.stopAll();
          break;
        case 'select':
          await this.moveTo(stepSelection(takes.visible, takes.selectedId, command.delta));
          break;
        case 'seek': {
          // In a variation grid ←/→ step between seeds; elsewhere they move the playhead.
          const cell = stepInGrid(takes.visible, takes.selectedId, command.seconds > 0 ? 1 : -1);
          if (cell) await this.moveTo(cell);
          else if (selected) playback.seekBy(selected.id, command.seconds);
          break;
        }
        case 'seek-edge':
          if (selected) playback.seekEdge(selected.id, command.edge);
          break;
        case 'loop':
          playback.toggleLoop();
          break;
        case 'regenerate':
          if (selected) {
            const job = await queue.regenerate(selected);
            const op = job ? describeOp(job.params) : null;
            if (job) notices.info(`Regenerating “${selected.params.prompt}”${op ? ` (${op})` : ''} with seed ${job.params.seed}`);
          }
          break;
        case 'use-as-reference':
          if (selected) await this.studio.useAsReference(selected);
          break;
        case 'continue':
          await this.studio.transform('continue');
          break;
        case 'vary':
          await this.studio.transform('vary');
          break;
        case 'rate':
          if (selected) await takes.rate(selected.id, command.rating);
          break;
        case 'favourite':
          if (selected) await takes.toggleFavourite(selected.id);
          break;
        case 'ab-mark':
          if (selected) ab.mark(command.slot, selected.id);
          break;
        case 'ab-toggle':
          await ab.toggle();
          break;
        case 'more-like-this':
          if (selected) this.studio.moreLikeThis(selected);
          break;
      }
    } catch (error) {
      notices.report(error);
    }
  };

  /** The library's list: the same keys, on its rows and its player. */
  private runInLibrary = async (command: AuditionCommand): Promise<void> => {
    const { library, playback, queue, notices } = this.studio;
    const selected = library.selected;
    const player = selected ? libraryPlayerId(selected.id) : null;
    try {
      switch (command.kind) {
        case 'toggle-play':
          if (selected && player) {
            if (playback.playingId === player) playback.stop();
            else await this.studio.playInLibrary(selected);
          } else {
            const first = library.selectRelative(1);
            if (first) await this.studio.playInLibrary(first);
          }
          break;
        case 'stop':
          playback.stopAll();
          break;
        case 'select': {
          const wasPlaying = playback.playingId !== null;
          const take = library.selectRelative(command.delta);
          if (!take) break;
          if (playback.autoPlay) await this.studio.playInLibrary(take);
          else if (wasPlaying) playback.stop();
          break;
        }
        case 'seek':
          if (player) playback.seekBy(player, command.seconds);
          break;
        case 'seek-edge':
          if (player) playback.seekEdge(player, command.edge);
          break;
        case 'loop':
          playback.toggleLoop();
          break;
        case 'rate':
          if (selected) await library.rate(selected.id, command.rating);
          break;
        case 'favourite':
          if (selected) await library.toggleFavourite(selected.id);
          break;
        case 'delete':
          if (selected) await this.studio.trash([selected]);
          break;
        case 'regenerate':
          if (selected) {
            const job = await queue.regenerate(selected);
            if (job) notices.info(`Regenerating “${selected.params.prompt}” with seed ${job.params.seed}`);
          }
          break;
        case 'use-as-reference':
          if (selected) await this.studio.useAsReference(selected);
          break;
        case 'more-like-this':
          if (selected) await library.moreLikeThis(selected);
          break;
        // A/B and the reference lane's operations belong to the workspace.
        case 'ab-mark':
        case 'ab-toggle':
        case 'continue':
        case 'vary':
        case 'toggle-library':
          break;
      }
    } catch (error) {
      notices.report(error);
    }
  };

  /** Selects a take from the keyboard: into view, and auditioned when auto-play is on. */
  private moveTo = async (takeId: string | null): Promise<void> => {
    const { takes, playback } = this.studio;
    if (!takeId) return;
    const wasPlaying = playback.playingId !== null;
    takes.select(takeId);
    this.studio.revealSelected();
    if (playback.autoPlay) await playback.play(takeId);
    else if (wasPlaying && playback.playingId !== takeId) playback.stop();
  };
}
