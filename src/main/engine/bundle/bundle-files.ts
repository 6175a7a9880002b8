/**
 * Opening the files of a model bundle, which may come from anywhere (a download, a USB stick, a
 * shared folder). Only regular files are read, never more bytes than expected, and nothing whose
 * real path (symlinks resolved) leaves the bundle folder. Before this, a manifest.json that was a
 * FIFO, or a graph that was a symlink to /dev/zero with "bytes": 0, made `models verify` and
 * `generate` wait or hash forever.
 */
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { open, realpath, type FileHandle } from 'node:fs/promises';
import { isAbsolute, join, normalize, sep } from 'node:path';
import { ModelBundleError } from '../../../shared/errors.ts';

export const MANIFEST_FILE = 'manifest.json';
/** A manifest lists a few dozen files: anything near this size is not one. */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

// O_NONBLOCK: opening a FIFO for reading otherwise waits for a writer that never comes. Only the
// open is non-blocking; a regular file reads as usual. (Windows has no such flag and no FIFOs.)
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);
const READ_SLICE = 1 << 20;

/** Bundle paths are relative and stay inside the bundle: a manifest can't point at ~/.ssh. */
export function resolveInBundle(dir: string, file: string): string {
  const clean = normalize(file);
  if (isAbsolute(clean) || clean === '..' || clean.startsWith(`..${sep}`)) {
    throw new ModelBundleError(join(dir, MANIFEST_FILE), `The manifest names a file outside the bundle: ${file}.`);
  }
  return join(dir, clean);
}

/** A file the manifest names is not there (told apart so a missing manifest can say "no bundle here"). */
export class BundleFileMissingError extends ModelBundleError {
  constructor(path: string, file: string) {
    super(path, `The bundle is incomplete: ${file} is missing.`, 'Copy the whole bundle folder again, or re-export it.');
  }
}

export interface OpenedBundleFile {
  /** The path inside the bundle (as the manifest names it), for messages. */
  path: string;
  handle: FileHandle;
  size: number;
  mtimeMs: number;
}

/**
 * Opens `file` of the bundle at `dir` for reading: missing → ModelBundleError naming it; a symlink
 * whose target is outside the bundle, or anything but a regular file (FIFO, device, folder) →
 * ModelBundleError. The caller closes the handle.
 */
export async function openBundleFile(dir: string, file: string): Promise<OpenedBundleFile> {
  const path = resolveInBundle(dir, file);
  let real: string;
  let realDir: string;
  try {
    [realDir, real] = await Promise.all([realpath(dir), realpath(path)]);
  } catch {
    throw new BundleFileMissingError(path, file);
  }
  if (!real.startsWith(realDir.endsWith(sep) ? realDir : realDir + sep)) {
    throw new ModelBundleError(
      path,
      `${file} is a link to ${real}, outside the bundle folder; a bundle's files must be inside it.`,
      'Copy the real file into the bundle folder instead of linking to it.',
    );
  }
  let handle: FileHandle;
  try {
    handle = await open(real, OPEN_FLAGS);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EISDIR') throw notRegular(path, file, 'a folder');
    throw new ModelBundleError(path, `Cannot read ${file}: ${(error as Error).message}.`, 'Check that the bundle folder is readable.');
  }
  const info = await handle.stat();
  if (!info.isFile()) {
    await handle.close();
    throw notRegular(path, file, info.isFIFO() ? 'a FIFO (named pipe)' : info.isDirectory() ? 'a folder' : 'a device or socket');
  }
  return { path, handle, size: info.size, mtimeMs: info.mtimeMs };
}

function notRegular(path: string, file: string, what: string): ModelBundleError {
  return new ModelBundleError(path, `${file} is ${what}, not a regular file.`, 'Copy or download the bundle again; its files must be plain files.');
}

/** Reads up to `limit` bytes from the start of an opened file. */
async function readUpTo(handle: FileHandle, limit: number): Promise<Uint8Array> {
  const bytes = new Uint8Array(limit);
  let at = 0;
  while (at < limit) {
    const { bytesRead } = await handle.read(bytes, at, Math.min(READ_SLICE, limit - at), at);
    if (bytesRead === 0) break;
    at += bytesRead;
  }
  return bytes.subarray(0, at);
}

/** The bytes of manifest.json, refused when it is not a regular file or is over MAX_MANIFEST_BYTES. */
export async function readManifestBytes(dir: string): Promise<Uint8Array> {
  const file = await openBundleFile(dir, MANIFEST_FILE);
  try {
    if (file.size > MAX_MANIFEST_BYTES) {
      throw new ModelBundleError(file.path, `manifest.json is ${file.size} bytes; a bundle manifest is at most ${MAX_MANIFEST_BYTES} bytes.`);
    }
    // One byte more than allowed tells a file that grew since stat from one that did not.
    const bytes = await readUpTo(file.handle, MAX_MANIFEST_BYTES + 1);
    if (bytes.length > MAX_MANIFEST_BYTES) throw new ModelBundleError(file.path, `manifest.json is over ${MAX_MANIFEST_BYTES} bytes.`);
    return bytes;
  } finally {
    await file.handle.close();
  }
}

/**
 * SHA-256 of exactly `bytes` bytes of an opened file: a file that turns out shorter (changed
 * meanwhile) gives the hash of what is there, which then fails the comparison. Never reads more.
 */
export async function sha256Bounded(handle: FileHandle, bytes: number): Promise<string> {
  const hash = createHash('sha256');
  const buffer = new Uint8Array(Math.min(READ_SLICE, Math.max(1, bytes)));
  for (let at = 0; at < bytes;) {
    const { bytesRead } = await handle.read(buffer, 0, Math.min(buffer.length, bytes - at), at);
    if (bytesRead === 0) break;
    hash.update(buffer.subarray(0, bytesRead));
    at += bytesRead;
  }
  return hash.digest('hex');
}
