/**
 * The one take-list contract the audition keys work on: the workspace's takes and the library's
 * results answer the same questions (which take is selected, step to the next one, play it, rate
 * it …), so one key map (state/audition-keys.ts) drives both and the two cannot drift apart.
 */
import { tick } from 'svelte';
import type { TakeInfo } from '../../../shared/studio/studio-api.ts';
import { stepInGrid, stepSelection } from '../lib/variation-grid.ts';
import { libraryPlayerId } from './library.svelte.ts';
import type { Studio } from './studio.svelte.ts';

export interface TakeList {
  /** The workspace also has A/B and the reference lane's operations; the library has not. */
  readonly kind: 'workspace' | 'library';
  readonly selected: TakeInfo | null;
  /** The take's player id in PlaybackState (a take can have a player in both lists). */
  playerId(takeId: string): string;
  /** ↑/↓: selects the previous or next take (the first one when none is) and brings it into view; null while it loads. */
  step(delta: 1 | -1): TakeInfo | null;
  /** ←/→ inside a variation grid: the neighbouring cell, selected; null elsewhere (the keys then seek). */
  stepAcross(delta: 1 | -1): TakeInfo | null;
  /** Plays the take, once its player is mounted (selecting a take mounts it on the next tick). */
  play(take: TakeInfo): Promise<void>;
  rate(takeId: string, rating: TakeInfo['rating']): Promise<unknown>;
  toggleFavourite(takeId: string): Promise<unknown>;
  moreLikeThis(take: TakeInfo): Promise<void> | void;
}

export function workspaceList(studio: Studio): TakeList {
  const { takes, playback } = studio;
  const selectId = (id: string | null): TakeInfo | null => {
    if (!id) return null;
    takes.select(id);
    studio.revealSelected();
    return takes.byId(id);
  };
  return {
    kind: 'workspace',
    get selected() {
      return takes.selected;
    },
    playerId: (takeId) => takeId,
    step: (delta) => selectId(stepSelection(takes.visible, takes.selectedId, delta)),
    stepAcross: (delta) => selectId(stepInGrid(takes.visible, takes.selectedId, delta)),
    play: async (take) => {
      if (!playback.has(take.id)) await tick();
      await playback.play(take.id);
    },
    rate: (takeId, rating) => takes.rate(takeId, rating),
    toggleFavourite: (takeId) => takes.toggleFavourite(takeId),
    moreLikeThis: (take) => studio.moreLikeThis(take),
  };
}

export function libraryList(studio: Studio): TakeList {
  const { library } = studio;
  return {
    kind: 'library',
    get selected() {
      return library.selected;
    },
    playerId: libraryPlayerId,
    step: (delta) => library.selectRelative(delta),
    stepAcross: () => null,
    play: (take) => studio.playInLibrary(take),
    rate: (takeId, rating) => library.rate(takeId, rating),
    toggleFavourite: (takeId) => library.toggleFavourite(takeId),
    moreLikeThis: (take) => library.moreLikeThis(take),
  };
}
