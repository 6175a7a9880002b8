/**
 * Imports a folder of existing sounds as references: every audio file below it (recursively, by
 * extension), one at a time on the import worker, reporting progress and skipping — with the
 * reason — whatever cannot be read. Hidden files and folders are passed over.
 */
import { readdir, stat } from 'node:fs/promises';
import { basename, extname, join, relative } from 'node:path';
import type { FolderImportReport } from '../../shared/studio/studio-api.ts';
import { InvalidRequestError } from '../../shared/errors.ts';
import { importReferenceOffThread } from '../audio/reference-import-thread.ts';
import type { LibraryStore } from './library-store.ts';

export const AUDIO_EXTENSIONS = new Set(['.wav', '.wave', '.bwf', '.flac', '.mp3', '.ogg', '.oga', '.opus']);

/** Audio files below `dir`, sorted, without following symlinked folders (no loops). */
export async function findAudioFiles(dir: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (folder: string) => {
    const entries = await readdir(folder, { withFileTypes: true });
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      if (entry.name.startsWith('.')) continue;
      const path = join(folder, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile() && AUDIO_EXTENSIONS.has(extname(entry.name).toLowerCase())) found.push(path);
    }
  };
  await walk(dir);
  return found;
}

export async function importFolder(
  library: LibraryStore,
  dir: string,
  sampleRate: number,
  onProgress: (done: number, total: number, current: string, skipped: number) => void,
): Promise<FolderImportReport> {
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory()) throw new InvalidRequestError('path', `${dir} is not a folder.`, 'Choose the folder that holds your sounds.');
  const files = await findAudioFiles(dir);
  const report: FolderImportReport = { imported: 0, skipped: [] };
  onProgress(0, files.length, '', 0);
  for (const [i, path] of files.entries()) {
    try {
      const clip = await importReferenceOffThread({ path, targetRate: sampleRate });
      await library.addReference({ name: relative(dir, path) || basename(path), origin: { kind: 'file', path }, samples: clip.samples, sampleRate, notices: clip.notices });
      report.imported++;
    } catch (error) {
      report.skipped.push({ path, reason: error instanceof Error ? error.message : String(error) });
    }
    onProgress(i + 1, files.length, path, report.skipped.length);
  }
  return report;
}
