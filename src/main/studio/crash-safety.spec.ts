/**
 * The library survives the studio being killed (SIGKILL: no cleanup runs) in the middle of a
 * generation and in the middle of a folder import: a real browser-mode server process with the
 * real engine, killed at the worst moment, then the library reopened from disk.
 */
import { readdir, readFile, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startStudioWeb, type StudioWebProcess } from '../../../e2e/support/studio-web.ts';
import type { StudioEvent } from '../../shared/studio/studio-api.ts';
import { webStudioClient } from '../../renderer/src/api/studio-client.ts';
import type { WebSocketFactory } from '../../renderer/src/api/ws-studio-client.ts';
import { decodeWav, encodeWav } from '../audio/wav.ts';
import { tempDir, TINY_BUNDLE } from '../engine/testing/tiny-bundle.ts';
import { LibraryStore } from './library-store.ts';

const servers: StudioWebProcess[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
});

/** `allowRoots`: server folders the page may name (a folder import names one). */
async function connect(library: string, config: string, allowRoots: string[] = []) {
  const server = await startStudioWeb({ model: TINY_BUNDLE, library, config, allowRoots });
  servers.push(server);
  const url = new URL(server.url);
  const token = new URLSearchParams(url.hash.slice(1)).get('token')!;
  const api = webStudioClient(`ws://${url.host}/api?token=${token}`, WebSocket as unknown as WebSocketFactory);
  const events: StudioEvent[] = [];
  api.onEvent((e) => events.push(e));
  return { server, api, events };
}

async function until(probe: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function allFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

/** Every listed take has its whole WAV; nothing half-written is left; every WAV on disk is listed. */
async function checkLibrary(libraryDir: string): Promise<number> {
  const library = await LibraryStore.open(libraryDir);
  try {
    const takes = await library.list();
    for (const take of takes) {
      const wav = decodeWav(new Uint8Array(await readFile(library.file(take.id))));
      expect(wav.channels[0].length).toBe(take.samples);
    }
    expect(library.reconciled.missing).toEqual([]);
    const files = await allFiles(join(libraryDir, 'Generations'));
    expect(files.filter((f) => f.endsWith('.partial'))).toEqual([]);
    // A WAV whose row never committed would show up here; the take is written file-first, row-second.
    expect(library.reconciled.orphans.length).toBeLessThanOrEqual(1);
    return takes.length;
  } finally {
    library.close();
  }
}

describe('crash safety (SIGKILL of the studio process)', () => {
  it('loses no committed take and leaves no half files when killed mid-generation', async () => {
    const scratch = await tempDir('loa-crash-');
    try {
      const libraryDir = join(scratch.path, 'library');
      const config = join(scratch.path, 'config');
      const { server, api, events } = await connect(libraryDir, config);
      await until(() => events.some((e) => e.type === 'model' && e.status.state === 'ready'), 120_000, 'the model');
      const job = await api.generate({ prompt: 'engine idling', seconds: 1, steps: 6, seed: 1, takes: 6 });
      await until(() => events.filter((e) => e.type === 'take' && e.take.jobId === job.jobId).length >= 2, 120_000, 'two takes');
      await server.kill(); // mid-job: more takes were still coming
      api.close?.();
      const saved = await checkLibrary(libraryDir);
      expect(saved).toBeGreaterThanOrEqual(2);
      expect(saved).toBeLessThan(6);

      // The studio starts again on the same library and shows what was saved.
      const again = await connect(libraryDir, config);
      expect((await again.api.listTakes()).length).toBe(saved);
      again.api.close?.();
    } finally {
      await scratch.remove();
    }
  }, 300_000);

  it('keeps every reference imported before a kill in the middle of a folder import', async () => {
    const scratch = await tempDir('loa-crash-import-');
    try {
      const folder = join(scratch.path, 'sounds');
      await mkdir(folder, { recursive: true });
      for (let i = 0; i < 12; i++) {
        await writeFile(join(folder, `s${String(i).padStart(2, '0')}.wav`), encodeWav([Float32Array.from({ length: 44100 * 4 }, (_, k) => 0.3 * Math.sin(k / (5 + i)))], 44100, 'pcm16'));
      }
      const libraryDir = join(scratch.path, 'library');
      const { server, api, events } = await connect(libraryDir, join(scratch.path, 'config'), [folder]);
      await until(() => events.some((e) => e.type === 'model' && e.status.state === 'ready'), 120_000, 'the model');
      void api.importFolder(folder).catch(() => {});
      await until(() => events.some((e) => e.type === 'import' && e.done >= 3), 120_000, 'three imports');
      await server.kill();
      api.close?.();
      const library = await LibraryStore.open(libraryDir);
      try {
        const references = library.listReferences();
        expect(references.length).toBeGreaterThanOrEqual(3);
        expect(references.length).toBeLessThan(12);
        for (const reference of references) {
          expect(decodeWav(new Uint8Array(await readFile(library.referenceFile(reference.id)))).channels[0].length).toBe(reference.samples);
        }
        expect((await allFiles(join(libraryDir, 'References'))).filter((f) => f.endsWith('.partial'))).toEqual([]);
      } finally {
        library.close();
      }
    } finally {
      await scratch.remove();
    }
  }, 300_000);
});
