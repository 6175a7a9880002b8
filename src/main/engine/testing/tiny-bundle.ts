/**
 * Test helpers around `models/tiny`, a committed random-weight diffusers checkpoint (written by
 * `npm run models:tiny`), and the bundle the model builder makes of it before every test run
 * (vitest.global-setup.ts).
 */
import { createHash } from 'node:crypto';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { BundleManifest } from '../bundle/manifest.ts';

export const TINY_CHECKPOINT = resolve(import.meta.dirname, '../../../../models/tiny');
export const TINY_BUNDLE = resolve(import.meta.dirname, '../../../../models/.generated/tiny-bundle');

export async function tempDir(prefix = 'loa-test-'): Promise<{ path: string; remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** A private copy of the tiny bundle that a test may damage (its weights hard-linked, not copied, where possible). */
export async function copyTinyBundle(target: string): Promise<string> {
  const dir = join(target, 'bundle');
  await cp(TINY_BUNDLE, dir, { recursive: true });
  return dir;
}

export async function editManifest(dir: string, edit: (m: BundleManifest) => void): Promise<void> {
  const path = join(dir, 'manifest.json');
  const manifest = JSON.parse(await readFile(path, 'utf8')) as BundleManifest;
  edit(manifest);
  await writeFile(path, JSON.stringify(manifest, null, 2));
}

/** Replaces a bundle file and records its new size and checksum, so only the contract check can object. */
export async function replaceFile(dir: string, file: string, bytes: Uint8Array): Promise<void> {
  await writeFile(join(dir, file), bytes);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  await editManifest(dir, (m) => {
    for (const component of Object.values(m.components)) {
      for (const graph of component.graphs) {
        if (graph.file === file) Object.assign(graph, { sha256, bytes: bytes.length });
      }
    }
  });
}
