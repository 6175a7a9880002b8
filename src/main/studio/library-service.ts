/**
 * The library: takes (the workspace's share and the library panel's search), their ratings, tags and
 * notes, the trash, lineage, folder imports, recipes read back from WAVs, and the rebuild after damage.
 */
import { readFile } from 'node:fs/promises';
import type { Recipe } from '../../shared/library/recipe.ts';
import { InvalidRequestError } from '../../shared/errors.ts';
import type { FolderImportReport, LibraryPage, LibraryQuery, LineageNode, SoundWord, StudioApi, TakeInfo, TakePatch } from '../../shared/studio/studio-api.ts';
import { readRecipe } from '../library/wav-metadata.ts';
import { importFolder } from './folder-import.ts';
import type { ModelsService } from './models-service.ts';
import type { OpenLibrary, RebuildReport } from './open-library.ts';
import type { SettingsService } from './settings-service.ts';
import type { SoundWordMatrix } from './sound-word-matrix.ts';
import type { StudioEvents } from './studio-events.ts';
import type { UploadStore } from './upload-store.ts';
import type { WireViews } from './wire-views.ts';

/** `2026-11-25` → that day's local midnight, plus `days`. */
function localMidnight(day: string, days: number): Date {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(y, m - 1, d + days);
}

/** Rows read per step when a sound search keeps only the takes that also pass the filters. */
const FILTER_PAGE = 1000;

export class LibraryService {
  constructor(
    private readonly library: OpenLibrary,
    private readonly models: ModelsService,
    private readonly settings: SettingsService,
    private readonly words: SoundWordMatrix,
    private readonly events: StudioEvents,
    private readonly views: WireViews,
    private readonly uploads: UploadStore | undefined,
  ) {}

  async listTakes(): Promise<TakeInfo[]> {
    return (await this.library.store.list()).map((take) => this.views.take(take));
  }

  async getTake(takeId: string): Promise<TakeInfo> {
    return this.views.take(await this.library.store.take(takeId));
  }

  /** Rating, favourite, tags, notes: the other windows and browser tabs hear the change as a 'take' event. */
  async updateTake(takeId: string, patch: TakePatch): Promise<TakeInfo> {
    const info = this.views.take(await this.library.store.update(takeId, patch));
    this.events.emit({ type: 'take', take: info });
    return info;
  }

  async searchLibrary(query: LibraryQuery): Promise<LibraryPage> {
    const store = this.library.store;
    const filters = {
      rating: query.rating,
      favourite: query.favourite,
      modelId: query.modelId,
      minDuration: query.minDuration,
      maxDuration: query.maxDuration,
      tags: query.tags,
      // Days are the user's calendar days: from local midnight to the next local midnight.
      from: query.from ? localMidnight(query.from, 0) : undefined,
      to: query.to ? localMidnight(query.to, 1) : undefined,
    };
    if (!query.soundsLike?.trim()) {
      const result = store.search({ ...filters, text: query.text, sort: query.sort, limit: query.limit, offset: query.offset });
      return { items: result.takes.map((t) => this.views.libraryRow(t)), total: result.total };
    }
    // CLAP text–audio similarity over every take, then the filters; ranked, so paging slices the ranking.
    const [embedding] = await this.models.embedTexts([query.soundsLike]);
    const ranked = store.rankByEmbedding(embedding, Math.min(1000, query.offset + query.limit + 200));
    const hasFilter = Object.values(filters).some((v) => v !== undefined) || !!query.text?.trim();
    let hits = ranked;
    if (hasFilter) {
      const allowed = new Set<string>();
      for (let offset = 0; ; offset += FILTER_PAGE) {
        const page = store.search({ ...filters, text: query.text, limit: FILTER_PAGE, offset });
        for (const t of page.takes) allowed.add(t.id);
        if (offset + FILTER_PAGE >= page.total) break;
      }
      hits = ranked.filter((r) => allowed.has(r.take.id));
    }
    return this.views.rankedPage(hits.slice(query.offset, query.offset + query.limit), hits.length);
  }

  async similarTakes(takeId: string, limit: number): Promise<LibraryPage> {
    return this.views.rankedPage(this.library.store.similar(takeId, limit));
  }

  /** Words for a library take, from the CLAP embedding stored with it: tag suggestions. */
  async describeTake(takeId: string): Promise<SoundWord[]> {
    return this.words.describe(this.library.store.embedding(takeId));
  }

  async trashTakes(takeIds: string[]): Promise<void> {
    this.library.store.trash(takeIds);
    this.events.emit({ type: 'library', trashed: takeIds, restored: [] });
  }

  async restoreTakes(takeIds: string[]): Promise<void> {
    this.library.store.restore(takeIds);
    this.events.emit({ type: 'library', trashed: [], restored: takeIds });
  }

  async lineageTree(takeId: string): Promise<LineageNode> {
    return this.library.store.lineageTree(takeId);
  }

  async importFolder(path: string): Promise<FolderImportReport> {
    return this.library.whileWriting('import', async () => {
      const rate = await this.models.engine.sampleRate();
      return importFolder(this.library.store, path, rate, (done, total, current, skipped) => this.events.emit({ type: 'import', done, total, current, skipped }));
    });
  }

  async readRecipe(source: Parameters<StudioApi['readRecipe']>[0]): Promise<Recipe | null> {
    let bytes: Uint8Array;
    if (source.kind === 'take') {
      const store = this.library.store;
      bytes = new Uint8Array(await readFile(store.file((await store.take(source.takeId)).id)));
    } else if (source.kind === 'file') {
      bytes = new Uint8Array(await readFile(source.path));
    } else {
      if (!this.uploads) throw new InvalidRequestError('source', 'Uploads are only taken in browser mode.');
      bytes = await this.uploads.take(source.uploadId);
    }
    return readRecipe(bytes);
  }

  /**
   * Sets the database aside and re-creates its rows from the WAVs' recipes. Refused while a job or
   * an import is writing into the library; while it runs, new jobs and imports are refused in turn.
   */
  async rebuildLibrary(): Promise<RebuildReport> {
    const report = await this.library.rebuild(this.settings.current.libraryDir);
    this.events.emit({ type: 'library', trashed: [], restored: [] });
    return report;
  }
}
