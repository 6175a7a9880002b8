/**
 * The library's reference clips and its export records: their own tables beside the takes', on the
 * same connection (LibraryDb.references, LibraryDb.exports).
 */
import type { ExportOptions } from '../../shared/studio/studio-api.ts';
import type { LibraryConnection } from './library-connection.ts';
import { LibraryFileMissingError, ReferenceNotFoundError } from './library-errors.ts';
import { absolutePath, fileIsPresent } from './library-files.ts';
import type { ExportRecord, LibraryReference, NewLibraryReference } from './library-types.ts';
import { referenceColumns, referenceFromRow, type ReferenceRow } from './take-rows.ts';

const INSERT_REFERENCE = `INSERT INTO "references" (id, name, origin_json, file, sample_rate, samples, duration_s, sha256, notices_json, created_at, peaks)
  VALUES (@id, @name, @origin_json, @file, @sample_rate, @samples, @duration_s, @sha256, @notices_json, @created_at, @peaks)`;

export class ReferenceRows {
  constructor(
    private readonly conn: LibraryConnection,
    private readonly libraryDir: string,
    /** False only for benchmarks (LibraryOpenOptions.benchmarkOnlySkipFileCheck). */
    private readonly checkFiles: boolean,
  ) {}

  /** Adds a reference whose WAV the caller has already written at `reference.file`. */
  add(reference: NewLibraryReference): LibraryReference {
    const columns = referenceColumns(reference, new Date());
    if (this.checkFiles && !fileIsPresent(absolutePath(this.libraryDir, reference.file))) throw new LibraryFileMissingError(reference.file);
    this.conn.unique(() => this.conn.write(() => this.conn.sql(INSERT_REFERENCE).run(columns)));
    return this.get(reference.id);
  }

  /** A reference; throws ReferenceNotFoundError for an unknown id. */
  get(id: string): LibraryReference {
    const row = this.conn.sql<ReferenceRow>('SELECT * FROM "references" WHERE id = ?').get(id);
    if (!row) throw new ReferenceNotFoundError(id);
    return referenceFromRow(row);
  }

  /** Whether the library has this reference (trashed or not). */
  has(id: string): boolean {
    return this.conn.sql<number>('SELECT 1 FROM "references" WHERE id = ?').pluck().get(id) !== undefined;
  }

  /** Live references, newest first. */
  list(): LibraryReference[] {
    return this.conn.sql<ReferenceRow>('SELECT * FROM "references" WHERE deleted_at IS NULL ORDER BY created_at DESC, rowid DESC').all().map(referenceFromRow);
  }

  /** Absolute path of a reference's WAV. */
  file(id: string): string {
    return absolutePath(this.libraryDir, this.get(id).file);
  }
}

export class ExportRows {
  constructor(private readonly conn: LibraryConnection) {}

  /** Records that a take was exported (the file itself is the export writer's). */
  add(takeId: string, path: string, options: ExportOptions, now = new Date()): ExportRecord {
    const createdAt = now.toISOString();
    this.conn.seqOf(takeId);
    const insert = this.conn.sql('INSERT INTO exports (take_id, path, created_at, options_json) VALUES (?, ?, ?, ?)');
    const id = Number(this.conn.write(() => insert.run(takeId, path, createdAt, JSON.stringify(options)).lastInsertRowid));
    return { id, takeId, path, createdAt, options };
  }

  /** Whether LOA Studio wrote an export at `path` (as recorded by add). */
  isExportPath(path: string): boolean {
    return this.conn.sql('SELECT 1 FROM exports WHERE path = ? LIMIT 1').get(path) !== undefined;
  }

  /** A take's exports, oldest first. */
  list(takeId: string): ExportRecord[] {
    const rows = this.conn.sql<{ id: number; take_id: string; path: string; created_at: string; options_json: string }>(
      'SELECT id, take_id, path, created_at, options_json FROM exports WHERE take_id = ? ORDER BY id',
    );
    return rows.all(takeId).map((r) => ({ id: r.id, takeId: r.take_id, path: r.path, createdAt: r.created_at, options: JSON.parse(r.options_json) as ExportOptions }));
  }
}
