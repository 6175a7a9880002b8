/**
 * The library's SQLite connection and what every query shares: statements prepared once, a write
 * whose full disk becomes DiskFullError naming the library, and duplicate ids refused in words.
 */
import { DiskFullError, InvalidRequestError, isDiskFull } from '../../shared/errors.ts';
import { TakeNotFoundError } from './library-errors.ts';
import { sqliteErrorCode, type SqliteDatabase, type Statement } from './sqlite-driver.ts';

export interface ConnectionDiagnostics {
  journalMode: string;
  synchronous: number;
  foreignKeys: number;
  pageSize: number;
  schemaVersion: number;
}

export class LibraryConnection {
  /** Prepared once per connection: parsing costs more than running most of these statements. */
  private readonly statements = new Map<string, Statement>();

  constructor(
    readonly path: string,
    readonly db: SqliteDatabase,
  ) {}

  sql<Row = unknown>(text: string): Statement<Row> {
    let statement = this.statements.get(text);
    if (!statement) this.statements.set(text, (statement = this.db.prepare(text)));
    return statement as Statement<Row>;
  }

  /** A take's row number; TakeNotFoundError for an unknown id (trashed takes included). */
  seqOf(id: string): number {
    const seq = this.sql<number>('SELECT seq FROM takes WHERE id = ?').pluck().get(id);
    if (seq === undefined) throw new TakeNotFoundError(id);
    return seq;
  }

  /**
   * Runs a write; SQLite's full-disk failure (SQLITE_FULL: the WAL or the database could not grow)
   * becomes DiskFullError naming the library, instead of a raw "database or disk is full". The
   * transaction has rolled back, so nothing was half-written.
   */
  write<T>(work: () => T): T {
    try {
      return work();
    } catch (error) {
      if (isDiskFull(error)) throw new DiskFullError(this.path);
      throw error;
    }
  }

  /** Runs `work` as one transaction (rolled back whole if it throws), through write(). */
  transact<T>(work: () => T): T {
    return this.write(() => this.db.transaction(work)());
  }

  /** Turns a duplicate id or file into a request error the caller can act on. */
  unique<T>(write: () => T): T {
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

  diagnostics(): ConnectionDiagnostics {
    const pragma = (name: string) => this.db.pragma(name, { simple: true });
    return {
      journalMode: pragma('journal_mode') as string,
      synchronous: pragma('synchronous') as number,
      foreignKeys: pragma('foreign_keys') as number,
      pageSize: pragma('page_size') as number,
      schemaVersion: pragma('user_version') as number,
    };
  }
}
