// A full disk during a library edit (issue 12, item 9) used to come back as InferenceError
// "database or disk is full" with the hint to check the model bundle. Tested on a real full
// file system (a small tmpfs, where this runs as root) and with a real SQLite size limit.
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DiskFullError } from '../../shared/errors.ts';
import { LibraryDb } from '../library/library-db.ts';
import type { SqliteDatabase } from '../library/sqlite-driver.ts';
import { generateParams, newTake } from '../library/testing/library-fixtures.ts';
import { dispatchCall } from './dispatch.ts';
import { LibraryStore } from './library-store.ts';
import { StudioService } from './studio-service.ts';

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const clean of cleanups.splice(0).reverse()) clean();
});

function scratchDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'loa-disk-full-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A tmpfs of `kib` KiB, or null where mounting is not allowed (not root, or no mount namespace). */
function smallDisk(kib: number): string | null {
  const dir = scratchDir();
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${kib}k`, 'tmpfs', dir], { stdio: 'ignore' });
  } catch {
    return null;
  }
  cleanups.push(() => execFileSync('umount', ['-l', dir]));
  return dir;
}

/** Writes a file that takes every free byte of the file system `dir` is on. */
function fillDisk(dir: string): string {
  const path = join(dir, 'filler.bin');
  const fd = openSync(path, 'w');
  try {
    for (let size = 1 << 20; size >= 1;) {
      try {
        writeSync(fd, new Uint8Array(size));
      } catch {
        size >>= 1;
      }
    }
  } finally {
    closeSync(fd);
  }
  return path;
}

const canMount = smallDisk(64) !== null;

describe.runIf(canMount)('a library on a disk that runs full (tmpfs)', () => {
  it('updateTake and trashTakes report DiskFullError, the envelope says DISK_FULL, and the take is intact afterwards', { timeout: 60_000 }, async () => {
    const libraryDir = smallDisk(4096)!;
    const store = await LibraryStore.open(libraryDir);
    const samples = new Float32Array(1600).map((_, i) => Math.sin(i / 7) * 0.3);
    const take = await store.add({ jobId: 'job', rank: 1, params: generateParams('rain on a tin roof'), seed: 1, score: null, sampleRate: 16000, samples, modelId: 'tiny-random', device: 'cpu' });
    store.close();

    const service = new StudioService({ configDir: scratchDir(), libraryDir, mediaUrl: (kind, id) => `media://${kind}/${id}` });
    cleanups.push(() => void service.dispose());
    await service.whenReady();
    const filler = fillDisk(libraryDir);

    const edit = await service.updateTake(take.id, { notes: 'recorded in the shed '.repeat(400), rating: 4 }).catch((e: unknown) => e);
    expect(edit).toBeInstanceOf(DiskFullError);
    expect((edit as DiskFullError).message).toBe(`The disk is full: could not write ${join(libraryDir, 'library.sqlite')}.`);
    await expect(service.trashTakes([take.id])).rejects.toBeInstanceOf(DiskFullError);
    const outcome = await dispatchCall(service, 'updateTake', [take.id, { rating: 5 }]);
    expect(outcome).toMatchObject({ ok: false, error: { code: 'DISK_FULL', name: 'DiskFullError' } });
    expect(JSON.stringify(outcome)).not.toMatch(/model bundle|models verify/);

    rmSync(filler);
    expect((await service.listTakes()).map((t) => [t.id, t.rating, t.notes])).toEqual([[take.id, 0, '']]); // nothing half-written
    expect((await service.updateTake(take.id, { rating: 4 })).rating).toBe(4);
  });
});

describe('a library at SQLite’s size limit (max_page_count)', () => {
  it('an edit that needs a new page throws DiskFullError naming the database, and rolls back', () => {
    const dir = scratchDir();
    const db = LibraryDb.open(dir);
    cleanups.push(() => db.close());
    const ids = Array.from({ length: 40 }, (_, i) => db.addTake(newTake(dir, `take ${i}`, { seed: i })).id);
    // The connection is private; the limit is set on it exactly as a full disk would stop it.
    const raw = (db as unknown as { conn: { db: SqliteDatabase } }).conn.db;
    raw.pragma(`max_page_count = ${Number(raw.pragma('page_count', { simple: true }))}`);
    let failure: unknown;
    for (const [i, id] of ids.entries()) {
      const words = Array.from({ length: 1500 }, (_, k) => `w${i}x${k}`).join(' '); // new words grow the full-text index
      try {
        db.update(id, { notes: words });
      } catch (error) {
        failure = error;
        expect(db.take(id).notes).toBe(''); // the failed edit left nothing behind
        break;
      }
    }
    expect(failure).toBeInstanceOf(DiskFullError);
    expect((failure as DiskFullError).message).toContain(join(dir, 'library.sqlite'));
  });
});
