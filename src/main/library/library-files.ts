/**
 * The library folder's files as the database names them: paths relative to the folder,
 * '/'-separated, so a library can move between folders and operating systems.
 */
import { statSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidRequestError } from '../../shared/errors.ts';
import type { ReconcileReport } from './library-types.ts';

/** A row that names a file: a take's or a reference's. */
export interface FileRow {
  id: string;
  file: string;
}

export const GENERATIONS_DIR = 'Generations';

/** Throws unless `file` is a plain relative path inside the library (no `..`, no drive, no `\`). */
export function checkRelativePath(field: string, file: unknown): string {
  const ok =
    typeof file === 'string' &&
    file !== '' &&
    !file.includes('\\') &&
    !file.startsWith('/') &&
    !/^[A-Za-z]:/.test(file) &&
    !/\p{Cc}/u.test(file) &&
    file.split('/').every((part) => part !== '' && part !== '.' && part !== '..');
  if (!ok) {
    throw new InvalidRequestError(field, `${field} must be a path inside the library folder, '/'-separated, got ${JSON.stringify(file)}.`);
  }
  return file;
}

export function absolutePath(libraryDir: string, file: string): string {
  return join(libraryDir, ...file.split('/'));
}

/** A regular file is there (an empty one counts as missing: a crash can leave one behind). */
export function fileIsPresent(path: string): boolean {
  // throwIfNoEntry: an exception per missing file would cost more than the stat itself.
  const info = statSync(path, { throwIfNoEntry: false });
  return info !== undefined && info.isFile() && info.size > 0;
}

/** How many stats reconcile keeps in flight: enough to keep libuv's four threads busy. */
const STAT_CONCURRENCY = 32;

/**
 * The library paths in `files` whose file is absent or empty, in their original order. Async, so
 * checking 100 000 files never blocks the main process.
 */
export async function missingFiles(libraryDir: string, files: readonly string[]): Promise<string[]> {
  const present = new Uint8Array(files.length);
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const i = next++;
      const info = await stat(absolutePath(libraryDir, files[i])).catch(() => undefined);
      present[i] = info !== undefined && info.isFile() && info.size > 0 ? 1 : 0;
    }
  };
  await Promise.all(Array.from({ length: STAT_CONCURRENCY }, worker));
  return files.filter((_, i) => present[i] === 0);
}

/**
 * Every `.wav` under `folder` (relative to the library), recursively, as library paths, sorted.
 * Names starting with a dot are skipped: atomic-write temp files and macOS `._` resource forks.
 */
export async function listWavFiles(libraryDir: string, folder: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (relative: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(absolutePath(libraryDir, relative), { withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    const folders: string[] = [];
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const path = `${relative}/${entry.name}`;
      if (entry.isDirectory()) folders.push(path);
      else if (entry.isFile() && entry.name.toLowerCase().endsWith('.wav')) found.push(path);
    }
    for (const path of folders) await walk(path);
  };
  await walk(folder);
  return found.sort();
}

/**
 * Compares a library's rows with its folder, changing neither: rows whose WAV is missing (or
 * empty), and WAVs under Generations/ that no take names.
 */
export async function reconcileFiles(libraryDir: string, takes: FileRow[], references: FileRow[]): Promise<ReconcileReport> {
  const [missingTakes, missingReferences, wavs] = await Promise.all([
    missingFiles(
      libraryDir,
      takes.map((r) => r.file),
    ),
    missingFiles(
      libraryDir,
      references.map((r) => r.file),
    ),
    listWavFiles(libraryDir, GENERATIONS_DIR),
  ]);
  const lost = (rows: FileRow[], files: string[], kind: 'take' | 'reference') => {
    const gone = new Set(files);
    return rows.filter((r) => gone.has(r.file)).map((r) => ({ kind, id: r.id, file: r.file }));
  };
  const named = new Set(takes.map((r) => r.file));
  return {
    missing: [...lost(takes, missingTakes, 'take'), ...lost(references, missingReferences, 'reference')],
    orphans: wavs.filter((file) => !named.has(file)),
  };
}
