/**
 * The one module that loads better-sqlite3 (a native addon, kept external by electron-vite and
 * asar-unpacked by electron-builder). better-sqlite3 ships no type declarations and the project
 * has no @types package for it, so the small part of its API the library uses is typed here.
 * Everything is synchronous: better-sqlite3 runs each statement on the calling thread.
 */
import { createRequire } from 'node:module';

export type SqliteValue = string | number | bigint | Buffer | Uint8Array | null;

export interface RunResult {
  changes: number;
  lastInsertRowid: number | bigint;
}

export interface Statement<Row = unknown> {
  run(...params: SqliteValue[] | [Readonly<Record<string, SqliteValue>>]): RunResult;
  get(...params: SqliteValue[] | [Readonly<Record<string, SqliteValue>>]): Row | undefined;
  all(...params: SqliteValue[] | [Readonly<Record<string, SqliteValue>>]): Row[];
  iterate(...params: SqliteValue[] | [Readonly<Record<string, SqliteValue>>]): IterableIterator<Row>;
  /** Rows come back as the first column's value. */
  pluck(toggle?: boolean): Statement<Row>;
}

export interface SqliteDatabase {
  readonly open: boolean;
  readonly inTransaction: boolean;
  prepare<Row = unknown>(sql: string): Statement<Row>;
  exec(sql: string): SqliteDatabase;
  /** `simple: true` returns the first column of the first row. */
  pragma(source: string, options?: { simple?: boolean }): unknown;
  /** Wraps `fn` in BEGIN / COMMIT, rolling back when it throws (nested calls become savepoints). */
  transaction<Args extends unknown[], Result>(fn: (...args: Args) => Result): (...args: Args) => Result;
  close(): SqliteDatabase;
}

export interface OpenOptions {
  readonly?: boolean;
  /** Throw instead of creating an empty database file. */
  fileMustExist?: boolean;
  /** Milliseconds to wait for another connection's lock (better-sqlite3 default 5000). */
  timeout?: number;
}

type DatabaseConstructor = new (path: string, options?: OpenOptions) => SqliteDatabase;

let constructor: DatabaseConstructor | undefined;

/** Opens (or creates) a database file. Loads the addon on first use, so importing this is cheap. */
export function openSqlite(path: string, options: OpenOptions = {}): SqliteDatabase {
  constructor ??= createRequire(import.meta.url)('better-sqlite3') as DatabaseConstructor;
  return new constructor(path, options);
}

/** better-sqlite3's SqliteError: `code` is SQLite's extended result code name, e.g. 'SQLITE_CORRUPT'. */
export function sqliteErrorCode(error: unknown): string | undefined {
  if (error instanceof Error && error.name === 'SqliteError') return (error as Error & { code?: string }).code;
  return undefined;
}
