/**
 * What the models folder holds, read from disk: each installed model (its manifest, the install
 * record naming the cache snapshot it was built from, its bytes and those shared with the cache by
 * hard links), a cache snapshot's size, and the free space where a download would land.
 */
import { readdir, readFile, stat, statfs } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import type { InstalledModel } from '../../shared/models/hub-install.ts';
import { MANIFEST_FILE } from '../engine/bundle/manifest.ts';
import { sizeOf } from './download-blob.ts';
import { COMMIT, snapshotFiles } from './hf-cache.ts';

/** Beside manifest.json in an installed model: the cache snapshot it was built from. */
export const INSTALL_RECORD = 'install.json';

export interface InstallRecord {
  repo: string;
  commit: string;
  snapshotDir: string;
  installedAt: string;
}

/** Free bytes on the file system that holds `dir` (or would, once created), and its device. */
export async function fsOf(dir: string): Promise<{ dev: number; free: number } | undefined> {
  let probe = resolve(dir);
  for (;;) {
    const info = await stat(probe).catch(() => undefined);
    if (info) {
      const fs = await statfs(probe).catch(() => undefined);
      return fs ? { dev: info.dev, free: fs.bavail * fs.bsize } : undefined;
    }
    const parent = dirname(probe);
    if (parent === probe) return undefined;
    probe = parent;
  }
}

export function snapshotOf(path: string): { repo: string; commit: string; snapshotDir: string } | undefined {
  const parts = resolve(path).split(sep);
  const i = parts.lastIndexOf('snapshots');
  if (i < 1 || !COMMIT.test(parts[i + 1] ?? '')) return undefined;
  const m = /^models--([^/]+?)--(.+)$/.exec(parts[i - 1]);
  if (!m) return undefined;
  return { repo: `${m[1]}/${m[2]}`, commit: parts[i + 1], snapshotDir: parts.slice(0, i + 2).join(sep) };
}

export async function snapshotBytes(snapshotDir: string): Promise<number> {
  let bytes = 0;
  for (const path of await snapshotFiles(snapshotDir)) bytes += Math.max(0, await sizeOf(join(snapshotDir, ...path.split('/'))));
  return bytes;
}

export async function readInstalled(dir: string): Promise<InstalledModel> {
  const manifest = JSON.parse(await readFile(join(dir, MANIFEST_FILE), 'utf8')) as {
    id: string;
    name: string;
    license: string;
    source?: { repo?: string | null; revision?: string | null; checkpoint?: string | null };
  };
  const record = await readFile(join(dir, INSTALL_RECORD), 'utf8').then(
    (t) => JSON.parse(t) as Partial<InstallRecord>,
    () => undefined,
  );
  let bytes = 0;
  let sharedBytes = 0;
  const walk = async (folder: string): Promise<void> => {
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile()) {
        const info = await stat(path);
        if (info.nlink > 1) sharedBytes += info.size;
        else bytes += info.size;
      }
    }
  };
  await walk(dir);
  return {
    id: manifest.id,
    dir,
    name: manifest.name,
    license: manifest.license,
    repo: manifest.source?.repo ?? null,
    revision: manifest.source?.revision ?? null,
    checkpoint: typeof record?.snapshotDir === 'string' ? record.snapshotDir : (manifest.source?.checkpoint ?? null),
    bytes,
    sharedBytes,
  };
}
