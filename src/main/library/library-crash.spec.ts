import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeWav } from '../audio/wav.ts';
import { tempDir } from '../engine/testing/tiny-bundle.ts';
import { LibraryDb } from './library-db.ts';

const ROOT = resolve(import.meta.dirname, '../../..');
const WRITER = join(import.meta.dirname, 'testing', 'crash-writer.ts');

let scratch: Awaited<ReturnType<typeof tempDir>>;
beforeEach(async () => {
  scratch = await tempDir('loa-library-crash-');
});
afterEach(async () => {
  await scratch.remove();
});

/**
 * Runs the writer until it has committed `commits` takes, lets it run `extraMs` longer, then
 * kills it with SIGKILL (no exit handlers, no SQLite close). Resolves with what it reported.
 */
function runAndKill(libraryDir: string, seed: number, commits: number, extraMs: number): Promise<Map<string, number>> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--import', 'tsx', WRITER, libraryDir, String(seed)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const reported = new Map<string, number>();
    let buffered = '';
    let stderr = '';
    let killing = false;
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        const [id, frames] = line.split(' ');
        reported.set(id, Number(frames));
      }
      if (!killing && reported.size >= commits) {
        killing = true;
        setTimeout(() => child.kill('SIGKILL'), extraMs);
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') done(reported);
      else fail(new Error(`crash writer exited by itself (code ${code}):\n${stderr}`));
    });
  });
}

function allFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

describe('crash safety', () => {
  it('after SIGKILL mid-write, every row has its complete WAV and at most the take in flight lacks a row', async () => {
    const dir = join(scratch.path, 'library');
    const committed = new Map<string, number>();
    // Six kills at different moments into the same library, reopening it in between: the kill
    // lands inside a WAV write, between the rename and the commit, or after the commit.
    for (const [round, extraMs] of [
      [1, 0],
      [2, 13],
      [3, 37],
      [4, 61],
      [5, 89],
      [6, 111],
    ] as const) {
      for (const [id, frames] of await runAndKill(dir, round, 15, extraMs)) committed.set(id, frames);

      const db = LibraryDb.open(dir);
      try {
        const rows = db.search({ limit: 1000 }).takes;
        const report = await db.reconcile();
        // Every take the writer saw committed is there, with all its frames.
        for (const [id, frames] of committed) expect(db.get(id)?.samples, `take ${id}`).toBe(frames);
        // Every row's WAV is complete: it decodes, with the row's sample count.
        for (const take of rows) {
          expect(take.file.endsWith('.wav')).toBe(true);
          const wav = decodeWav(new Uint8Array(readFileSync(db.file(take.id))));
          expect(wav.channels[0].length).toBe(take.samples);
        }
        // No row without its file; a WAV without a row is at most the one take in flight per kill.
        expect(report.missing).toEqual([]);
        expect(report.orphans.length).toBeLessThanOrEqual(round);
        expect(report.orphans.every((f) => f.endsWith('.wav'))).toBe(true);
        // Rows the writer could not report before dying: at most one per kill.
        expect(rows.length - committed.size).toBeGreaterThanOrEqual(0);
        expect(rows.length - committed.size).toBeLessThanOrEqual(round);
        // Temp files may remain from the write that was cut short; they are never listed as takes.
        const partial = allFiles(join(dir, 'Generations')).filter((f) => f.endsWith('.partial'));
        expect(partial.length).toBeLessThanOrEqual(round);
        for (const take of rows) expect(take.file.includes('.partial')).toBe(false);
      } finally {
        db.close();
      }
    }
  });
});
