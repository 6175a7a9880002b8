/**
 * The library's database file itself: opening it safely (integrity check first, read-only, then
 * WAL and migrations) and setting a damaged one aside when the user asks for a rebuild.
 */
import { mkdirSync, readdirSync, renameSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DiskFullError, isDiskFull, LoaError } from '../../shared/errors.ts';
import { LibraryCorruptError } from './library-errors.ts';
import { GENERATIONS_DIR } from './library-files.ts';
import { migrate } from './schema.ts';
import { openSqlite, sqliteErrorCode, type SqliteDatabase } from './sqlite-driver.ts';

export const DB_FILE = 'library.sqlite';

function isCorruption(error: unknown): boolean {
  const code = sqliteErrorCode(error) ?? '';
  return code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_IOERR_SHORT_READ';
}

/**
 * Refuses a damaged file before anything writes to it. Opened read-only, so neither setting WAL
 * nor a migration nor a checkpoint can touch it; `quick_check` reads every page (O(N), without
 * the index cross-checks of integrity_check). An empty file is an empty database to SQLite.
 */
function checkIntact(path: string): void {
  let size: number;
  try {
    size = statSync(path).size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw new LoaError('IO_FAILED', `Cannot read the library database ${path}: ${(error as Error).message}.`, 'Check that the library folder is readable, or choose another in Settings.');
  }
  if (size === 0) {
    // SQLite reads a 0-byte file as an empty database. Ours is never empty once created, so with
    // takes on disk this is a database that lost its contents: say so (and offer the rebuild)
    // instead of showing an empty library as if nothing had been made.
    const takes = takeFilesBeside(path);
    if (takes > 0) throw new LibraryCorruptError(path, `it is empty (0 bytes), yet ${GENERATIONS_DIR}/ holds ${takes} take file${takes === 1 ? '' : 's'}`);
    return;
  }
  let db: SqliteDatabase | undefined;
  try {
    db = openSqlite(path, { readonly: true, fileMustExist: true });
    const problems = db.prepare<string>('PRAGMA quick_check(5)').pluck().all();
    if (problems.length !== 1 || problems[0] !== 'ok') throw new LibraryCorruptError(path, problems.join('; '));
  } catch (error) {
    if (error instanceof LibraryCorruptError) throw error;
    if (isCorruption(error)) throw new LibraryCorruptError(path, (error as Error).message);
    throw new LoaError(
      'IO_FAILED',
      `Cannot open the library database ${path}: ${(error as Error).message}.`,
      'Check that the library folder is readable and not on a network share, or choose another in Settings.',
    );
  } finally {
    db?.close();
  }
}

/** How many WAVs lie under Generations/ beside the database (read only for a 0-byte database). */
function takeFilesBeside(path: string): number {
  try {
    return readdirSync(join(dirname(path), GENERATIONS_DIR), { recursive: true, encoding: 'utf8' }).filter((name) => name.toLowerCase().endsWith('.wav')).length;
  } catch {
    return 0; // no Generations/ folder: a new library
  }
}

/**
 * WAL: readers never wait for the writer, and a commit appends to the -wal file instead of
 * rewriting pages. synchronous=NORMAL syncs at checkpoints, not at every commit: the database
 * always stays consistent, and an app crash loses nothing; only a power cut or OS crash can
 * roll back the last commits (sqlite.org/pragma.html#pragma_synchronous). A take lost that way
 * still has its WAV with its recipe, which reconcile() reports for re-import, so per-take fsyncs
 * (FULL) would buy nothing the WAVs do not already give.
 */
function configure(db: SqliteDatabase, path: string): void {
  // 16 KiB pages hold seven 2 KiB embeddings or four 4 KiB peak blobs; at 4 KiB a 2 KiB embedding
  // took a whole page. The price is more bytes per commit (addTake ~2.9 ms instead of ~1.7 ms),
  // which a few takes per job never notice. Only a new database can choose, before WAL is on.
  if (db.pragma('page_count', { simple: true }) === 0) db.pragma('page_size = 16384');
  const mode = db.pragma('journal_mode = WAL', { simple: true });
  if (mode !== 'wal') {
    throw new LoaError(
      'IO_FAILED',
      `The library database ${path} cannot use write-ahead logging (journal mode stayed "${String(mode)}").`,
      'Choose a library folder on a local disk in Settings (network shares do not support it).',
    );
  }
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  // 64 MiB of page cache instead of SQLite's 2 MiB: the hot indexes of a 100 000-take library
  // stay in memory, which halved filtered searches in the benchmark.
  db.pragma('cache_size = -65536');
}

/**
 * Opens the database at `path` (creating it and its folder when absent), checked, configured and
 * migrated. LibraryCorruptError for a damaged file (left untouched), LibraryTooNewError for one
 * from a newer app.
 */
export function openDatabaseFile(path: string): SqliteDatabase {
  mkdirSync(dirname(path), { recursive: true });
  checkIntact(path);
  const db = openSqlite(path);
  try {
    configure(db, path);
    migrate(db, path);
  } catch (error) {
    db.close();
    if (isCorruption(error)) throw new LibraryCorruptError(path, (error as Error).message);
    if (isDiskFull(error)) throw new DiskFullError(path); // a migration could not grow the file
    throw error;
  }
  return db;
}

/**
 * Renames the database and its -wal/-shm to `<path>.<why>-<time>`: `corrupt` for a damaged one,
 * `before-rebuild` for one that opened fine (so nobody mistakes a healthy file for damage); null
 * when there is none.
 */
export function setAside(path: string, now: Date, why: 'corrupt' | 'before-rebuild' = 'corrupt'): string | null {
  const kept = `${path}.${why}-${now.toISOString().replace(/[:.]/g, '-')}`;
  try {
    renameSync(path, kept);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  for (const suffix of ['-wal', '-shm']) {
    try {
      renameSync(path + suffix, kept + suffix);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  return kept;
}
