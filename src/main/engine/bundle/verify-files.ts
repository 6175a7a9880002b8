import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ModelBundleError } from '../../../shared/errors.ts';
import { manifestFiles, resolveInBundle, type BundleManifest } from './manifest.ts';

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

/** Checks that every file the manifest names exists with the right size and sha256. */
export async function verifyBundleFiles(dir: string, manifest: BundleManifest, cache = new ChecksumCache()): Promise<void> {
  for (const entry of manifestFiles(manifest)) {
    const path = resolveInBundle(dir, entry.file);
    let info;
    try {
      info = await stat(path);
    } catch {
      throw new ModelBundleError(path, `The bundle is incomplete: ${entry.file} is missing.`, 'Copy the whole bundle folder again, or re-export it.');
    }
    if (info.size !== entry.bytes) {
      throw new ModelBundleError(path, `${entry.file} is ${info.size} bytes but the manifest says ${entry.bytes}: the file is truncated or was replaced.`, 'Copy or download the bundle again.');
    }
    const key = `${path}|${info.size}|${info.mtimeMs}`;
    if ((await cache.lookup(key)) === entry.sha256) continue;
    const actual = await sha256File(path);
    if (actual !== entry.sha256) {
      throw new ModelBundleError(path, `${entry.file} does not match its checksum in manifest.json (the file is corrupt or was modified).`, 'Copy or download the bundle again.');
    }
    await cache.store(key, actual);
  }
}
