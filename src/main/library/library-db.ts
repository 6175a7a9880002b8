/**
 * The take library in SQLite: `<libraryDir>/library.sqlite` indexes the WAVs under Generations/
 * (and References/), with full-text search over prompts, tags and notes, filters, a trash, and
 * search by sound over CLAP embeddings. Synchronous, like better-sqlite3: each call is a few
 * milliseconds at 100 000 takes (bench/library-bench.ts).
 *
 * Crash safety rests on one order: the caller writes the WAV atomically first, then addTake
 * commits the row (take, tags, peaks, full-text entry) in one transaction. So a crash leaves at
 * worst a WAV without a row, which reconcile() reports and the service can re-import from the
 * WAV's recipe; never a row without its audio. Nothing is deleted except by emptyTrash().
 */
import { join } from 'node:path';
import { DB_FILE, openDatabaseFile, setAside } from './database-file.ts';
import { checkEmbedding, unit } from './embeddings.ts';
import type { Match } from './embedding-index.ts';
import { LibraryConnection, type ConnectionDiagnostics } from './library-connection.ts';
import { EmbeddingMissingError, LibraryFileMissingError, TakeNotFoundError } from './library-errors.ts';
import { absolutePath, fileIsPresent, reconcileFiles } from './library-files.ts';
import type { LibraryTake, NewLibraryTake, ReconcileReport, SearchOptions, SearchResult, SimilarTake, TakeUpdate, TrashedFiles } from './library-types.ts';
import { floatBlob, floatsOf, LoadedEmbeddings } from './loaded-embeddings.ts';
import { encodePeaks } from '../../shared/library/peaks-blob.ts';
import { checkCount, checkIds, checkPaging, searchSql } from './search-sql.ts';
import { ExportRows, ReferenceRows } from './reference-rows.ts';
import { INSERT_TAKE, normaliseTags, TAKE_COLUMNS, takeColumns, takeFromRow, updateColumns, type TakeRow } from './take-rows.ts';

export { DB_FILE };

export interface LibraryOpenOptions {
  /**
   * BENCHMARKS ONLY: addTake and addReference skip the check that the WAV exists, so a benchmark
   * can fill a library with 100 000 rows without writing 100 000 files. The app never sets it.
   */
  benchmarkOnlySkipFileCheck?: boolean;
}

export interface Paging {
  limit?: number;
  offset?: number;
}

export class LibraryDb {
  /** The embeddings search by sound ranks, loaded from take_clap and kept in step with our writes. */
  private readonly embeddings: LoadedEmbeddings;
  /** Reference clips (their own table and folder). */
  readonly references: ReferenceRows;
  /** Where takes were exported to. */
  readonly exports: ExportRows;
  /** The last search count and the database state it was counted in (see countMatches). */
  private lastCount: { key: string; version: string; total: number } | null = null;

  private constructor(
    readonly libraryDir: string,
    private readonly conn: LibraryConnection,
    private readonly options: LibraryOpenOptions,
  ) {
    this.embeddings = new LoadedEmbeddings(conn.sql.bind(conn));
    this.references = new ReferenceRows(conn, libraryDir, !options.benchmarkOnlySkipFileCheck);
    this.exports = new ExportRows(conn);
  }

  /** The database file. */
  get path(): string {
    return this.conn.path;
  }

  /**
   * Opens `<libraryDir>/library.sqlite`, creating it (and the folder) when absent, and migrates
   * it to the current schema. A damaged file → LibraryCorruptError, with the file untouched;
   * a file from a newer app → LibraryTooNewError. Call reconcile() next.
   */
  static open(libraryDir: string, options: LibraryOpenOptions = {}): LibraryDb {
    const path = join(libraryDir, DB_FILE);
    return new LibraryDb(libraryDir, new LibraryConnection(path, openDatabaseFile(path)), options);
  }

  /**
   * The first step of a rebuild the user asked for: renames library.sqlite (and its -wal/-shm)
   * to `library.sqlite.corrupt-<time>` (`.before-rebuild-<time>` when it was not damaged), so the next open starts an empty library and reconcile()
   * lists every WAV for re-import. Nothing is deleted. Returns the new name, or null if absent.
   */
  static setAsideForRebuild(libraryDir: string, now = new Date(), damaged = true): string | null {
    return setAside(join(libraryDir, DB_FILE), now, damaged ? 'corrupt' : 'before-rebuild');
  }

  /** The connection's settings, for tests and Settings → Library. */
  diagnostics(): ConnectionDiagnostics {
    return this.conn.diagnostics();
  }

  /**
   * Runs `work` in one transaction, so many adds commit together (an import of thousands of
   * takes: one commit instead of thousands). If it throws, all of it is rolled back.
   */
  batch<T>(work: () => T): T {
    try {
      return this.conn.transact(work);
    } catch (error) {
      this.embeddings.forget(); // it may hold embeddings the rollback removed: reload on next use
      throw error;
    }
  }

  /** Checkpoints the WAL into the database file and closes it. */
  close(): void {
    if (this.conn.db.open) this.conn.db.close();
  }

  // ---- takes ------------------------------------------------------------------------------------

  /**
   * Adds a take whose WAV the caller has already written (atomically) at `take.file`. The row,
   * its peaks, tags, embedding and full-text entry commit together or not at all.
   */
  addTake(take: NewLibraryTake): LibraryTake {
    const columns = takeColumns(take, new Date());
    const tags = normaliseTags(take.tags ?? []);
    const peaks = encodePeaks(take.peaks);
    if (take.embedding !== undefined) checkEmbedding(take.embedding, this.embeddings.dims());
    if (!this.options.benchmarkOnlySkipFileCheck && !fileIsPresent(absolutePath(this.libraryDir, take.file))) {
      throw new LibraryFileMissingError(take.file);
    }
    const seq = this.conn.unique(() =>
      this.conn.transact(() => {
        const inserted = Number(this.conn.sql(INSERT_TAKE).run(columns).lastInsertRowid);
        this.conn.sql('INSERT INTO take_peaks (take_seq, peaks) VALUES (?, ?)').run(inserted, peaks);
        const addTag = this.conn.sql('INSERT INTO tags (take_seq, tag, position) VALUES (?, ?, ?)');
        tags.forEach((tag, position) => addTag.run(inserted, tag, position));
        if (take.embedding) this.conn.sql('INSERT INTO take_clap (take_seq, clap_embedding) VALUES (?, ?)').run(inserted, floatBlob(take.embedding));
        return inserted;
      }),
    );
    if (take.embedding) this.embeddings.set(seq, take.embedding, true);
    return this.take(take.id);
  }

  /** A take, trashed or not; undefined for an unknown id. */
  get(id: string): LibraryTake | undefined {
    const row = this.conn.sql<TakeRow>(`SELECT ${TAKE_COLUMNS} FROM takes t WHERE t.id = ?`).get(id);
    return row && takeFromRow(row);
  }

  /** The takes one job made, trashed or not, best first: how a farm result is filed once only. */
  takesOfJob(jobId: string): LibraryTake[] {
    return this.conn.sql<TakeRow>(`SELECT ${TAKE_COLUMNS} FROM takes t WHERE t.job_id = ? ORDER BY t.rank`).all(jobId).map(takeFromRow);
  }

  /** A take, trashed or not; throws TakeNotFoundError for an unknown id. */
  take(id: string): LibraryTake {
    const take = this.get(id);
    if (!take) throw new TakeNotFoundError(id);
    return take;
  }

  /** Absolute path of the take's WAV; throws TakeNotFoundError for an unknown id. */
  file(id: string): string {
    const file = this.conn.sql<string>('SELECT file FROM takes WHERE id = ?').pluck().get(id);
    if (file === undefined) throw new TakeNotFoundError(id);
    return absolutePath(this.libraryDir, file);
  }

  /** Changes what the studio edits after a take is saved (tags replaced whole), in one transaction. */
  update(id: string, patch: TakeUpdate): LibraryTake {
    const { sets, values } = updateColumns(patch);
    const tags = patch.tags === undefined ? undefined : normaliseTags(patch.tags);
    this.conn.transact(() => {
      const seq = this.conn.seqOf(id);
      if (sets.length > 0) this.conn.sql(`UPDATE takes SET ${sets.join(', ')} WHERE seq = ?`).run(...values, seq);
      if (tags) {
        this.conn.sql('DELETE FROM tags WHERE take_seq = ?').run(seq);
        const addTag = this.conn.sql('INSERT INTO tags (take_seq, tag, position) VALUES (?, ?, ?)');
        tags.forEach((tag, position) => addTag.run(seq, tag, position));
      }
    });
    return this.take(id);
  }

  /** Replaces the take's tags (trimmed, duplicates ignoring case dropped, order kept). */
  setTags(id: string, tags: readonly string[]): LibraryTake {
    return this.update(id, { tags });
  }

  /** Live takes, newest first. */
  list(paging: Paging = {}): SearchResult {
    return this.search({ ...paging, sort: 'newest' });
  }

  /** Live takes matching every given filter; `text` searches prompts, tags and notes. */
  search(options: SearchOptions): SearchResult {
    const { count, page } = searchSql(options);
    const total = this.countMatches(count.sql, count.params);
    // Sort the matches by seq alone, then read the page's full rows: SQLite's sorter would
    // otherwise carry every match's 4 KB of peaks (8 000 matches: 33 MB) to keep 100 of them.
    const seqs = this.conn
      .sql<number>(page.sql)
      .pluck()
      .all(...page.params);
    return { takes: this.takesBySeq(seqs), total };
  }

  /**
   * Takes made from a take or a reference (audio-to-audio), oldest first, trashed ones included
   * (the tree shows them greyed), for the lineage tree.
   */
  lineageChildren(parent: { kind: 'take' | 'reference'; id: string }): LibraryTake[] {
    const column = parent.kind === 'take' ? 'parent_take_id' : 'parent_reference_id';
    const seqs = this.conn.sql<number>(`SELECT seq FROM takes WHERE ${column} = ? ORDER BY created_at, seq`).pluck().all(parent.id);
    return this.takesBySeq(seqs);
  }

  // ---- trash ------------------------------------------------------------------------------------

  /** Moves takes to the trash (hidden from list, search and similar). Returns how many moved. */
  trash(ids: readonly string[], now = new Date()): number {
    return this.setDeleted(checkIds(ids), now.toISOString());
  }

  /** Takes them out of the trash again. Returns how many came back. */
  restore(ids: readonly string[]): number {
    return this.setDeleted(checkIds(ids), null);
  }

  /** Trashed takes, most recently trashed first. */
  listTrash(paging: Paging = {}): SearchResult {
    const { limit, offset } = checkPaging(paging);
    const total = this.conn.sql<number>('SELECT count(*) FROM takes WHERE deleted_at IS NOT NULL').pluck().get() ?? 0;
    const seqs = this.conn.sql<number>('SELECT seq FROM takes WHERE deleted_at IS NOT NULL ORDER BY deleted_at DESC, seq DESC LIMIT ? OFFSET ?').pluck().all(limit, offset);
    return { takes: this.takesBySeq(seqs), total };
  }

  /**
   * The only delete: removes every trashed take's row (tags, peaks, embedding and export records
   * go with it) and returns their WAVs for the caller to remove.
   */
  emptyTrash(): TrashedFiles {
    const gone = this.conn.transact(() => {
      const rows = this.conn.sql<{ id: string; file: string }>('SELECT id, file FROM takes WHERE deleted_at IS NOT NULL ORDER BY seq').all();
      this.conn.sql('DELETE FROM takes WHERE deleted_at IS NOT NULL').run();
      return rows;
    });
    if (gone.length > 0) this.embeddings.forget(); // reloaded without them on the next sound search
    return { ids: gone.map((r) => r.id), files: gone.map((r) => absolutePath(this.libraryDir, r.file)) };
  }

  // ---- search by sound --------------------------------------------------------------------------

  /** Stores (or replaces) the take's CLAP audio embedding. */
  setEmbedding(takeId: string, embedding: Float32Array): void {
    checkEmbedding(embedding, this.embeddings.dims());
    const { seq, live } = this.conn.transact(() => {
      const row = this.conn.sql<{ seq: number; live: number }>('SELECT seq, deleted_at IS NULL AS live FROM takes WHERE id = ?').get(takeId);
      if (!row) throw new TakeNotFoundError(takeId);
      this.conn.sql('INSERT OR REPLACE INTO take_clap (take_seq, clap_embedding) VALUES (?, ?)').run(row.seq, floatBlob(embedding));
      return row;
    });
    this.embeddings.set(seq, embedding, live === 1);
  }

  /** The take's stored CLAP audio embedding (read from its row: no need for the search index). */
  embedding(takeId: string): Float32Array {
    const blob = this.conn.sql<Uint8Array>('SELECT c.clap_embedding FROM take_clap c JOIN takes t ON t.seq = c.take_seq WHERE t.id = ?').pluck().get(takeId);
    if (!blob) {
      this.conn.seqOf(takeId); // an unknown take is TakeNotFoundError, not a missing embedding
      throw new EmbeddingMissingError(takeId);
    }
    return floatsOf(blob).slice();
  }

  /** The `k` live takes that sound most like `takeId` (cosine of CLAP embeddings), best first. */
  similar(takeId: string, k: number): SimilarTake[] {
    checkCount('k', k);
    const seq = this.conn.seqOf(takeId);
    const index = this.embeddings.index();
    const query = index?.unitVector(seq);
    if (!index || !query) throw new EmbeddingMissingError(takeId);
    return this.takesFor(index.nearest(query, k, seq));
  }

  /** The `k` live takes nearest to an embedding, e.g. CLAP's text embedding of a description. */
  rankByEmbedding(query: Float32Array, k: number): SimilarTake[] {
    checkCount('k', k);
    const index = this.embeddings.index();
    checkEmbedding(query, index?.dims);
    return index ? this.takesFor(index.nearest(unit(query), k)) : [];
  }

  /** Loads the next `rows` embeddings for search by sound; true once all are in (LoadedEmbeddings.warm). */
  warmEmbeddings(rows = 2000): boolean {
    return this.embeddings.warm(rows);
  }

  // ---- housekeeping -----------------------------------------------------------------------------

  /**
   * Compares the rows with the folder, changing neither: rows whose WAV is missing (or empty),
   * and WAVs under Generations/ that no take names. Run it after open. Async because it stats
   * every file (about a second at 100 000 takes, see the benchmark) without blocking.
   */
  async reconcile(): Promise<ReconcileReport> {
    const takes = this.conn.sql<{ id: string; file: string }>('SELECT id, file FROM takes ORDER BY seq').all();
    const references = this.conn.sql<{ id: string; file: string }>('SELECT id, file FROM "references" ORDER BY rowid').all();
    return reconcileFiles(this.libraryDir, takes, references);
  }

  // ---- internals --------------------------------------------------------------------------------

  /**
   * How many takes a search matches. A list scrolled page by page asks the same count for every
   * page, and at 100 000 takes counting costs more than the page itself, so the last count is
   * kept until the database changes: `total_changes()` moves with this connection's writes,
   * `data_version` with any other process's (the CLI writing into the same library).
   */
  private countMatches(sql: string, params: ReadonlyArray<string | number>): number {
    const version = `${this.embeddings.otherWrites()}:${this.conn.sql<number>('SELECT total_changes()').pluck().get()}`;
    const key = JSON.stringify([sql, params]);
    if (this.lastCount?.key === key && this.lastCount.version === version) return this.lastCount.total;
    const total =
      this.conn
        .sql<number>(sql)
        .pluck()
        .get(...params) ?? 0;
    this.lastCount = { key, version, total };
    return total;
  }

  private setDeleted(ids: string[], deletedAt: string | null): number {
    const changed = this.conn.transact(() => {
      const update = this.conn.sql(
        deletedAt === null ? 'UPDATE takes SET deleted_at = NULL WHERE seq = ? AND deleted_at IS NOT NULL' : 'UPDATE takes SET deleted_at = ? WHERE seq = ? AND deleted_at IS NULL',
      );
      const seqs: number[] = [];
      for (const id of ids) {
        const seq = this.conn.seqOf(id); // an unknown id rolls the whole batch back
        if (update.run(...(deletedAt === null ? [seq] : [deletedAt, seq])).changes > 0) seqs.push(seq);
      }
      return seqs;
    });
    for (const seq of changed) this.embeddings.setLive(seq, deletedAt === null);
    return changed.length;
  }

  /** Full takes for these seqs, in the same order, in one query. */
  private takesBySeq(seqs: readonly number[]): LibraryTake[] {
    if (seqs.length === 0) return [];
    const rows = this.conn.sql<TakeRow>(`SELECT ${TAKE_COLUMNS} FROM takes t WHERE t.seq IN (SELECT value FROM json_each(?))`).all(JSON.stringify(seqs));
    const bySeq = new Map(rows.map((row) => [row.seq, row]));
    return seqs.map((seq) => takeFromRow(bySeq.get(seq)!));
  }

  private takesFor(matches: Match[]): SimilarTake[] {
    const takes = this.takesBySeq(matches.map((m) => m.seq));
    return matches.map(({ similarity }, i) => ({ take: takes[i], similarity }));
  }
}
