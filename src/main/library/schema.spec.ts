import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../engine/testing/tiny-bundle.ts';
import { DB_FILE, LibraryDb } from './library-db.ts';
import { LibraryTooNewError } from './library-errors.ts';
import { migrate, MIGRATIONS, SCHEMA_VERSION, schemaVersion } from './schema.ts';
import { openSqlite } from './sqlite-driver.ts';
import { takeColumns } from './take-rows.ts';
import { newTake } from './testing/library-fixtures.ts';

let scratch: Awaited<ReturnType<typeof tempDir>>;
beforeEach(async () => {
  scratch = await tempDir('loa-schema-');
});
afterEach(async () => {
  await scratch.remove();
});

const tables = (db: ReturnType<typeof openSqlite>) => db.prepare<string>("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").pluck().all();

describe('schema migrations', () => {
  it('migrates a version 1 library with takes and tags to the current schema, indexing the old rows for search', () => {
    const dir = scratch.path;
    const path = join(dir, DB_FILE);
    const v1 = openSqlite(path);
    v1.pragma('journal_mode = WAL');
    migrate(v1, path, { target: 1 });
    expect(schemaVersion(v1)).toBe(1);
    expect(tables(v1)).not.toContain('takes_fts');
    const input = newTake(dir, 'old creaky floorboards', { tags: ['wood', 'creak'], notes: 'from the old house' });
    const columns = takeColumns(input, new Date());
    v1.prepare(
      `INSERT INTO takes (${Object.keys(columns).join(', ')}) VALUES (${Object.keys(columns)
        .map((k) => `@${k}`)
        .join(', ')})`,
    ).run(columns);
    const seq = v1.prepare<number>('SELECT seq FROM takes WHERE id = ?').pluck().get(input.id)!;
    v1.prepare('INSERT INTO take_peaks (take_seq, peaks) VALUES (?, ?)').run(seq, new Uint8Array([0x81, 0x7f]));
    ['wood', 'creak'].forEach((tag, i) => v1.prepare('INSERT INTO tags (take_seq, tag, position) VALUES (?, ?, ?)').run(seq, tag, i));
    const trashed = takeColumns(newTake(dir, 'old trashed floorboards'), new Date());
    v1.prepare(
      `INSERT INTO takes (${Object.keys(trashed).join(', ')}, deleted_at) VALUES (${Object.keys(trashed)
        .map((k) => `@${k}`)
        .join(', ')}, '2025-01-01T00:00:00.000Z')`,
    ).run(trashed);
    v1.close();

    const db = LibraryDb.open(dir);
    expect(db.diagnostics().schemaVersion).toBe(SCHEMA_VERSION);
    expect(db.search({ text: 'floorboards' }).takes.map((t) => t.id)).toEqual([input.id]); // not the trashed one
    db.restore([trashed.id as string]);
    expect(db.search({ text: 'floorboards' }).total).toBe(2);
    db.trash([trashed.id as string]);
    expect(db.search({ text: 'creak' }).takes.map((t) => t.id)).toEqual([input.id]);
    expect(db.search({ text: 'house' }).takes.map((t) => t.id)).toEqual([input.id]);
    expect(db.take(input.id)).toMatchObject({ tags: ['wood', 'creak'], peaks: [-1, 1], notes: 'from the old house' });
    db.setTags(input.id, ['attic']);
    expect(db.search({ text: 'attic' }).total).toBe(1);
    db.close();

    const raw = openSqlite(path);
    expect(raw.prepare('SELECT tag_text FROM takes').pluck().get()).toBe('attic');
    expect(() => raw.exec("INSERT INTO takes_fts (takes_fts, rank) VALUES ('integrity-check', 1)")).not.toThrow();
    raw.close();
  });

  it('v3 rebuilds the search index of a version 2 library with stemming: "doors" finds the old "door" takes', () => {
    const dir = scratch.path;
    const path = join(dir, DB_FILE);
    const v2 = openSqlite(path);
    v2.pragma('journal_mode = WAL');
    migrate(v2, path, { target: 2 });
    const input = newTake(dir, 'heavy door slammed shut, creaking hinges');
    const columns = takeColumns(input, new Date());
    v2.prepare(
      `INSERT INTO takes (${Object.keys(columns).join(', ')}) VALUES (${Object.keys(columns)
        .map((k) => `@${k}`)
        .join(', ')})`,
    ).run(columns);
    // Under v2's unicode61 tokenizer a plural is another word.
    expect(v2.prepare('SELECT count(*) FROM takes_fts WHERE takes_fts MATCH ?').pluck().get('"doors"')).toBe(0);
    v2.close();

    const db = LibraryDb.open(dir);
    expect(db.diagnostics().schemaVersion).toBe(3);
    for (const text of ['doors', 'slam', 'creak', 'door*'])
      expect(
        db.search({ text }).takes.map((t) => t.id),
        text,
      ).toEqual([input.id]);
    db.close();
    const raw = openSqlite(path);
    expect(raw.prepare<string>("SELECT sql FROM sqlite_schema WHERE name = 'takes_fts'").pluck().get()).toContain('porter');
    expect(() => raw.exec("INSERT INTO takes_fts (takes_fts, rank) VALUES ('integrity-check', 1)")).not.toThrow();
    raw.close();
  });

  it('runs each migration once: reopening changes nothing', () => {
    LibraryDb.open(scratch.path).close();
    const db = LibraryDb.open(scratch.path);
    expect(db.diagnostics().schemaVersion).toBe(MIGRATIONS.length);
    db.close();
  });

  it('rolls a failing migration back whole, version included', () => {
    const path = join(scratch.path, DB_FILE);
    const db = openSqlite(path);
    const failing = [
      MIGRATIONS[0],
      (d: typeof db) => {
        d.exec('CREATE TABLE half_done (x INTEGER)');
        throw new Error('disk on fire');
      },
    ];
    expect(() => migrate(db, path, { migrations: failing })).toThrow('disk on fire');
    expect(schemaVersion(db)).toBe(1);
    expect(tables(db)).not.toContain('half_done');
    expect(tables(db)).toContain('takes');
    db.close();
  });

  it('refuses to migrate a database from a newer version', () => {
    const path = join(scratch.path, DB_FILE);
    const db = openSqlite(path);
    db.pragma(`user_version = ${SCHEMA_VERSION + 3}`);
    expect(() => migrate(db, path)).toThrow(LibraryTooNewError);
    expect(tables(db)).toEqual([]);
    db.close();
  });
});
