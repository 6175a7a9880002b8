/**
 * The takes on screen: the list, the filter, the selected take, ticked takes for batch export,
 * each take's selected region, and loudness estimates for A/B.
 */
import type { StudioApi, TakeInfo, TakePatch } from '../../../shared/studio/studio-api.ts';
import { rmsOfPeaks } from '../lib/levels.ts';
import { PREFERENCE_KEYS, readPreference, writePreference } from '../lib/preferences.ts';
import { matchesFilter, orderTakes } from '../lib/take-order.ts';
import type { NoticeState } from './notices.svelte.ts';

export interface Region {
  start: number;
  end: number;
}

/** How the workspace lists takes: a compact row each (a card on demand), or every take as a card. */
export type TakeView = 'rows' | 'cards';

export class TakesState {
  /** Raw: each take carries ~4000 peaks, which must not be deep-proxied. */
  takes = $state.raw<TakeInfo[]>([]);
  filter = $state('');
  selectedId = $state<string | null>(null);
  /** Takes ticked for batch export. */
  checked = $state<Record<string, boolean>>({});
  regions = $state<Record<string, Region | null>>({});
  /** Loudness (RMS) per take, measured on its decoded audio (see `loudness` for the rest). */
  rms = $state<Record<string, number>>({});
  /** Rows by default: a card is ~250 px tall, so only one and a half fit a 720 px window. */
  view = $state<TakeView>(readPreference<TakeView>(PREFERENCE_KEYS.takeView, 'rows', ['rows', 'cards']));
  /** Takes shown as a full card in the rows view. */
  expanded = $state<Record<string, boolean>>({});

  visible = $derived(orderTakes(this.takes).filter((t) => matchesFilter(t, this.filter)));
  selected = $derived(this.takes.find((t) => t.id === this.selectedId) ?? null);
  checkedIds = $derived(this.visible.filter((t) => this.checked[t.id]).map((t) => t.id));

  private readonly trashed = new Map<string, TakeInfo>();

  constructor(
    private readonly api: StudioApi,
    private readonly notices: NoticeState,
    /** An edit was saved: `before` is the take as it was (for Undo). */
    private readonly onEdited: (before: TakeInfo, patch: TakePatch, what: string) => void = () => {},
  ) {}

  load = async (): Promise<void> => {
    const takes = await this.api.listTakes();
    this.takes = takes;
  };

  upsert = (take: TakeInfo): void => {
    const index = this.takes.findIndex((t) => t.id === take.id);
    this.takes = index < 0 ? [...this.takes, take] : this.takes.map((t, i) => (i === index ? take : t));
  };

  /** Takes moved to the trash (main's 'library' event): off the list, kept here in case they come back. */
  removeTrashed = (ids: readonly string[]): void => {
    const gone = new Set(ids);
    for (const take of this.takes) if (gone.has(take.id)) this.trashed.set(take.id, take);
    if (this.takes.some((t) => gone.has(t.id))) this.takes = this.takes.filter((t) => !gone.has(t.id));
    if (this.selectedId && gone.has(this.selectedId)) this.selectedId = null;
  };

  restoreTrashed = (ids: readonly string[]): void => {
    for (const id of ids) {
      const take = this.trashed.get(id);
      this.trashed.delete(id);
      if (take && !this.byId(id)) this.upsert(take);
    }
  };

  byId = (id: string | null): TakeInfo | null => (id ? (this.takes.find((t) => t.id === id) ?? null) : null);

  select = (id: string | null): void => {
    this.selectedId = id;
  };

  /** ↑/↓: the previous or next visible take (the first one when none is selected). Returns it. */
  selectRelative = (delta: 1 | -1): TakeInfo | null => {
    const list = this.visible;
    if (list.length === 0) return null;
    const index = list.findIndex((t) => t.id === this.selectedId);
    const next = index < 0 ? (delta > 0 ? 0 : list.length - 1) : Math.min(list.length - 1, Math.max(0, index + delta));
    this.selectedId = list[next].id;
    return list[next];
  };

  /** Whether the take shows as a full card (waveform, spectrogram, every tool) rather than a row. */
  showsCard = (id: string): boolean => this.view === 'cards' || this.expanded[id] === true;

  setView = (view: TakeView): void => {
    this.view = view;
    this.expanded = {};
    writePreference(PREFERENCE_KEYS.takeView, view);
  };

  /** A row opens as a card, a card (in the rows view) folds back to a row. */
  toggleExpanded = (id: string): void => {
    this.expanded[id] = !this.expanded[id];
  };

  setChecked = (id: string, checked: boolean): void => {
    this.checked[id] = checked;
  };

  setRegion = (id: string, region: Region | null): void => {
    this.regions[id] = region;
  };

  setRms = (id: string, rms: number): void => {
    this.rms[id] = rms;
  };

  rate = async (id: string, rating: TakeInfo['rating']): Promise<void> => {
    const before = this.byId(id);
    try {
      this.upsert(await this.api.updateTake(id, { rating }));
      if (before) this.onEdited(before, { rating }, 'Rating');
    } catch (error) {
      this.notices.report(error, 'Rating not saved');
    }
  };

  toggleFavourite = async (id: string): Promise<void> => {
    const take = this.byId(id);
    if (!take) return;
    try {
      this.upsert(await this.api.updateTake(id, { favourite: !take.favourite }));
      this.onEdited(take, { favourite: !take.favourite }, 'Favourite');
    } catch (error) {
      this.notices.report(error, 'Favourite not saved');
    }
  };

  /**
   * A take's loudness (RMS) for A/B: its decoded audio's once measured, estimated from its peaks
   * until then. Asked for when needed, not at load: a page of 200 takes reads no peaks it does not draw.
   */
  loudness = (id: string): number => this.rms[id] ?? rmsOfPeaks(this.byId(id)?.peaks ?? []);
}
