/**
 * Writes a checkpoint folder into a Hugging Face cache exactly as Python's huggingface_hub lays it
 * out (blobs named by sha256 / git sha1, relative snapshot symlinks, refs/main): the copy a person
 * who already ran diffusers has.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { repoFolderName } from '../hf-cache.ts';

const LFS = /\.(safetensors|bin|model)$/;

export function blobHash(path: string, bytes: Buffer): string {
  return LFS.test(path) ? createHash('sha256').update(bytes).digest('hex') : createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}

/** Returns the snapshot folder. */
export function writeHfSnapshot(cacheDir: string, repo: string, commit: string, checkpointDir: string, ref = 'main'): string {
  const repoDir = join(cacheDir, repoFolderName(repo));
  const snapshot = join(repoDir, 'snapshots', commit);
  const walk = (dir: string, prefix: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        walk(join(dir, entry.name), rel);
        continue;
      }
      const bytes = readFileSync(join(dir, entry.name));
      const blob = join(repoDir, 'blobs', blobHash(rel, bytes));
      mkdirSync(dirname(blob), { recursive: true });
      writeFileSync(blob, bytes);
      const link = join(snapshot, ...rel.split('/'));
      mkdirSync(dirname(link), { recursive: true });
      symlinkSync(relative(dirname(link), blob), link);
    }
  };
  walk(checkpointDir, '');
  mkdirSync(join(repoDir, 'refs'), { recursive: true });
  writeFileSync(join(repoDir, 'refs', ref), commit);
  return snapshot;
}
