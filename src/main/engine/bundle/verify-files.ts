import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ModelBundleError } from '../../../shared/errors.ts';
import { openBundleFile, sha256Bounded } from './bundle-files.ts';
import { manifestFiles, type BundleManifest } from './manifest.ts';

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Remembers checksums that already matched, keyed by path, size and mtime, so a multi-GB bundle is
 * hashed once per change rather than at every start. A changed file is re-hashed.
 */
export class ChecksumCache {
  private entries: Record<string, string> | undefined;

  constructor(private readonly file?: string) {}

  private async load(): Promise<Record<string, string>> {
    if (this.entries) return this.entries;
    this.entries = {};
    if (this.file) {
      try {
        this.entries = JSON.parse(await readFile(this.file, 'utf8')) as Record<string, string>;
      } catch {
        this.entries = {};
      }
    }
    return this.entries;
  }

  async lookup(key: string): Promise<string | undefined> {
    return (await this.load())[key];
  }

  async store(key: string, sha: string): Promise<void> {
    const entries = await this.load();
    entries[key] = sha;
    if (!this.file) return;
    await mkdir(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(entries));
    await rename(tmp, this.file);
  }
}

/**
 * Checks that every file the manifest names exists inside the bundle as a regular file with the
 * right size and sha256; reads each at most to its declared size (openBundleFile says why).
 */
export async function verifyBundleFiles(dir: string, manifest: BundleManifest, cache = new ChecksumCache()): Promise<void> {
  for (const entry of manifestFiles(manifest)) {
    const { path, handle, size, mtimeMs } = await openBundleFile(dir, entry.file);
    try {
      if (size !== entry.bytes) {
        throw new ModelBundleError(path, `${entry.file} is ${size} bytes but the manifest says ${entry.bytes}: the file is truncated or was replaced.`, 'Copy or download the bundle again.');
      }
      const key = `${path}|${size}|${mtimeMs}`;
      if ((await cache.lookup(key)) === entry.sha256) continue;
      const actual = await sha256Bounded(handle, entry.bytes);
      if (actual !== entry.sha256) {
        throw new ModelBundleError(path, `${entry.file} does not match its checksum in manifest.json (the file is corrupt or was modified).`, 'Copy or download the bundle again.');
      }
      await cache.store(key, actual);
    } finally {
      await handle.close();
    }
  }
}
