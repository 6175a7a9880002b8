import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { DiskFullError, LoaError } from '../../shared/errors.ts';

/**
 * Writes a file so that readers see either nothing or the whole file: write a temporary sibling,
 * then rename. A full disk leaves no half file behind and says so plainly.
 */
export async function writeFileAtomic(path: string, data: Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.partial`);
  try {
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (error) {
    await rm(tmp, { force: true });
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOSPC' || code === 'EDQUOT') throw new DiskFullError(path);
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
      throw new LoaError('IO_FAILED', `Cannot write ${path}: permission denied.`, 'Choose a folder you can write to.');
    }
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') {
      throw new LoaError('IO_FAILED', `Cannot write ${path}: ${(error as Error).message}.`, 'Check the output path.');
    }
    throw error;
  }
}

/** x.wav, x-2.wav, x-3.wav …: take k of a job (1-based, best first). */
export function takePath(out: string, take: number): string {
  if (take === 1) return out;
  const dot = out.toLowerCase().endsWith('.wav') ? out.length - 4 : out.length;
  return `${out.slice(0, dot)}-${take}${out.slice(dot)}`;
}
