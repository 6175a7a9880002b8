/**
 * The library panel's list: the search form, the results as cached pages (fetched by offset and
 * limit as the list scrolls; the scrolling is a VirtualList's, the paging math
 * lib/library-window.ts), "More like this",
 * the selected take and its edits (rating, favourite, tags, notes).
 * Main keeps every take in SQLite and answers a page in milliseconds, so nothing here holds more
 * than a few pages of a 100 000-take library.
 */
import type { ReferenceInfo, SoundWord, StudioApi, TakeInfo, TakePatch } from '../../../shared/studio/studio-api.ts';
import { errorText, type ErrorText } from '../lib/error-text.ts';
import { EMPTY_FILTERS, libraryQuery, type LibraryFilters } from '../lib/library-query.ts';
import { pagesOf, pagesToEvict, pagesToFetch, pagesWanted } from '../lib/library-window.ts';
import { fixedLayout } from '../lib/virtual-window.ts';
import type { NoticeState } from './notices.svelte.ts';
import { VirtualList } from './virtual-list.svelte.ts';

export const PAGE_SIZE = 50;
/** Fixed row height, px (the list's CSS uses the same number). */
export const ROW_HEIGHT = 46;
const OVERSCAN = 8;
/** Rows are placed relative to a multiple of this many rows (see `anchor`). */
const ANCHOR_ROWS = 1000;
/** Rows beyond the window whose pages load ahead of a steady scroll. */
const PREFETCH_ROWS = 25;
/** Pages kept in memory (each take carries ~4000 peaks). */
const MAX_PAGES = 16;
const MAX_IN_FLIGHT = 3;
const SIMILAR_LIMIT = 100;
/** Typing settles this long before a search goes out. */
export const SEARCH_DEBOUNCE_MS = 150;
/** New takes arriving in a burst (a 16-take job) refresh the list once. */
const REFRESH_DEBOUNCE_MS = 250;

/** The library's player id: a take can also have a card (and a player) in the workspace. */
export function libraryPlayerId(takeId: string): string {
  return `lib:${takeId}`;
}

/** One row of the list's DOM (see LibraryState.rows). */
export interface ListRow {
  index: number;
  slot: number;
  /** Place in the list's block, px. */
  top: number;
  /** Null until its page arrives. */
  take: TakeInfo | null;
}

/** What More like this ranks the library around: a take of it, or a reference clip. */
export type SimilarSource = { kind: 'take'; take: TakeInfo } | { kind: 'reference'; reference: ReferenceInfo };

export class LibraryState {
  filters = $state<LibraryFilters>({ ...EMPTY_FILTERS });
  /** More like this: the take (or reference) the list is ranked around; null while the list shows the search. */
  similarTo = $state.raw<SimilarSource | null>(null);
  total = $state(0);
  /** A new search is on its way and nothing of it has arrived yet. */
  searching = $state(false);
  /** At least one search has answered (until then the count says nothing). */
  answered = $state(false);
  error = $state<ErrorText | null>(null);
  /** Raw: page index → takes; replaced, never mutated. */
  pages = $state.raw<ReadonlyMap<number, TakeInfo[]>>(new Map());
  /** Similarity to the "sounds like" text or the More-like-this take, by take id. */
  similarity = $state.raw<ReadonlyMap<string, number>>(new Map());
  /**
   * The rows' scrolling. Mid-fling (list.flinging) no row could be read, so the rows stand still
   * under a placeholder and no page is fetched until it settles.
   */
  readonly list = new VirtualList(() => fixedLayout(this.total, ROW_HEIGHT), {
    overscan: OVERSCAN,
    detectFlings: true,
    onMove: () => this.fetchWindow(),
  });
  selectedId = $state<string | null>(null);
  /** Kept apart from the pages, so the detail pane survives scrolling the row out of the cache. */
  selected = $state.raw<TakeInfo | null>(null);
  selectedIndex = $state(-1);
  window = $derived({ ...this.list.window, pages: pagesOf(this.list.window.start, this.list.window.end, PAGE_SIZE) });
  /** Row slots in the DOM: as many rows as the window can hold (a partly shown row at both ends, and the overscan). */
  private slots = $derived(Math.ceil(this.list.viewportHeight / ROW_HEIGHT) + 1 + 2 * OVERSCAN);
  /**
   * Rows are placed relative to this row (a multiple of ANCHOR_ROWS), not to the window's first
   * row: scrolling then moves the block alone, and a row keeps its place until it leaves, so a
   * frame restyles only the rows that scrolled in. (Placing them by absolute index would need
   * offsets beyond what a transform holds precisely in a 10-million-row list.)
   */
  private anchor = $derived(Math.floor(this.window.start / ANCHOR_ROWS) * ANCHOR_ROWS);
  /** The block's offset inside the spacer, px: where row `anchor` would sit. */
  blockOffset = $derived(this.window.offset - (this.window.start - this.anchor) * ROW_HEIGHT);
  /**
   * The rows in the DOM, in slot order: index, take (null until its page arrives), and `top`, the
   * row's place in the block. Row i always lives in slot i % slots and the slots never change
   * order, so scrolling hands a row's elements to the row that scrolls in instead of destroying
   * one and building another, and moves no DOM node.
   */
  rows = $derived.by((): ListRow[] => {
    // Mid-fling the rows keep what they showed (hidden by the list): updating every row every
    // frame, for rows nobody can read, is what made a fast scroll stutter.
    if (this.list.flinging) return this.shownRows;
    const { start } = this.window;
    const previous = new Map(this.shownRows.map((row) => [row.slot, row]));
    const out: ListRow[] = [];
    // Every slot holds a row (rows [start, start + slots), a few more than the window): a slot
    // that came and went as the window's size wobbled by a row would be rebuilt each frame.
    for (let slot = 0; slot < this.slots; slot++) {
      const index = start + ((slot - (start % this.slots) + this.slots) % this.slots);
      if (index >= this.total) continue;
      const top = (index - this.anchor) * ROW_HEIGHT;
      const take = this.rowAt(index);
      // The same object for an unchanged row: the list then leaves that row alone this frame.
      const same = previous.get(slot);
      out.push(same && same.index === index && same.top === top && same.take === take ? same : { index, slot, top, take });
    }
    this.shownRows = out;
    return out;
  });

  /** The rows last handed to the list (plain, not reactive: `rows` reads and replaces it). */
  private shownRows: ListRow[] = [];
  private generation = 0;
  /** The generation the cached pages belong to (older pages stay on screen until new ones come). */
  private pagesGeneration = -1;
  private inFlight = new Set<number>();
  private searchTimer: ReturnType<typeof setTimeout> | undefined;
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;
  /** Select this row once its page arrives (↑/↓ onto a row not loaded yet, the row after a delete). */
  private pendingSelect: number | null = null;
  private active = false;
  private stale = true;

  constructor(
    private readonly api: StudioApi,
    private readonly notices: NoticeState,
    /** A take changed here (rating, tags …): the workspace's copy follows. */
    private readonly onTakeChanged: (take: TakeInfo) => void = () => {},
    /** An edit was saved: `before` is the take as it was (for Undo). */
    private readonly onEdited: (before: TakeInfo, patch: TakePatch, what: string) => void = () => {},
  ) {}

  // ---- the panel --------------------------------------------------------------------------------

  /** The panel is on screen: show what is in the library now. */
  open = (): void => {
    this.active = true;
    if (this.stale || !this.answered) this.refresh();
  };

  close = (): void => {
    this.active = false;
  };

  dispose = (): void => {
    clearTimeout(this.searchTimer);
    clearTimeout(this.refreshTimer);
    this.list.dispose();
  };

  // ---- searching --------------------------------------------------------------------------------

  /** Changes the form; text-like fields search once typing settles, the rest at once. */
  setFilters = (patch: Partial<LibraryFilters>, debounce = false): void => {
    this.filters = { ...this.filters, ...patch };
    this.similarTo = null;
    clearTimeout(this.searchTimer);
    if (debounce) this.searchTimer = setTimeout(() => this.search(), SEARCH_DEBOUNCE_MS);
    else this.search();
  };

  clearFilters = (): void => {
    this.setFilters({ ...EMPTY_FILTERS, text: this.filters.text, mode: this.filters.mode, sort: this.filters.sort });
  };

  /** A new search: from the top. */
  search = (): void => {
    clearTimeout(this.searchTimer);
    this.list.scrollTo(0);
    this.restart();
  };

  /** The same search again (new takes, a delete): keeps the scroll position and the rows on screen until the new ones arrive. */
  refresh = (): void => {
    clearTimeout(this.refreshTimer);
    this.stale = false;
    if (this.similarTo) void this.loadSimilar(this.similarTo);
    else this.restart();
  };

  /** Takes arrived or changed in main: refresh soon if the panel shows, else when it opens. */
  invalidate = (): void => {
    if (!this.active) {
      this.stale = true;
      return;
    }
    clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(this.refresh, REFRESH_DEBOUNCE_MS);
  };

  /** Now if the panel shows (the user is looking at the rows), else when it next opens. */
  private reloadIfShown(): void {
    if (this.active) this.refresh();
    else this.stale = true;
  }

  private restart(): void {
    this.generation++;
    this.inFlight = new Set();
    this.searching = true;
    this.error = null;
    this.fetchWindow();
  }

  private rowAt(index: number): TakeInfo | null {
    return this.pages.get(Math.floor(index / PAGE_SIZE))?.[index % PAGE_SIZE] ?? null;
  }

  /** Requests the pages the visible rows need (page 0 for a search that has not answered yet). */
  private fetchWindow(): void {
    if (this.similarTo) return;
    const generation = this.generation;
    const current = this.pagesGeneration === generation;
    const wanted = current ? pagesWanted(this.window, this.total, PAGE_SIZE, PREFETCH_ROWS) : [Math.floor(Math.min(this.window.start, Math.max(0, this.total - 1)) / PAGE_SIZE)];
    const cached = new Set(current ? this.pages.keys() : []);
    const slots = MAX_IN_FLIGHT - this.inFlight.size;
    for (const page of pagesToFetch(wanted, cached, this.inFlight, slots)) void this.fetchPage(page, generation);
  }

  private async fetchPage(page: number, generation: number): Promise<void> {
    this.inFlight.add(page);
    const filters = this.filters;
    try {
      const result = await this.api.searchLibrary(libraryQuery(filters, page * PAGE_SIZE, PAGE_SIZE));
      if (generation !== this.generation) return;
      const fresh = this.pagesGeneration !== generation;
      const next = new Map(fresh ? [] : this.pages);
      next.set(page, result.items);
      for (const drop of pagesToEvict([...next.keys()], this.window.pages, MAX_PAGES)) next.delete(drop);
      const similarity = new Map(fresh ? [] : this.similarity);
      result.similarity?.forEach((value, i) => {
        const take = result.items[i];
        if (take) similarity.set(take.id, value);
      });
      this.pagesGeneration = generation;
      this.pages = next;
      this.similarity = similarity;
      this.total = result.total;
      this.searching = false;
      this.answered = true;
      this.error = null;
      this.afterPage(page, result.items);
    } catch (error) {
      if (generation !== this.generation) return;
      this.searching = false;
      this.error = errorText(error);
    } finally {
      if (generation === this.generation) {
        this.inFlight.delete(page);
        if (!this.list.flinging) this.fetchWindow();
      }
    }
  }

  /** Keeps the selection in step with fresh rows: its index after a refresh, a pending ↑/↓ target. */
  private afterPage(page: number, items: TakeInfo[]): void {
    const first = page * PAGE_SIZE;
    if (this.pendingSelect !== null && this.pendingSelect >= first && this.pendingSelect < first + PAGE_SIZE) {
      const index = Math.min(this.pendingSelect, this.total - 1);
      this.pendingSelect = null;
      const take = this.rowAt(index);
      if (take) this.select(take, index);
      return;
    }
    const at = items.findIndex((t) => t.id === this.selectedId);
    if (at >= 0) {
      this.selectedIndex = first + at;
      this.selected = items[at];
    }
  }

  // ---- More like this ---------------------------------------------------------------------------

  moreLikeThis = (take: TakeInfo): Promise<void> => this.showSimilar({ kind: 'take', take });

  /** The takes that sound most like a reference (a recording of the user's, say). */
  likeReference = (reference: ReferenceInfo): Promise<void> => this.showSimilar({ kind: 'reference', reference });

  private showSimilar = async (source: SimilarSource): Promise<void> => {
    clearTimeout(this.searchTimer);
    this.similarTo = source;
    this.list.scrollTo(0);
    await this.loadSimilar(source);
  };

  private async loadSimilar(source: SimilarSource): Promise<void> {
    const generation = ++this.generation;
    this.inFlight = new Set();
    this.searching = true;
    this.error = null;
    try {
      const result = source.kind === 'take' ? await this.api.similarTakes(source.take.id, SIMILAR_LIMIT) : await this.api.takesLikeReference(source.reference.id, SIMILAR_LIMIT);
      if (generation !== this.generation) return;
      const pages = new Map<number, TakeInfo[]>();
      for (let i = 0; i < result.items.length; i += PAGE_SIZE) pages.set(i / PAGE_SIZE, result.items.slice(i, i + PAGE_SIZE));
      const similarity = new Map<string, number>();
      result.similarity?.forEach((value, i) => {
        const item = result.items[i];
        if (item) similarity.set(item.id, value);
      });
      this.pagesGeneration = generation;
      this.pages = pages;
      this.similarity = similarity;
      this.total = result.items.length;
      this.answered = true;
      const at = result.items.findIndex((t) => t.id === this.selectedId);
      this.selectedIndex = at;
    } catch (error) {
      if (generation === this.generation) this.error = errorText(error);
    } finally {
      if (generation === this.generation) this.searching = false;
    }
  }

  /** Leaves More like this for the search it came from. */
  backToSearch = (): void => {
    this.similarTo = null;
    this.search();
  };

  // ---- selection --------------------------------------------------------------------------------

  select = (take: TakeInfo, index: number): void => {
    this.selectedId = take.id;
    this.selected = take;
    this.selectedIndex = index;
  };

  /** A take picked outside the list (a lineage node): the detail pane shows it; the list highlights it if loaded. */
  show = (take: TakeInfo): void => {
    let index = -1;
    for (const [page, items] of this.pages) {
      const at = items.findIndex((t) => t.id === take.id);
      if (at >= 0) index = page * PAGE_SIZE + at;
    }
    this.select(take, index);
    if (index >= 0) this.reveal(index);
  };

  /** A loaded take by id (for lineage nodes and events), or null. */
  loaded = (id: string): TakeInfo | null => {
    if (this.selected?.id === id) return this.selected;
    for (const items of this.pages.values()) {
      const take = items.find((t) => t.id === id);
      if (take) return take;
    }
    return null;
  };

  /** ↑/↓: the previous or next row (the first one when none is selected); null while its page loads. */
  selectRelative = (delta: 1 | -1): TakeInfo | null => {
    if (this.total === 0) return null;
    const from = this.selectedIndex;
    const index = from < 0 ? (delta > 0 ? 0 : this.total - 1) : Math.min(this.total - 1, Math.max(0, from + delta));
    this.reveal(index);
    const take = this.rowAt(index);
    if (take) {
      this.select(take, index);
      return take;
    }
    this.pendingSelect = index;
    this.fetchWindow();
    return null;
  };

  private reveal(index: number): void {
    if (this.list.reveal(index)) this.fetchWindow();
  }

  // ---- edits ------------------------------------------------------------------------------------

  /** Saves an edit; `undoable` false for Undo's own edits (they are not edits to undo). */
  update = async (id: string, patch: TakePatch, what = 'Change', undoable = true): Promise<TakeInfo | null> => {
    const before = this.loaded(id);
    try {
      const take = await this.api.updateTake(id, patch);
      this.replace(take);
      this.onTakeChanged(take);
      if (before && undoable) this.onEdited(before, patch, what);
      return take;
    } catch (error) {
      this.notices.report(error, `${what} not saved`);
      return null;
    }
  };

  /** CLAP's words for the take's sound, as tag suggestions; null (reported) when it cannot say. */
  suggestTags = async (id: string): Promise<SoundWord[] | null> => {
    try {
      return await this.api.describeTake(id);
    } catch (error) {
      this.notices.report(error, 'No suggestions');
      return null;
    }
  };

  rate = (id: string, rating: TakeInfo['rating']) => this.update(id, { rating }, 'Rating');

  toggleFavourite = (id: string) => {
    const take = this.loaded(id);
    return take ? this.update(id, { favourite: !take.favourite }, 'Favourite') : Promise.resolve(null);
  };

  /** A take changed elsewhere (the workspace rated it): the row and the detail pane follow. */
  replace = (take: TakeInfo): void => {
    let changed = false;
    const next = new Map(this.pages);
    for (const [page, items] of next) {
      const at = items.findIndex((t) => t.id === take.id);
      if (at >= 0) {
        next.set(
          page,
          items.map((t, i) => (i === at ? take : t)),
        );
        changed = true;
      }
    }
    if (changed) this.pages = next;
    if (this.selected?.id === take.id) this.selected = take;
    if (this.similarTo?.kind === 'take' && this.similarTo.take.id === take.id) this.similarTo = { kind: 'take', take };
  };

  // ---- trash ----------------------------------------------------------------------------------

  /** Takes went to the trash: the row after a deleted selection takes its place (Delete can go on down). */
  trashed = (ids: readonly string[]): void => {
    if (this.selectedId && ids.includes(this.selectedId)) {
      this.pendingSelect = this.selectedIndex >= 0 ? this.selectedIndex : null;
      this.selectedId = null;
      this.selected = null;
      this.selectedIndex = -1;
    }
    this.reloadIfShown();
  };

  restored = (): void => {
    this.reloadIfShown();
  };
}
