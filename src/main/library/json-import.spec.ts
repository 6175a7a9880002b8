import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../engine/testing/tiny-bundle.ts';
import { importJsonIndexes, REFERENCES_JSON, TAKES_JSON } from './json-import.ts';
import { LibraryDb } from './library-db.ts';
import { newTake } from './testing/library-fixtures.ts';

let scratch: Awaited<ReturnType<typeof tempDir>>;
beforeEach(async () => {
  scratch = await tempDir('loa-json-import-');
});
afterEach(async () => {
  await scratch.remove();
});

describe('importJsonIndexes', () => {
  it('moves takes.json and references.json into the database once, keeping the JSON files', () => {
    const dir = scratch.path;
    // takes.json as JsonTakeStore wrote it: StoredTake fields plus the relative file.
    const a = newTake(dir, 'rain on glass', { createdAt: '2024-05-01T10:00:00.000Z' });
    const b = newTake(dir, 'rain on glass, closer', { seed: 8, createdAt: '2024-05-01T10:00:01.000Z', loop: { start: 0, end: 100 } });
    const missing = { ...newTake(dir, 'lost'), file: 'Generations/2024-05-01/lost.wav' };
    const record = (t: typeof a, extra: object) => ({ ...t, durationS: t.samples / t.sampleRate, lineage: t.lineage ?? null, ...extra });
    writeFileSync(
      join(dir, TAKES_JSON),
      JSON.stringify({
        format: 'loa-studio-takes',
        version: 1,
        takes: [record(a, { rating: 4, favourite: true }), record(b, { rating: 0, favourite: false }), record(missing, { rating: 0, favourite: false })],
      }),
    );
    mkdirSync(join(dir, 'References'));
    writeFileSync(join(dir, 'References', 'ref1.wav'), 'RIFF');
    writeFileSync(
      join(dir, ...REFERENCES_JSON.split('/')),
      JSON.stringify({
        format: 'loa-studio-references',
        references: [
          {
            id: 'ref1',
            name: 'door.wav',
            origin: { kind: 'file', path: null },
            sampleRate: 16000,
            samples: 16000,
            durationS: 1,
            sha256: 'aa',
            notices: [],
            createdAt: '2024-05-01T09:00:00.000Z',
            peaks: [-0.5, 0.5],
          },
        ],
      }),
    );
    const before = readFileSync(join(dir, TAKES_JSON), 'utf8');

    const db = LibraryDb.open(dir);
    const report = importJsonIndexes(db);
    expect(report).toMatchObject({ takes: 2, references: 1, alreadyPresent: 0 });
    expect(report.skipped).toEqual([{ id: missing.id, reason: expect.stringContaining('lost.wav') }]);
    expect(db.list().takes.map((t) => t.id)).toEqual([b.id, a.id]);
    expect(db.take(a.id)).toMatchObject({ rating: 4, favourite: true, createdAt: '2024-05-01T10:00:00.000Z', params: a.params, file: a.file });
    expect(db.take(b.id).loop).toEqual({ start: 0, end: 100 });
    expect(db.references.get('ref1')).toMatchObject({ name: 'door.wav', file: 'References/ref1.wav' });

    expect(importJsonIndexes(db)).toEqual({ takes: 0, references: 0, alreadyPresent: 3, skipped: [{ id: missing.id, reason: expect.any(String) }] });
    expect(readFileSync(join(dir, TAKES_JSON), 'utf8')).toBe(before);
    db.close();
  });

  it('does nothing for a library without JSON indexes', () => {
    const db = LibraryDb.open(scratch.path);
    expect(importJsonIndexes(db)).toEqual({ takes: 0, references: 0, alreadyPresent: 0, skipped: [] });
    db.close();
  });
});
