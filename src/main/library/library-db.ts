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
import { DiskFullError, InvalidRequestError, isDiskFull } from '../../shared/errors.ts';
import type { ExportOptions } from '../../shared/studio/studio-api.ts';
import { DB_FILE, openDatabaseFile, setAside } from './database-file.ts';
import { checkEmbedding, unit } from './embeddings.ts';
import { EmbeddingIndex, type Match } from './embedding-index.ts';
import { EmbeddingMissingError, LibraryFileMissingError, ReferenceNotFoundError, TakeNotFoundError } from './library-errors.ts';
import { absolutePath, fileIsPresent, GENERATIONS_DIR, listWavFiles, missingFiles } from './library-files.ts';
import type {
  ExportRecord, LibraryReference, LibraryTake, NewLibraryReference, NewLibraryTake, ReconcileReport, SearchOptions, SearchResult,
  SimilarTake, TakeUpdate, TrashedFiles,
} from './library-types.ts';
import { encodePeaks } from './peaks-blob.ts';
import { checkPaging, searchSql } from './search-sql.ts';
import { sqliteErrorCode, type SqliteDatabase, type Statement } from './sqlite-driver.ts';
import { normaliseTags, referenceColumns, referenceFromRow, takeColumns, takeFromRow, updateColumns, type ReferenceRow, type TakeRow } from './take-rows.ts';

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

// Blobs and tags come with the row; tags as a JSON array in the order they were given.
const TAKE_COLUMNS = `t.seq, t.id, t.job_id, t.rank, t.kind, t.params_json, t.seed, t.score, t.model_id, t.bundle_hash, t.device,
  t.sample_rate, t.samples, t.duration_s, t.created_at, t.rating, t.favourite, t.notes, t.file, t.loop_start, t.loop_end,
  t.lineage_json, t.deleted_at,
  (SELECT json_group_array(tag ORDER BY position) FROM tags WHERE take_seq = t.seq) AS tags_json,
  (SELECT peaks FROM take_peaks WHERE take_seq = t.seq) AS peaks,
  EXISTS (SELECT 1 FROM take_clap WHERE take_seq = t.seq) AS has_embedding`;

const INSERT_TAKE = `INSERT INTO takes (id, job_id, rank, kind, prompt, negative_prompt, seed, steps, scheduler, guidance, seconds,
  params_json, score, model_id, bundle_hash, device, sample_rate, samples, duration_s, created_at, rating, favourite, notes, file,
  loop_start, loop_end, parent_take_id, parent_reference_id, operation, lineage_json)
  VALUES (@id, @job_id, @rank, @kind, @prompt, @negative_prompt, @seed, @steps, @scheduler, @guidance, @seconds,
  @params_json, @score, @model_id, @bundle_hash, @device, @sample_rate, @samples, @duration_s, @created_at, @rating, @favourite,
  @notes, @file, @loop_start, @loop_end, @parent_take_id, @parent_reference_id, @operation, @lineage_json)`;

/** Float32 samples as a blob (little-endian on every platform we ship: x64 and arm64). */
function floatBlob(vector: Float32Array): Buffer {
  return Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength);
}

/** A Float32Array over a blob; copied when the blob's bytes are not 4-byte aligned. */
function floatsOf(blob: Uint8Array): Float32Array {
  if (blob.byteOffset % 4 === 0) return new Float32Array(blob.buffer, blob.byteOffset, blob.byteLength / 4);
  return new Float32Array(new Uint8Array(blob).buffer);
}

function checkCount(field: string, k: unknown): number {
  if (!Number.isInteger(k) || (k as number) < 1 || (k as number) > 1000) throw new InvalidRequestError(field, `${field} must be a whole number from 1 to 1000, got ${JSON.stringify(k)}.`);
  return k as number;
}

function checkIds(ids: unknown): string[] {
  if (!Array.isArray(ids) || !ids.every((id) => typeof id === 'string')) throw new InvalidRequestError('takeIds', 'takeIds must be a list of take ids.');
  return ids;
}

export class LibraryDb {
  /** Embeddings for search by sound: undefined until loaded, null while the library has none. */
  private index: EmbeddingIndex | null | undefined;
  /** `data_version` when the index was read: another process's commit since means read it again. */
  private indexVersion = 0;
  /** A load in slices under way (warmEmbeddings): its index so far and where it stands. */
  private loading: { index?: EmbeddingIndex; afterSeq: number; expected: number; version: number } | undefined;
  private readonly statements = new Map<string, Statement>();
  /** The last search count and the database state it was counted in (see countMatches). */
  private lastCount: { key: string; version: string; total: number } | null = null;

  private constructor(
    readonly libraryDir: string,
    readonly path: string,
    private readonly db: SqliteDatabase,
    private readonly options: LibraryOpenOptions,
  ) {}

  /**
   * Opens `<libraryDir>/library.sqlite`, creating it (and the folder) when absent, and migrates
   * it to the current schema. A damaged file → LibraryCorruptError, with the file untouched;
   * a file from a newer app → LibraryTooNewError. Call reconcile() next.
   */
  static open(libraryDir: string, options: LibraryOpenOptions = {}): LibraryDb {
    const path = join(libraryDir, DB_FILE);
    const db = openDatabaseFile(path);
    return new LibraryDb(libraryDir, path, db, options);
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
  diagnostics(): { journalMode: string; synchronous: number; foreignKeys: number; pageSize: number; schemaVersion: number } {
    const pragma = (name: string) => this.db.pragma(name, { simple: true });
    return {
      journalMode: pragma('journal_mode') as string,
      synchronous: pragma('synchronous') as number,
      foreignKeys: pragma('foreign_keys') as number,
      pageSize: pragma('page_size') as number,
      schemaVersion: pragma('user_version') as number,
    };
  }

  /**
   * Runs `work` in one transaction, so many adds commit together (an import of thousands of
   * takes: one commit instead of thousands). If it throws, all of it is rolled back.
   */
  batch<T>(work: () => T): T {
    try {
      return this.write(() => this.db.transaction(work)());
    } catch (error) {
      this.forgetEmbeddings(); // it may hold embeddings the rollback removed: reload on next use
      throw error;
    }
  }

  /** Checkpoints the WAL into the database file and closes it. */
  close(): void {
    if (this.db.open) this.db.close();
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
    if (take.embedding !== undefined) checkEmbedding(take.embedding, this.embeddingDims());
    if (!this.options.benchmarkOnlySkipFileCheck && !fileIsPresent(absolutePath(this.libraryDir, take.file))) {
      throw new LibraryFileMissingError(take.file);
    }
    const seq = this.unique(() => this.write(() => this.db.transaction(() => {
      const inserted = Number(this.sql(INSERT_TAKE).run(columns).lastInsertRowid);
      this.sql('INSERT INTO take_peaks (take_seq, peaks) VALUES (?, ?)').run(inserted, peaks);
      const addTag = this.sql('INSERT INTO tags (take_seq, tag, position) VALUES (?, ?, ?)');
      tags.forEach((tag, position) => addTag.run(inserted, tag, position));
      if (take.embedding) this.sql('INSERT INTO take_clap (take_seq, clap_embedding) VALUES (?, ?)').run(inserted, floatBlob(take.embedding));
      return inserted;
    })()));
    if (take.embedding) this.indexSet(seq, take.embedding, true);
    return this.take(take.id);
  }

  /** A take, trashed or not; undefined for an unknown id. */
  get(id: string): LibraryTake | undefined {
    const row = this.sql<TakeRow>(`SELECT ${TAKE_COLUMNS} FROM takes t WHERE t.id = ?`).get(id);
    return row && takeFromRow(row);
  }

  /** The takes one job made, trashed or not, best first: how a farm result is filed once only. */
  takesOfJob(jobId: string): LibraryTake[] {
    return this.sql<TakeRow>(`SELECT ${TAKE_COLUMNS} FROM takes t WHERE t.job_id = ? ORDER BY t.rank`).all(jobId).map(takeFromRow);
  }

  /** A take, trashed or not; throws TakeNotFoundError for an unknown id. */
  take(id: string): LibraryTake {
    const take = this.get(id);
    if (!take) throw new TakeNotFoundError(id);
    return take;
  }

  /** Absolute path of the take's WAV; throws TakeNotFoundError for an unknown id. */
  file(id: string): string {
    const file = this.sql<string>('SELECT file FROM takes WHERE id = ?').pluck().get(id);
    if (file === undefined) throw new TakeNotFoundError(id);
    return absolutePath(this.libraryDir, file);
  }

  /** Changes what the studio edits after a take is saved (tags replaced whole), in one transaction. */
  update(id: string, patch: TakeUpdate): LibraryTake {
    const { sets, values } = updateColumns(patch);
    const tags = patch.tags === undefined ? undefined : normaliseTags(patch.tags);
    this.write(() => this.db.transaction(() => {
      const seq = this.seqOf(id);
      if (sets.length > 0) this.sql(`UPDATE takes SET ${sets.join(', ')} WHERE seq = ?`).run(...values, seq);
      if (tags) {
        this.sql('DELETE FROM tags WHERE take_seq = ?').run(seq);
        const addTag = this.sql('INSERT INTO tags (take_seq, tag, position) VALUES (?, ?, ?)');
        tags.forEach((tag, position) => addTag.run(seq, tag, position));
      }
    })());
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
    const seqs = this.sql<number>(page.sql).pluck().all(...page.params);
    return { takes: this.takesBySeq(seqs), total };
  }

  /**
   * Takes made from a take or a reference (audio-to-audio), oldest first, trashed ones included
   * (the tree shows them greyed), for the lineage tree.
   */
  lineageChildren(parent: { kind: 'take' | 'reference'; id: string }): LibraryTake[] {
    const column = parent.kind === 'take' ? 'parent_take_id' : 'parent_reference_id';
    const seqs = this.sql<number>(`SELECT seq FROM takes WHERE ${column} = ? ORDER BY created_at, seq`).pluck().all(parent.id);
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
    const total = this.sql<number>('SELECT count(*) FROM takes WHERE deleted_at IS NOT NULL').pluck().get() ?? 0;
    const seqs = this.sql<number>('SELECT seq FROM takes WHERE deleted_at IS NOT NULL ORDER BY deleted_at DESC, seq DESC LIMIT ? OFFSET ?').pluck()
      .all(limit, offset);
    return { takes: this.takesBySeq(seqs), total };
  }

  /**
   * The only delete: removes every trashed take's row (tags, peaks, embedding and export records
   * go with it) and returns their WAVs for the caller to remove.
   */
  emptyTrash(): TrashedFiles {
    const gone = this.write(() => this.db.transaction(() => {
      const rows = this.sql<{ id: string; file: string }>('SELECT id, file FROM takes WHERE deleted_at IS NOT NULL ORDER BY seq').all();
      this.sql('DELETE FROM takes WHERE deleted_at IS NOT NULL').run();
      return rows;
    })());
    if (gone.length > 0) this.forgetEmbeddings(); // reloaded without them on the next sound search
    return { ids: gone.map((r) => r.id), files: gone.map((r) => absolutePath(this.libraryDir, r.file)) };
  }

  // ---- search by sound --------------------------------------------------------------------------

  /** Stores (or replaces) the take's CLAP audio embedding. */
  setEmbedding(takeId: string, embedding: Float32Array): void {
    checkEmbedding(embedding, this.embeddingDims());
    const { seq, live } = this.write(() => this.db.transaction(() => {
      const row = this.sql<{ seq: number; live: number }>('SELECT seq, deleted_at IS NULL AS live FROM takes WHERE id = ?').get(takeId);
      if (!row) throw new TakeNotFoundError(takeId);
      this.sql('INSERT OR REPLACE INTO take_clap (take_seq, clap_embedding) VALUES (?, ?)').run(row.seq, floatBlob(embedding));
      return row;
    })());
    this.indexSet(seq, embedding, live === 1);
  }

  /** The take's stored CLAP audio embedding (read from its row: no need for the search index). */
  embedding(takeId: string): Float32Array {
    const blob = this.sql<Uint8Array>('SELECT c.clap_embedding FROM take_clap c JOIN takes t ON t.seq = c.take_seq WHERE t.id = ?').pluck().get(takeId);
    if (!blob) {
      this.seqOf(takeId); // an unknown take is TakeNotFoundError, not a missing embedding
      throw new EmbeddingMissingError(takeId);
    }
    return floatsOf(blob).slice();
  }

  /** The `k` live takes that sound most like `takeId` (cosine of CLAP embeddings), best first. */
  similar(takeId: string, k: number): SimilarTake[] {
    checkCount('k', k);
    const seq = this.seqOf(takeId);
    const index = this.embeddingIndex();
    const query = index?.unitVector(seq);
    if (!index || !query) throw new EmbeddingMissingError(takeId);
    return this.takesFor(index.nearest(query, k, seq));
  }

  /** The `k` live takes nearest to an embedding, e.g. CLAP's text embedding of a description. */
  rankByEmbedding(query: Float32Array, k: number): SimilarTake[] {
    checkCount('k', k);
    const index = this.embeddingIndex();
    checkEmbedding(query, index?.dims);
    return index ? this.takesFor(index.nearest(unit(query), k)) : [];
  }

  // ---- references and exports -------------------------------------------------------------------

  /** Adds a reference whose WAV the caller has already written at `reference.file`. */
  addReference(reference: NewLibraryReference): LibraryReference {
    const columns = referenceColumns(reference, new Date());
    if (!this.options.benchmarkOnlySkipFileCheck && !fileIsPresent(absolutePath(this.libraryDir, reference.file))) {
      throw new LibraryFileMissingError(reference.file);
    }
    this.unique(() => this.write(() => this.sql(`INSERT INTO "references" (id, name, origin_json, file, sample_rate, samples, duration_s, sha256,
      notices_json, created_at, peaks) VALUES (@id, @name, @origin_json, @file, @sample_rate, @samples, @duration_s, @sha256,
      @notices_json, @created_at, @peaks)`).run(columns)));
    return this.reference(reference.id);
  }

  /** A reference; throws ReferenceNotFoundError for an unknown id. */
  reference(id: string): LibraryReference {
    const row = this.sql<ReferenceRow>('SELECT * FROM "references" WHERE id = ?').get(id);
    if (!row) throw new ReferenceNotFoundError(id);
    return referenceFromRow(row);
  }

  /** Whether the library has this reference (trashed or not). */
  hasReference(id: string): boolean {
    return this.sql<number>('SELECT 1 FROM "references" WHERE id = ?').pluck().get(id) !== undefined;
  }

  /** Live references, newest first. */
  listReferences(): LibraryReference[] {
    return this.sql<ReferenceRow>('SELECT * FROM "references" WHERE deleted_at IS NULL ORDER BY created_at DESC, rowid DESC').all().map(referenceFromRow);
  }

  /** Absolute path of a reference's WAV. */
  referenceFile(id: string): string {
    return absolutePath(this.libraryDir, this.reference(id).file);
  }

  /** Records that a take was exported (the file itself is the export writer's). */
  addExport(takeId: string, path: string, options: ExportOptions, now = new Date()): ExportRecord {
    const createdAt = now.toISOString();
    this.seqOf(takeId);
    const id = Number(this.write(() => this.sql('INSERT INTO exports (take_id, path, created_at, options_json) VALUES (?, ?, ?, ?)')
      .run(takeId, path, createdAt, JSON.stringify(options)).lastInsertRowid));
    return { id, takeId, path, createdAt, options };
  }

  /** Whether LOA Studio wrote an export at `path` (as recorded by addExport). */
  isExportPath(path: string): boolean {
    return this.sql('SELECT 1 FROM exports WHERE path = ? LIMIT 1').get(path) !== undefined;
  }

  /** A take's exports, oldest first. */
  listExports(takeId: string): ExportRecord[] {
    return this.sql<{ id: number; take_id: string; path: string; created_at: string; options_json: string }>(
      'SELECT id, take_id, path, created_at, options_json FROM exports WHERE take_id = ? ORDER BY id',
    ).all(takeId).map((r) => ({ id: r.id, takeId: r.take_id, path: r.path, createdAt: r.created_at, options: JSON.parse(r.options_json) as ExportOptions }));
  }

  // ---- housekeeping -----------------------------------------------------------------------------

  /**
   * Compares the rows with the folder, changing neither: rows whose WAV is missing (or empty),
   * and WAVs under Generations/ that no take names. Run it after open. Async because it stats
   * every file (about a second at 100 000 takes, see the benchmark) without blocking.
   */
  async reconcile(): Promise<ReconcileReport> {
    const takes = this.sql<{ id: string; file: string }>('SELECT id, file FROM takes ORDER BY seq').all();
    const references = this.sql<{ id: string; file: string }>('SELECT id, file FROM "references" ORDER BY rowid').all();
    const [missingTakes, missingReferences, wavs] = await Promise.all([
      missingFiles(this.libraryDir, takes.map((r) => r.file)),
      missingFiles(this.libraryDir, references.map((r) => r.file)),
      listWavFiles(this.libraryDir, GENERATIONS_DIR),
    ]);
    const lost = (rows: Array<{ id: string; file: string }>, files: string[], kind: 'take' | 'reference') => {
      const gone = new Set(files);
      return rows.filter((r) => gone.has(r.file)).map((r) => ({ kind, id: r.id, file: r.file }));
    };
    const named = new Set(takes.map((r) => r.file));
    return {
      missing: [...lost(takes, missingTakes, 'take'), ...lost(references, missingReferences, 'reference')],
      orphans: wavs.filter((file) => !named.has(file)),
    };
  }

  // ---- internals --------------------------------------------------------------------------------

  /** Prepared once per connection: parsing costs more than running most of these statements. */
  /**
   * How many takes a search matches. A list scrolled page by page asks the same count for every
   * page, and at 100 000 takes counting costs more than the page itself, so the last count is
   * kept until the database changes: `total_changes()` moves with this connection's writes,
   * `data_version` with any other process's (the CLI writing into the same library).
   */
  private countMatches(sql: string, params: ReadonlyArray<string | number>): number {
    const version = `${this.otherWrites()}:${this.sql<number>('SELECT total_changes()').pluck().get()}`;
    const key = JSON.stringify([sql, params]);
    if (this.lastCount?.key === key && this.lastCount.version === version) return this.lastCount.total;
    const total = this.sql<number>(sql).pluck().get(...params) ?? 0;
    this.lastCount = { key, version, total };
    return total;
  }

  private sql<Row = unknown>(text: string): Statement<Row> {
    let statement = this.statements.get(text);
    if (!statement) this.statements.set(text, (statement = this.db.prepare(text)));
    return statement as Statement<Row>;
  }

  private seqOf(id: string): number {
    const seq = this.sql<number>('SELECT seq FROM takes WHERE id = ?').pluck().get(id);
    if (seq === undefined) throw new TakeNotFoundError(id);
    return seq;
  }

  private setDeleted(ids: string[], deletedAt: string | null): number {
    const changed = this.write(() => this.db.transaction(() => {
      const update = this.sql(deletedAt === null
        ? 'UPDATE takes SET deleted_at = NULL WHERE seq = ? AND deleted_at IS NOT NULL'
        : 'UPDATE takes SET deleted_at = ? WHERE seq = ? AND deleted_at IS NULL');
      const seqs: number[] = [];
      for (const id of ids) {
        const seq = this.seqOf(id); // an unknown id rolls the whole batch back
        if (update.run(...(deletedAt === null ? [seq] : [deletedAt, seq])).changes > 0) seqs.push(seq);
      }
      return seqs;
    })());
    for (const seq of changed) (this.index ?? this.loading?.index)?.setLive(seq, deletedAt === null);
    return changed.length;
  }

  /** Length of the library's embeddings: all come from one CLAP model, or they cannot be compared. */
  private embeddingDims(): number | undefined {
    if (this.index) return this.index.dims;
    const bytes = this.sql<number>('SELECT length(clap_embedding) FROM take_clap LIMIT 1').pluck().get();
    return bytes === undefined ? undefined : bytes / 4;
  }

  /**
   * Loads the next `rows` embeddings into the index for search by sound; true once all are in.
   * The studio calls it a slice at a time after opening a library, so the first search by sound
   * finds them loaded (100 000 of them take over a second to read) and the process never stalls
   * for the whole load. A search that comes first finishes the load itself.
   */
  warmEmbeddings(rows = 2000): boolean {
    if (this.index !== undefined && this.indexVersion === this.otherWrites()) return true;
    if (this.index !== undefined) this.forgetEmbeddings(); // another process wrote: read them again
    this.loading ??= { afterSeq: -1, expected: this.sql<number>('SELECT count(*) FROM take_clap').pluck().get() ?? 0, version: this.otherWrites() };
    const loading = this.loading;
    const batch = this.sql<{ seq: number; blob: Uint8Array; live: number }>(
      `SELECT c.take_seq AS seq, c.clap_embedding AS blob, t.deleted_at IS NULL AS live FROM take_clap c JOIN takes t ON t.seq = c.take_seq
       WHERE c.take_seq > ? ORDER BY c.take_seq LIMIT ?`,
    ).all(loading.afterSeq, rows);
    for (const row of batch) {
      const vector = floatsOf(row.blob);
      loading.index ??= EmbeddingIndex.build(vector.length, [], loading.expected);
      loading.index.set(row.seq, vector, row.live === 1);
      loading.afterSeq = row.seq;
    }
    if (batch.length === rows) return false;
    this.index = loading.index ?? null;
    this.indexVersion = loading.version;
    this.loading = undefined;
    return true;
  }

  private embeddingIndex(): EmbeddingIndex | null {
    while (!this.warmEmbeddings(10_000));
    return this.index ?? null;
  }

  /** Moves when another connection (the CLI writing into this library) commits; not with our own writes. */
  private otherWrites(): number {
    return this.sql<number>('PRAGMA data_version').pluck().get() ?? 0;
  }

  private forgetEmbeddings(): void {
    this.index = undefined;
    this.loading = undefined;
  }

  private indexSet(seq: number, embedding: Float32Array, live: boolean): void {
    if (this.index === undefined) {
      // Not loaded: the load reads it from the table (a load under way takes it now as well).
      this.loading?.index?.set(seq, embedding, live);
      return;
    }
    this.index ??= EmbeddingIndex.build(embedding.length, []);
    this.index.set(seq, embedding, live);
  }

  /** Full takes for these seqs, in the same order, in one query. */
  private takesBySeq(seqs: readonly number[]): LibraryTake[] {
    if (seqs.length === 0) return [];
    const rows = this.sql<TakeRow>(`SELECT ${TAKE_COLUMNS} FROM takes t WHERE t.seq IN (SELECT value FROM json_each(?))`).all(JSON.stringify(seqs));
    const bySeq = new Map(rows.map((row) => [row.seq, row]));
    return seqs.map((seq) => takeFromRow(bySeq.get(seq)!));
  }

  private takesFor(matches: Match[]): SimilarTake[] {
    const takes = this.takesBySeq(matches.map((m) => m.seq));
    return matches.map(({ similarity }, i) => ({ take: takes[i], similarity }));
  }

  /**
   * Runs a write; SQLite's full-disk failure (SQLITE_FULL: the WAL or the database could not grow)
   * becomes DiskFullError naming the library, instead of a raw "database or disk is full". The
   * transaction has rolled back, so nothing was half-written.
   */
  private write<T>(work: () => T): T {
    try {
      return work();
    } catch (error) {
      if (isDiskFull(error)) throw new DiskFullError(this.path);
      throw error;
    }
  }

  /** Turns a duplicate id or file into a request error the caller can act on. */
  private unique<T>(write: () => T): T {
    try {
      return write();
    } catch (error) {
      if (sqliteErrorCode(error) === 'SQLITE_CONSTRAINT_UNIQUE' || sqliteErrorCode(error) === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
        const field = /\.file\b/.test((error as Error).message) ? 'file' : 'id';
        throw new InvalidRequestError(field, `The library already has an entry with this ${field} (${(error as Error).message}).`, 'Use a new id (newTakeId) and file name for every take.');
      }
      throw error;
    }
  }
}
