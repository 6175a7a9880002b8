/**
 * Imports a folder of existing sounds as references: every audio file below it (recursively),
 * told by its content, not its extension (the decoder reads .mp2, .mpga, renamed and extension-less
 * files alike), one at a time on the import worker, reporting progress. Every file that is not
 * imported is listed with the reason: not audio LOA Studio reads (and what it looks like), a link
 * to a folder, not a regular file, or whatever the decoder said. Hidden files and folders (".…",
 * e.g. .DS_Store) are passed over.
 */
import { open, readdir, stat } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import type { FolderImportReport } from '../../shared/studio/studio-api.ts';
import { InvalidRequestError } from '../../shared/errors.ts';
import { sniffAudio } from '../audio/decode-audio.ts';
import { importReferenceOffThread } from '../audio/reference-import-thread.ts';
import type { LibraryStore } from './library-store.ts';

/** Bytes read to tell a file's format: the container's header, and past ID3 padding to the first MPEG frame. */
const SNIFF_BYTES = 64 * 1024;
/** ID3v2 tags (cover art) can be large; beyond this the decoder decides, not the sniffer. */
const MAX_TAG_BYTES = 16 * 1024 * 1024;

export interface FolderScan {
  /** Files whose content is a format the decoder reads, sorted. */
  audio: string[];
  /** Everything else below the folder, with why it is not imported. */
  skipped: FolderImportReport['skipped'];
}

/**
 * Reads the start of a file: the first SNIFF_BYTES, or all its ID3v2 tags and SNIFF_BYTES after
 * them; null when the tags are too big to read for a guess (then the decoder decides).
 */
async function headOf(path: string, size: number): Promise<Uint8Array | null> {
  const handle = await open(path, 'r');
  try {
    const read = async (length: number): Promise<Uint8Array> => {
      const bytes = new Uint8Array(Math.min(length, size));
      const { bytesRead } = await handle.read(bytes, 0, bytes.length, 0);
      return bytes.subarray(0, bytesRead);
    };
    let head = await read(SNIFF_BYTES);
    // id3v2.4.0-structure §3.1: "ID3", version, flags, a syncsafe size; a footer adds 10 bytes.
    const id3At = (p: number) => p + 10 <= head.length && head[p] === 0x49 && head[p + 1] === 0x44 && head[p + 2] === 0x33;
    for (let end = 0; id3At(end);) {
      const tag = ((head[end + 6] & 0x7f) << 21) | ((head[end + 7] & 0x7f) << 14) | ((head[end + 8] & 0x7f) << 7) | (head[end + 9] & 0x7f);
      end += 10 + tag + (head[end + 5] & 0x10 ? 10 : 0);
      if (end > MAX_TAG_BYTES) return null;
      if (head.length < Math.min(size, end + SNIFF_BYTES)) head = await read(end + SNIFF_BYTES);
    }
    return head;
  } finally {
    await handle.close();
  }
}

/** Why bytes the decoder does not read are skipped, in the words sniffAudio found for them. */
function notAudio(looksLike: string | null): string {
  return looksLike === null ? 'not an audio format LOA Studio reads' : `not an audio format LOA Studio reads: it looks like ${looksLike}`;
}

/**
 * Walks `dir` (not following links to folders, so no loops) and sorts every file into audio to
 * import or skipped with a reason. The format is decided by content (decode-audio.ts sniffAudio).
 */
export async function scanFolder(dir: string): Promise<FolderScan> {
  const scan: FolderScan = { audio: [], skipped: [] };
  const walk = async (folder: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(folder, { withFileTypes: true });
    } catch (error) {
      scan.skipped.push({ path: folder, reason: `the folder could not be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})` });
      return;
    }
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      if (entry.name.startsWith('.')) continue;
      const path = join(folder, entry.name);
      if (entry.isDirectory()) {
        await walk(path);
        continue;
      }
      const info = await stat(path).catch(() => null); // follows a link to a file
      if (info === null) scan.skipped.push({ path, reason: 'a link whose target is missing' });
      else if (info.isDirectory()) scan.skipped.push({ path, reason: 'a link to a folder (links to folders are not followed, so a folder cannot contain itself)' });
      else if (!info.isFile()) scan.skipped.push({ path, reason: 'not a regular file (a pipe, socket or device)' });
      else if (info.size === 0) scan.skipped.push({ path, reason: 'an empty file (0 bytes)' });
      else {
        try {
          const head = await headOf(path, info.size);
          const sniffed = head === null ? null : sniffAudio(head);
          if (sniffed?.family === 'unknown') scan.skipped.push({ path, reason: notAudio(sniffed.looksLike) });
          else scan.audio.push(path);
        } catch (error) {
          scan.skipped.push({ path, reason: `the file could not be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})` });
        }
      }
    }
  };
  await walk(dir);
  return scan;
}

export async function importFolder(
  library: LibraryStore,
  dir: string,
  sampleRate: number,
  onProgress: (done: number, total: number, current: string, skipped: number) => void,
): Promise<FolderImportReport> {
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory()) throw new InvalidRequestError('path', `${dir} is not a folder.`, 'Choose the folder that holds your sounds.');
  const { audio, skipped } = await scanFolder(dir);
  const report: FolderImportReport = { imported: 0, skipped };
  onProgress(0, audio.length, '', report.skipped.length);
  for (const [i, path] of audio.entries()) {
    try {
      const clip = await importReferenceOffThread({ path, targetRate: sampleRate });
      await library.addReference({ name: relative(dir, path) || basename(path), origin: { kind: 'file', path }, samples: clip.samples, sampleRate, notices: clip.notices });
      report.imported++;
    } catch (error) {
      report.skipped.push({ path, reason: error instanceof Error ? error.message : String(error) });
    }
    onProgress(i + 1, audio.length, path, report.skipped.length);
  }
  // One list, in folder order, whichever stage skipped a file.
  report.skipped.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return report;
}
