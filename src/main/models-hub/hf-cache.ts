/**
 * The Hugging Face cache layout, shared with Python's huggingface_hub so both use one copy:
 *   <cache>/models--org--name/blobs/<sha256 | git sha1>        file contents, named by the Hub's hash
 *   <cache>/models--org--name/blobs/<hash>.incomplete          a download in progress (huggingface_hub resumes these too)
 *   <cache>/models--org--name/snapshots/<commit>/<path>        relative symlinks into blobs/
 *   <cache>/models--org--name/refs/<branch>                    the commit a branch pointed at
 * A blob's name is its checksum, so a blob can be checked with no network: sha256 for LFS files,
 * git's blob sha1 ("blob <size>\0" + bytes) for small files kept in git.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { copyFile, lstat, mkdir, readdir, readFile, readlink, rename, rm, stat, symlink, unlink, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';

/**
 * Where huggingface_hub looks, in its order: HF_HUB_CACHE (formerly HUGGINGFACE_HUB_CACHE), else
 * HF_HOME/hub, else $XDG_CACHE_HOME/huggingface/hub, else ~/.cache/huggingface/hub — the same on
 * Linux, macOS and Windows (%USERPROFILE%\.cache\huggingface\hub). The first is where downloads go;
 * the rest are searched too, so a copy made under another setting is still found.
 */
export function hfCacheDirs(env: NodeJS.ProcessEnv = process.env, home = homedir()): string[] {
  const expand = (p: string) => (p.startsWith('~') ? join(home, p.slice(1)) : p);
  const candidates = [
    env.HF_HUB_CACHE,
    env.HUGGINGFACE_HUB_CACHE,
    env.HF_HOME ? join(env.HF_HOME, 'hub') : undefined,
    env.XDG_CACHE_HOME ? join(env.XDG_CACHE_HOME, 'huggingface', 'hub') : undefined,
    join(home, '.cache', 'huggingface', 'hub'),
  ];
  const seen = new Set<string>();
  const dirs: string[] = [];
  for (const c of candidates) {
    if (!c) continue;
    const dir = resolve(expand(c));
    if (!seen.has(dir)) {
      seen.add(dir);
      dirs.push(dir);
    }
  }
  return dirs;
}

export const REPO_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,95}\/[A-Za-z0-9][A-Za-z0-9_.-]{0,95}$/;
export const COMMIT = /^[0-9a-f]{40}$/;
const HASH = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

export function repoFolderName(repo: string): string {
  return `models--${repo.replace('/', '--')}`;
}

export function repoFromFolderName(name: string): string | undefined {
  const m = /^models--([^/]+?)--(.+)$/.exec(name);
  return m ? `${m[1]}/${m[2]}` : undefined;
}

export type HashKind = 'sha256' | 'git-sha1';

export function hashKind(hash: string): HashKind {
  return hash.length === 64 ? 'sha256' : 'git-sha1';
}

/** The file's sha256 (LFS files), or git's blob sha1 (small files stored in git). */
export async function hashFile(path: string, kind: HashKind, onBytes?: (n: number) => void): Promise<string> {
  const hash = createHash(kind === 'sha256' ? 'sha256' : 'sha1');
  if (kind === 'git-sha1') hash.update(`blob ${(await stat(path)).size}\0`);
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    hash.update(chunk as Buffer);
    onBytes?.((chunk as Buffer).length);
  }
  return hash.digest('hex');
}

export class HfRepoCache {
  readonly dir: string;
  constructor(
    readonly cacheDir: string,
    readonly repo: string,
  ) {
    this.dir = join(cacheDir, repoFolderName(repo));
  }

  blobPath(hash: string): string {
    if (!HASH.test(hash)) throw new Error(`not a Hub file hash: ${hash}`);
    return join(this.dir, 'blobs', hash);
  }

  incompletePath(hash: string): string {
    return `${this.blobPath(hash)}.incomplete`;
  }

  snapshotDir(commit: string): string {
    if (!COMMIT.test(commit)) throw new Error(`not a commit id: ${commit}`);
    return join(this.dir, 'snapshots', commit);
  }

  async readRef(name: string): Promise<string | undefined> {
    const value = await readFile(join(this.dir, 'refs', ...name.split('/')), 'utf8').then(
      (t) => t.trim(),
      () => undefined,
    );
    return value && COMMIT.test(value) ? value : undefined;
  }

  /** What huggingface_hub writes: the commit, no newline; replaced atomically. */
  async writeRef(name: string, commit: string): Promise<void> {
    const path = join(this.dir, 'refs', ...name.split('/'));
    await mkdir(dirname(path), { recursive: true });
    const tmp = `${path}.${process.pid}.tmp`;
    await writeFile(tmp, commit);
    await rename(tmp, path);
  }

  /** The blob a snapshot file points at (its hash), or undefined when it is missing or not a link into blobs/. */
  async snapshotBlob(commit: string, path: string): Promise<string | undefined> {
    const file = join(this.snapshotDir(commit), ...path.split('/'));
    try {
      const info = await lstat(file);
      if (!info.isSymbolicLink()) return undefined;
      const target = resolve(dirname(file), await readlink(file));
      if (dirname(target) !== join(this.dir, 'blobs')) return undefined;
      const name = target.slice(target.lastIndexOf(sep) + 1);
      if (!HASH.test(name)) return undefined;
      await stat(target); // dangling?
      return name;
    } catch {
      return undefined;
    }
  }

  /**
   * Points snapshots/<commit>/<path> at blobs/<hash> with a relative symlink, as huggingface_hub
   * does; where symlinks are not allowed (Windows without developer mode) the blob is copied, as
   * huggingface_hub also does.
   */
  async linkSnapshot(commit: string, path: string, hash: string): Promise<void> {
    const file = join(this.snapshotDir(commit), ...path.split('/'));
    await mkdir(dirname(file), { recursive: true });
    await unlink(file).catch(() => {});
    const blob = this.blobPath(hash);
    try {
      await symlink(relative(dirname(file), blob), file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EPERM') throw error;
      await copyFile(blob, file);
    }
  }
}

/** Relative paths of every file in a snapshot (symlinks included). */
export async function snapshotFiles(snapshotDir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string, prefix: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
      const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
      if (entry.isDirectory()) await walk(join(dir, entry.name), rel);
      else out.push(rel);
    }
  };
  await walk(snapshotDir, '');
  return out.sort();
}

/** Every snapshot of every repo in a cache folder. */
export async function listCachedSnapshots(cacheDir: string): Promise<Array<{ repo: string; commit: string; refs: string[]; snapshotDir: string }>> {
  const result: Array<{ repo: string; commit: string; refs: string[]; snapshotDir: string }> = [];
  for (const entry of await readdir(cacheDir, { withFileTypes: true }).catch(() => [])) {
    const repo = entry.isDirectory() ? repoFromFolderName(entry.name) : undefined;
    if (!repo) continue;
    const cache = new HfRepoCache(cacheDir, repo);
    const refs = new Map<string, string[]>();
    const walkRefs = async (dir: string, prefix: string): Promise<void> => {
      for (const r of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
        const name = prefix ? `${prefix}/${r.name}` : r.name;
        if (r.isDirectory()) await walkRefs(join(dir, r.name), name);
        else {
          const commit = await cache.readRef(name);
          if (commit) refs.set(commit, [...(refs.get(commit) ?? []), name]);
        }
      }
    };
    await walkRefs(join(cache.dir, 'refs'), '');
    for (const snap of await readdir(join(cache.dir, 'snapshots'), { withFileTypes: true }).catch(() => [])) {
      if (snap.isDirectory() && COMMIT.test(snap.name)) {
        result.push({ repo, commit: snap.name, refs: refs.get(snap.name) ?? [], snapshotDir: join(cache.dir, 'snapshots', snap.name) });
      }
    }
  }
  return result;
}

/**
 * Deletes one snapshot and the blobs only it uses (another snapshot's blobs stay), its refs, and
 * the repo folder once nothing is left in it. Returns the bytes freed.
 */
export async function removeSnapshot(cacheDir: string, repo: string, commit: string): Promise<number> {
  const cache = new HfRepoCache(cacheDir, repo);
  const others = (await listCachedSnapshots(cacheDir)).filter((s) => s.repo === repo && s.commit !== commit);
  const keep = new Set<string>();
  for (const other of others) {
    for (const path of await snapshotFiles(other.snapshotDir)) {
      const blob = await cache.snapshotBlob(other.commit, path);
      if (blob) keep.add(blob);
    }
  }
  let freed = 0;
  for (const path of await snapshotFiles(cache.snapshotDir(commit))) {
    const blob = await cache.snapshotBlob(commit, path);
    if (blob && !keep.has(blob)) {
      freed += await stat(cache.blobPath(blob)).then(
        (s) => s.size,
        () => 0,
      );
      await rm(cache.blobPath(blob), { force: true });
      keep.add(blob); // counted once
    }
  }
  await rm(cache.snapshotDir(commit), { recursive: true, force: true });
  const refsDir = join(cache.dir, 'refs');
  for (const name of await readdir(refsDir).catch(() => [])) {
    if ((await cache.readRef(name)) === commit) await rm(join(refsDir, name), { force: true });
  }
  if (others.length === 0) await rm(cache.dir, { recursive: true, force: true });
  return freed;
}
