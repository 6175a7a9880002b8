import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidRequestError } from '../../shared/errors.ts';
import type { Lineage } from '../../shared/engine/lineage.ts';
import type { ContinueParams } from '../../shared/engine/transform-params.ts';
import type { ExportOptions } from '../../shared/studio/studio-api.ts';
import { tempDir } from '../engine/testing/tiny-bundle.ts';
import { DB_FILE, LibraryDb } from './library-db.ts';
import { EmbeddingMissingError, LibraryCorruptError, LibraryFileMissingError, LibraryTooNewError, REBUILD_HINT, TakeNotFoundError } from './library-errors.ts';
import { SCHEMA_VERSION } from './schema.ts';
import { openSqlite } from './sqlite-driver.ts';
import { newTake } from './testing/library-fixtures.ts';

let scratch: Awaited<ReturnType<typeof tempDir>>;
let dir: string;
const open: LibraryDb[] = [];

function openLibrary(): LibraryDb {
  const db = LibraryDb.open(dir);
  open.push(db);
  return db;
}

const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

beforeEach(async () => {
  scratch = await tempDir('loa-library-');
  dir = join(scratch.path, 'library');
});
afterEach(async () => {
  for (const db of open.splice(0)) db.close();
  await scratch.remove();
});

describe('LibraryDb.open', () => {
  it('creates library.sqlite in WAL mode with NORMAL sync, foreign keys and the current schema', () => {
    const db = openLibrary();
    expect(existsSync(join(dir, DB_FILE))).toBe(true);
    expect(db.diagnostics()).toEqual({ journalMode: 'wal', synchronous: 1, foreignKeys: 1, pageSize: 16384, schemaVersion: SCHEMA_VERSION });
    db.close();
    // WAL is a property of the file: another connection sees it too.
    const raw = openSqlite(join(dir, DB_FILE), { readonly: true });
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    raw.close();
  });

  it('keeps takes across closing and reopening', () => {
    const db = openLibrary();
    const take = db.addTake(newTake(dir, 'rain on a tin roof'));
    db.close();
    expect(openLibrary().get(take.id)).toEqual(take);
  });

  it('opens a zero-byte file as an empty library (SQLite creates databases that way)', () => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, DB_FILE), '');
    expect(openLibrary().list().total).toBe(0);
  });

  it('refuses a file that is not a database, leaving it byte-for-byte as it was', () => {
    mkdirSync(dir, { recursive: true });
    const path = join(dir, DB_FILE);
    writeFileSync(path, Buffer.from('this is not a database, just some text that happens to be here\n'.repeat(200)));
    const before = sha(path);
    let error: unknown;
    try {
      LibraryDb.open(dir);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(LibraryCorruptError);
    expect(error).toMatchObject({ code: 'IO_FAILED', hint: REBUILD_HINT, path });
    expect((error as Error).message).toContain(path);
    expect(sha(path)).toBe(before);
    expect(readdirSync(dir)).toEqual([DB_FILE]);
    // And again: still refused, still untouched.
    expect(() => LibraryDb.open(dir)).toThrow(LibraryCorruptError);
    expect(sha(path)).toBe(before);
  });

  it('refuses a real library cut off in the middle of a page, leaving it untouched', () => {
    const db = openLibrary();
    for (let i = 0; i < 40; i++) db.addTake(newTake(dir, `door slam number ${i}`, { tags: ['door', `n${i}`], notes: 'x'.repeat(500) }));
    db.close();
    const path = join(dir, DB_FILE);
    expect(existsSync(`${path}-wal`)).toBe(false); // closed cleanly: everything is in the main file
    const size = statSync(path).size;
    expect(size).toBeGreaterThan(8 * 16384);
    truncateSync(path, Math.floor(size / 2) + 1000); // not on a page boundary
    const before = sha(path);
    expect(() => LibraryDb.open(dir)).toThrow(/damaged \(.*(malformed|btreeInitPage|never used|Page \d+)/);
    expect(sha(path)).toBe(before);
    // The read-only check may leave SQLite's empty WAL side files; it wrote nothing into them.
    if (existsSync(`${path}-wal`)) expect(statSync(`${path}-wal`).size).toBe(0);
  });

  it('sets a damaged library aside only when a rebuild is asked for, then starts empty', () => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, DB_FILE), Buffer.alloc(70_000, 0xab));
    const before = sha(join(dir, DB_FILE));
    expect(() => LibraryDb.open(dir)).toThrow(LibraryCorruptError);
    const kept = LibraryDb.setAsideForRebuild(dir, new Date('2025-01-02T03:04:05.678Z'))!;
    expect(kept).toBe(join(dir, `${DB_FILE}.corrupt-2025-01-02T03-04-05-678Z`));
    expect(sha(kept)).toBe(before);
    expect(openLibrary().list().total).toBe(0);
    expect(LibraryDb.setAsideForRebuild(join(scratch.path, 'nowhere'))).toBeNull();
  });

  it('refuses a library from a newer LOA Studio without changing it', () => {
    openLibrary().close();
    const path = join(dir, DB_FILE);
    const raw = openSqlite(path);
    raw.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    raw.close();
    const before = sha(path);
    expect(() => LibraryDb.open(dir)).toThrow(LibraryTooNewError);
    expect(sha(path)).toBe(before);
  });
});

describe('takes', () => {
  it('adds a take and reads every field back', () => {
    const db = openLibrary();
    const input = newTake(dir, 'Glass shattering on concrete', {
      score: 0.25,
      rating: 3,
      favourite: true,
      notes: 'use for the heist scene',
      tags: [' glass ', 'Impact', 'impact', ''],
      bundleHash: 'ab'.repeat(32),
      loop: { start: 10, end: 1500 },
      createdAt: new Date('2025-03-07T22:30:00Z'),
    });
    const take = db.addTake(input);
    expect(take).toMatchObject({
      id: input.id,
      jobId: 'job-1',
      rank: 1,
      kind: 'generate',
      params: input.params,
      seed: 7,
      score: 0.25,
      sampleRate: 16000,
      samples: 1600,
      durationS: 0.1,
      modelId: 'tiny-random',
      bundleHash: 'ab'.repeat(32),
      device: 'cpu',
      createdAt: '2025-03-07T22:30:00.000Z',
      rating: 3,
      favourite: true,
      notes: 'use for the heist scene',
      tags: ['glass', 'Impact'],
      file: input.file,
      lineage: null,
      loop: { start: 10, end: 1500 },
      deletedAt: null,
      hasEmbedding: false,
    });
    // Peaks: Int8, rounded outwards, so every stored value is within 1/127 of the input and never inside it.
    expect(take.peaks).toHaveLength(input.peaks.length);
    take.peaks.forEach((p, i) => {
      expect(Math.abs(p - input.peaks[i])).toBeLessThanOrEqual(1 / 127 + 1e-9);
      if (i % 2 === 0) expect(p).toBeLessThanOrEqual(input.peaks[i] + 1e-9);
      else expect(p).toBeGreaterThanOrEqual(input.peaks[i] - 1e-9);
    });
    expect(db.file(take.id)).toBe(join(dir, ...input.file.split('/')));
    expect(db.get('nope')).toBeUndefined();
    expect(() => db.take('nope')).toThrow(TakeNotFoundError);
  });

  it('records lineage: parent take and reference, operation, the whole record', () => {
    const db = openLibrary();
    const parent = db.addTake(newTake(dir, 'engine idle'));
    const params: ContinueParams = {
      op: 'continue',
      prompt: 'engine revving up',
      negativePrompt: '',
      steps: 50,
      scheduler: 'ddim',
      guidance: 3,
      seed: 9,
      takes: 1,
      seconds: 5,
      crossfadeMs: 50,
      resample: 0,
    };
    const lineage: Lineage = { operation: 'continue', reference: { kind: 'take', id: parent.id, referenceId: 'ref1', sha256: 'cd'.repeat(32), seconds: 0.1 }, params, seed: 9 };
    const child = db.addTake(newTake(dir, 'engine revving up', { params, lineage, seed: 9 }));
    expect(child).toMatchObject({ kind: 'transform', params, lineage });
    const raw = openSqlite(join(dir, DB_FILE), { readonly: true });
    expect(raw.prepare('SELECT parent_take_id, parent_reference_id, operation, seconds FROM takes WHERE id = ?').get(child.id)).toEqual({
      parent_take_id: parent.id,
      parent_reference_id: 'ref1',
      operation: 'continue',
      seconds: 5,
    });
    raw.close();
    expect(db.lineageChildren({ kind: 'take', id: parent.id }).map((t) => t.id)).toEqual([child.id]);
    expect(db.lineageChildren({ kind: 'reference', id: 'ref1' }).map((t) => t.id)).toEqual([child.id]);
    expect(db.lineageChildren({ kind: 'take', id: child.id })).toEqual([]);
  });

  it('refuses a take whose WAV is not there, and adds nothing', () => {
    const db = openLibrary();
    const input = newTake(dir, 'thunder');
    rmSync(join(dir, ...input.file.split('/')));
    expect(() => db.addTake(input)).toThrow(LibraryFileMissingError);
    expect(db.list().total).toBe(0);
  });

  it('refuses a duplicate id or file, and paths that leave the library folder', () => {
    const db = openLibrary();
    const first = db.addTake(newTake(dir, 'thunder'));
    expect(() => db.addTake(newTake(dir, 'thunder', { id: first.id, seed: 8 }))).toThrow(expect.objectContaining({ field: 'id' }));
    expect(() => db.addTake({ ...newTake(dir, 'thunder'), file: first.file })).toThrow(expect.objectContaining({ field: 'file' }));
    for (const file of ['../outside.wav', '/abs.wav', 'Generations\\x.wav', 'C:/x.wav', 'a//b.wav', '']) {
      expect(() => db.addTake({ ...newTake(dir, 'thunder'), file })).toThrow(InvalidRequestError);
    }
    expect(db.list().total).toBe(1);
  });

  it('lists live takes newest first, a page at a time, with the total', () => {
    const db = openLibrary();
    const ids = Array.from({ length: 7 }, (_, i) => db.addTake(newTake(dir, `take ${i}`, { createdAt: new Date(Date.UTC(2025, 0, 1 + i)) })).id);
    const page1 = db.list({ limit: 3 });
    expect(page1.total).toBe(7);
    expect(page1.takes.map((t) => t.id)).toEqual([ids[6], ids[5], ids[4]]);
    expect(db.list({ limit: 3, offset: 6 }).takes.map((t) => t.id)).toEqual([ids[0]]);
    expect(() => db.list({ limit: 0 })).toThrow(InvalidRequestError);
    expect(() => db.list({ limit: 5000 })).toThrow(InvalidRequestError);
    expect(() => db.list({ offset: -1 })).toThrow(InvalidRequestError);
  });

  it('counts again after every change, by this connection or another process, while pages reuse the count', () => {
    const db = openLibrary();
    for (let i = 0; i < 3; i++) db.addTake(newTake(dir, `rain ${i}`));
    expect(db.search({ text: 'rain', limit: 1 }).total).toBe(3);
    expect(db.search({ text: 'rain', limit: 1, offset: 2 }).total).toBe(3);
    const other = openLibrary(); // a second connection, as the CLI's `--library` would be
    other.addTake(newTake(dir, 'rain 3'));
    expect(db.search({ text: 'rain', limit: 1, offset: 1 }).total).toBe(4);
    const first = db.search({ text: 'rain', limit: 1 }).takes[0];
    db.trash([first.id]);
    expect(db.search({ text: 'rain', limit: 1 }).total).toBe(3);
    expect(other.search({ text: 'rain', limit: 1 }).total).toBe(3);
    db.update(db.search({ text: 'rain', limit: 1 }).takes[0].id, { tags: ['drizzle'] });
    expect(db.search({ text: 'drizzle', limit: 1 }).total).toBe(1);
    expect(db.search({ text: 'rain', limit: 5 }).total).toBe(3);
    db.restore([first.id]);
    expect(db.search({ text: 'rain', limit: 5 }).total).toBe(4);
  });

  it('keeps takes made in the same millisecond in insertion order', () => {
    const db = openLibrary();
    const at = new Date('2025-05-05T05:05:05Z');
    const ids = [1, 2, 3].map((seed) => db.addTake(newTake(dir, 'same time', { seed, createdAt: at })).id);
    expect(db.list().takes.map((t) => t.id)).toEqual(ids.reverse());
  });

  it('updates rank, score, rating, favourite and notes', () => {
    const db = openLibrary();
    const take = db.addTake(newTake(dir, 'wind'));
    expect(db.update(take.id, { rank: 2, score: 0.5, rating: 4, favourite: true, notes: 'gusty' })).toMatchObject({ rank: 2, score: 0.5, rating: 4, favourite: true, notes: 'gusty' });
    expect(db.update(take.id, { score: null, favourite: false })).toMatchObject({ score: null, favourite: false, rating: 4 });
    expect(db.update(take.id, { tags: ['gust', 'Outdoor'], rating: 5 })).toMatchObject({ tags: ['gust', 'Outdoor'], rating: 5, notes: 'gusty' });
    expect(() => db.update(take.id, { tags: ['x'.repeat(101)], rating: 1 })).toThrow(InvalidRequestError);
    expect(db.take(take.id)).toMatchObject({ tags: ['gust', 'Outdoor'], rating: 5 }); // nothing of the refused update
    expect(() => db.update('missing', { tags: ['a'] })).toThrow(TakeNotFoundError);
    expect(() => db.update(take.id, { rating: 6 as never })).toThrow(InvalidRequestError);
    expect(() => db.update('missing', { rating: 1 })).toThrow(TakeNotFoundError);
  });
});

describe('search', () => {
  let db: LibraryDb;
  const id: Record<string, string> = {};
  beforeEach(() => {
    db = openLibrary();
    const add = (key: string, prompt: string, extra: Parameters<typeof newTake>[2] = {}) => (id[key] = db.addTake(newTake(dir, prompt, extra)).id);
    add('door', 'heavy wooden door slam', { rating: 4, tags: ['door', 'Foley'], createdAt: new Date('2025-01-10T10:00:00Z'), frames: 16000 });
    add('doorbell', 'doorbell ringing twice', { rating: 2, createdAt: new Date('2025-02-10T10:00:00Z'), frames: 32000 });
    add('metal', 'metallic clang in a café', { rating: 5, favourite: true, modelId: 'other-model', tags: ['metal'], createdAt: new Date('2025-03-10T10:00:00Z'), frames: 48000 });
    add('rain', 'rain on a tin roof', { notes: 'recorded feel, close mic', createdAt: new Date('2025-04-10T10:00:00Z'), frames: 8000 });
  });
  const ids = (options: Parameters<LibraryDb['search']>[0]) => db.search(options).takes.map((t) => t.id);

  it('finds words in prompts, with prefixes, without accents, in any case', () => {
    expect(ids({ text: 'slam' })).toEqual([id.door]);
    expect(ids({ text: 'door*', sort: 'newest' })).toEqual([id.doorbell, id.door]);
    expect(ids({ text: 'door' })).toEqual([id.door]); // a whole word: doorbell is another word
    expect(ids({ text: 'CAFE' })).toEqual([id.metal]);
    expect(ids({ text: 'metallic "clang' })).toEqual([id.metal]);
    expect(ids({ text: '"tin roof"' })).toEqual([id.rain]);
    expect(ids({ text: '"roof tin"' })).toEqual([]);
    expect(db.search({ text: 'nothing-like-this' })).toEqual({ takes: [], total: 0 });
  });

  it('finds tags and notes, and follows changes to them', () => {
    expect(ids({ text: 'foley' })).toEqual([id.door]);
    expect(ids({ text: 'close mic' })).toEqual([id.rain]);
    db.update(id.rain, { notes: 'distant thunder underneath' });
    expect(ids({ text: 'mic' })).toEqual([]);
    expect(ids({ text: 'thunder' })).toEqual([id.rain]);
    db.setTags(id.door, ['Wood', 'interior']);
    expect(ids({ text: 'foley' })).toEqual([]);
    expect(ids({ text: 'interior' })).toEqual([id.door]);
    expect(db.take(id.door).tags).toEqual(['Wood', 'interior']);
    db.setTags(id.door, []);
    expect(ids({ text: 'interior' })).toEqual([]);
    const raw = openSqlite(join(dir, DB_FILE));
    expect(() => raw.exec("INSERT INTO takes_fts (takes_fts, rank) VALUES ('integrity-check', 1)")).not.toThrow();
    raw.close();
  });

  it('ranks by relevance when there is text: a word in the tags counts more', () => {
    id.metal2 = db.addTake(newTake(dir, 'metal pipe hit', { createdAt: new Date('2025-05-01T00:00:00Z') })).id;
    expect(ids({ text: 'metal' })).toEqual([id.metal, id.metal2]);
    expect(ids({ text: 'metal', sort: 'newest' })).toEqual([id.metal2, id.metal]);
  });

  it('filters by rating, favourite, model, dates, duration and tags, together with text', () => {
    expect(ids({ rating: 4, sort: 'oldest' })).toEqual([id.door, id.metal]);
    expect(ids({ favourite: true })).toEqual([id.metal]);
    expect(ids({ favourite: false, sort: 'oldest' })).toEqual([id.door, id.doorbell, id.rain]);
    expect(ids({ modelId: 'other-model' })).toEqual([id.metal]);
    expect(ids({ from: new Date('2025-02-10T10:00:00Z'), to: new Date('2025-04-10T10:00:00Z'), sort: 'oldest' })).toEqual([id.doorbell, id.metal]);
    expect(ids({ minDuration: 1, maxDuration: 2, sort: 'oldest' })).toEqual([id.door, id.doorbell]);
    expect(ids({ tags: ['METAL'] })).toEqual([id.metal]);
    expect(ids({ tags: ['door', 'foley'] })).toEqual([id.door]);
    expect(ids({ tags: ['door', 'metal'] })).toEqual([]);
    expect(ids({ text: 'door*', rating: 3 })).toEqual([id.door]);
    expect(db.search({ text: 'door*', rating: 1, limit: 1 })).toMatchObject({ total: 2 });
  });

  it('sorts by rating, then newest', () => {
    id.rain2 = db.addTake(newTake(dir, 'more rain', { rating: 4, createdAt: new Date('2025-01-01T00:00:00Z') })).id;
    expect(ids({ sort: 'rating' })).toEqual([id.metal, id.door, id.rain2, id.doorbell, id.rain]);
    expect(ids({ text: 'rain', sort: 'rating' })).toEqual([id.rain2, id.rain]);
  });

  it('breaks relevance ties by the most recently added, with and without filters', () => {
    const later = db.addTake(newTake(dir, 'heavy wooden door slam', { rating: 4, tags: ['door', 'Foley'], createdAt: new Date('2024-01-01T00:00:00Z'), frames: 16000 })).id;
    expect(ids({ text: 'slam' })).toEqual([later, id.door]);
    expect(ids({ text: 'slam', rating: 4 })).toEqual([later, id.door]);
  });

  it('searches like people search: stems, OR, NOT and -, phrases, prefixes (issue 13)', () => {
    id.creak = db.addTake(newTake(dir, 'old doors creaking in the rain', { createdAt: new Date('2025-05-10T10:00:00Z') })).id;
    expect(ids({ text: 'doors', sort: 'oldest' })).toEqual([id.door, id.creak]); // stemmed: door = doors
    expect(ids({ text: 'slam OR creak', sort: 'oldest' })).toEqual([id.door, id.creak]);
    expect(ids({ text: '-rain', sort: 'oldest' })).toEqual([id.door, id.doorbell, id.metal]);
    expect(db.search({ text: '-rain' }).total).toBe(3);
    expect(ids({ text: 'NOT rain', rating: 1, sort: 'oldest' })).toEqual([id.door, id.doorbell, id.metal]);
    expect(ids({ text: 'door* -doorbell', sort: 'oldest' })).toEqual([id.door, id.creak]);
    expect(ids({ text: 'door* -doorbell -rain' })).toEqual([id.door]);
    expect(ids({ text: '"wooden doors"' })).toEqual([id.door]);
    expect(ids({ text: 'rain -"tin roof"' })).toEqual([id.creak]);
    // Trashed takes stay out of an exclusion-only search too.
    db.trash([id.metal]);
    expect(ids({ text: '-rain', sort: 'oldest' })).toEqual([id.door, id.doorbell]);
  });

  it('never throws on what a user might type, and treats punctuation-only text as no text', () => {
    for (const text of ['"', '""', '*', '-', 'AND OR NOT', 'NEAR(a b)', 'a:b', '^start', '(((', "it's", 'door -', '\u0000', '🔔', '+-*/']) {
      expect(() => db.search({ text }), text).not.toThrow();
    }
    expect(db.search({ text: '-' }).total).toBe(4);
    expect(ids({ text: 'door -' })).toEqual([id.door]);
  });

  it('rejects bad filter values with a typed error', () => {
    expect(() => db.search({ rating: 7 })).toThrow(InvalidRequestError);
    expect(() => db.search({ from: new Date('nope') })).toThrow(InvalidRequestError);
    expect(() => db.search({ minDuration: -1 })).toThrow(InvalidRequestError);
    expect(() => db.search({ sort: 'random' as never })).toThrow(InvalidRequestError);
  });
});

describe('trash', () => {
  it('hides trashed takes, restores them, and deletes only when the trash is emptied', () => {
    const db = openLibrary();
    const [a, b, c] = ['anvil strike', 'anvil ring', 'bell'].map((p) => db.addTake(newTake(dir, p, { tags: ['t'] })));
    db.exports.add(a.id, '/exports/anvil.wav', { format: 'pcm24' } as ExportOptions);
    expect(db.trash([a.id, b.id], new Date('2025-07-01T00:00:00Z'))).toBe(2);
    expect(db.trash([a.id])).toBe(0); // already there
    expect(db.list().takes.map((t) => t.id)).toEqual([c.id]);
    expect(db.search({ text: 'anvil' }).total).toBe(0);
    expect(db.listTrash()).toMatchObject({ total: 2 });
    expect(db.take(a.id).deletedAt).toBe('2025-07-01T00:00:00.000Z');

    expect(db.restore([b.id])).toBe(1);
    expect(db.search({ text: 'anvil' }).takes.map((t) => t.id)).toEqual([b.id]);

    const emptied = db.emptyTrash();
    expect(emptied).toEqual({ ids: [a.id], files: [join(dir, ...a.file.split('/'))] });
    expect(db.get(a.id)).toBeUndefined();
    expect(db.exports.list(a.id)).toEqual([]);
    expect(existsSync(emptied.files[0])).toBe(true); // the caller removes the file
    expect(db.emptyTrash()).toEqual({ ids: [], files: [] });
    const raw = openSqlite(join(dir, DB_FILE));
    expect(raw.prepare('SELECT count(*) AS n FROM tags').get()).toEqual({ n: 2 });
    expect(() => raw.exec("INSERT INTO takes_fts (takes_fts, rank) VALUES ('integrity-check', 1)")).not.toThrow();
    raw.close();
  });

  it('takes trashed takes out of the full-text index and puts them back on restore, edits included', () => {
    const db = openLibrary();
    const a = db.addTake(newTake(dir, 'smash on tiles', { tags: ['glass'] }));
    db.trash([a.id]);
    db.update(a.id, { notes: 'keep for the bar fight' }); // edited while in the trash
    db.setTags(a.id, ['bottle']);
    expect(db.search({ text: 'glass' }).total).toBe(0);
    expect(db.search({ text: 'fight', rating: 0 }).total).toBe(0);
    const raw = openSqlite(join(dir, DB_FILE));
    const ftsRows = () => raw.prepare('SELECT count(*) AS n FROM takes_fts').get();
    expect(() => raw.exec("INSERT INTO takes_fts (takes_fts, rank) VALUES ('integrity-check', 1)")).not.toThrow();
    db.restore([a.id]);
    for (const text of ['smash', 'fight', 'bottle']) {
      expect(
        db.search({ text }).takes.map((t) => t.id),
        text,
      ).toEqual([a.id]); // the index alone
      expect(
        db.search({ text, rating: 0 }).takes.map((t) => t.id),
        text,
      ).toEqual([a.id]); // joined with takes
    }
    expect(db.search({ text: 'glass' }).total).toBe(0);
    expect(() => raw.exec("INSERT INTO takes_fts (takes_fts, rank) VALUES ('integrity-check', 1)")).not.toThrow();
    expect(ftsRows()).toEqual({ n: 1 });
    raw.close();
  });

  it('changes nothing when one of the ids is unknown', () => {
    const db = openLibrary();
    const a = db.addTake(newTake(dir, 'a'));
    expect(() => db.trash([a.id, 'missing'])).toThrow(TakeNotFoundError);
    expect(db.take(a.id).deletedAt).toBeNull();
  });
});

describe('references and exports', () => {
  it('adds, lists and reads references whose WAV exists', () => {
    const db = openLibrary();
    mkdirSync(join(dir, 'References'), { recursive: true });
    writeFileSync(join(dir, 'References', 'r1.wav'), 'RIFF');
    const ref = db.references.add({
      id: 'r1',
      name: 'door.wav',
      origin: { kind: 'file', path: '/sounds/door.wav' },
      file: 'References/r1.wav',
      sampleRate: 16000,
      samples: 8000,
      sha256: 'ef'.repeat(32),
      notices: ['resampled from 48000 Hz'],
      peaks: [-0.5, 0.5],
      createdAt: '2025-01-01T00:00:00Z',
    });
    expect(ref).toEqual({
      id: 'r1',
      name: 'door.wav',
      origin: { kind: 'file', path: '/sounds/door.wav' },
      file: 'References/r1.wav',
      sampleRate: 16000,
      samples: 8000,
      durationS: 0.5,
      sha256: 'ef'.repeat(32),
      notices: ['resampled from 48000 Hz'],
      peaks: [-64 / 127, 64 / 127],
      createdAt: '2025-01-01T00:00:00.000Z',
      deletedAt: null,
    });
    expect(db.references.list()).toEqual([ref]);
    expect(db.references.file('r1')).toBe(join(dir, 'References', 'r1.wav'));
    expect(() => db.references.add({ ...ref, id: 'r2', file: 'References/r2.wav' })).toThrow(LibraryFileMissingError);
  });

  it('records exports per take', () => {
    const db = openLibrary();
    const take = db.addTake(newTake(dir, 'whoosh'));
    const options = { format: 'pcm24', sampleRate: 48000, normalize: { kind: 'none' }, fadeInMs: 0, fadeOutMs: 5, nameTemplate: '{prompt-slug}' } as ExportOptions;
    const record = db.exports.add(take.id, '/exports/whoosh.wav', options, new Date('2025-01-01T00:00:00Z'));
    expect(db.exports.list(take.id)).toEqual([record]);
    expect(record).toMatchObject({ takeId: take.id, path: '/exports/whoosh.wav', createdAt: '2025-01-01T00:00:00.000Z', options });
    expect(() => db.exports.add('missing', '/x.wav', options)).toThrow(TakeNotFoundError);
  });
});

describe('reconcile', () => {
  it('reports rows without a WAV and WAVs without a row, and changes nothing', async () => {
    const db = openLibrary();
    const kept = db.addTake(newTake(dir, 'kept'));
    const lost = db.addTake(newTake(dir, 'lost'));
    rmSync(db.file(lost.id));
    const orphan = newTake(dir, 'never committed'); // WAV written, row never added
    const gen = join(dir, 'Generations', '2025-06-01');
    writeFileSync(join(gen, '.x.wav.123.partial'), 'half');
    writeFileSync(join(gen, '._resource-fork.wav'), 'mac');
    writeFileSync(join(gen, 'notes.txt'), 'hi');
    writeFileSync(db.file(kept.id).replace('.wav', '-empty.wav'), ''); // an orphan, even empty
    mkdirSync(join(dir, 'References'), { recursive: true });
    writeFileSync(join(dir, 'References', 'r1.wav'), 'RIFF');
    db.references.add({ id: 'r1', name: 'r', origin: { kind: 'file', path: null }, file: 'References/r1.wav', sampleRate: 16000, samples: 1, sha256: '', notices: [], peaks: [] });
    rmSync(join(dir, 'References', 'r1.wav'));
    expect(await db.reconcile()).toEqual({
      missing: [
        { kind: 'take', id: lost.id, file: lost.file },
        { kind: 'reference', id: 'r1', file: 'References/r1.wav' },
      ],
      orphans: [kept.file.replace('.wav', '-empty.wav'), orphan.file].sort(),
    });
    expect(db.get(lost.id)).toBeDefined();
    expect(db.get(kept.id)).toBeDefined();
    expect(existsSync(join(dir, ...orphan.file.split('/')))).toBe(true);
  });

  it('is empty for a library with nothing out of place, even before Generations/ exists', async () => {
    expect(await openLibrary().reconcile()).toEqual({ missing: [], orphans: [] });
  });
});

describe('search by sound', () => {
  const DIMS = 16;
  /** Deterministic, not unit-length vectors (the library normalises). */
  const vector = (seed: number) => new Float32Array(DIMS).map((_, i) => Math.sin(seed * 12.9898 + i * 78.233) * (1 + (seed % 3)));
  const cosine = (a: Float32Array, b: Float32Array) => {
    let dot = 0;
    let na = 0;
    let nb = 0;
    for (let i = 0; i < a.length; i++) {
      dot += a[i] * b[i];
      na += a[i] * a[i];
      nb += b[i] * b[i];
    }
    return dot / Math.sqrt(na * nb);
  };
  /** The expected answer, computed directly: cosine with every candidate, sorted. */
  const expected = (query: Float32Array, candidates: Array<{ id: string; v: Float32Array }>, k: number) =>
    candidates
      .map(({ id, v }) => ({ id, similarity: cosine(query, v) }))
      .sort((x, y) => y.similarity - x.similarity)
      .slice(0, k);
  const actual = (results: Array<{ take: { id: string }; similarity: number }>) => results.map((r) => ({ id: r.take.id, similarity: r.similarity }));

  function fill(db: LibraryDb, n: number) {
    return Array.from({ length: n }, (_, i) => {
      const v = vector(i + 1);
      const take = db.addTake(newTake(dir, `sound ${i}`, { embedding: i % 2 === 0 ? v : undefined }));
      if (i % 2 === 1) db.setEmbedding(take.id, v);
      return { id: take.id, v };
    });
  }

  it('finds the nearest takes by cosine, matching a direct computation', () => {
    const db = openLibrary();
    const takes = fill(db, 30);
    const query = takes[4];
    const others = takes.filter((t) => t.id !== query.id);
    const got = actual(db.similar(query.id, 5));
    const want = expected(query.v, others, 5);
    expect(got.map((r) => r.id)).toEqual(want.map((r) => r.id));
    got.forEach((r, i) => expect(r.similarity).toBeCloseTo(want[i].similarity, 6));
    expect(db.take(query.id).hasEmbedding).toBe(true);

    const text = vector(1000);
    const ranked = actual(db.rankByEmbedding(text, 7));
    expect(ranked.map((r) => r.id)).toEqual(expected(text, takes, 7).map((r) => r.id));
    ranked.forEach((r, i) => expect(r.similarity).toBeCloseTo(expected(text, takes, 7)[i].similarity, 6));
  });

  it("reads one take's embedding back as stored, and says which is missing", () => {
    const db = openLibrary();
    const [first, second] = fill(db, 2);
    expect(Array.from(db.embedding(first.id))).toEqual(Array.from(first.v));
    expect(Array.from(db.embedding(second.id))).toEqual(Array.from(second.v));
    const bare = db.addTake(newTake(dir, 'no embedding yet'));
    expect(() => db.embedding(bare.id)).toThrow(EmbeddingMissingError);
    expect(() => db.embedding('not-a-take')).toThrow(TakeNotFoundError);
  });

  it('follows trash, restore, new and replaced embeddings without reopening, and agrees after reopening', () => {
    const db = openLibrary();
    const takes = fill(db, 20);
    const query = vector(500);
    const top = db.rankByEmbedding(query, 3).map((r) => r.take.id);
    db.trash([top[0]]);
    expect(db.rankByEmbedding(query, 3).map((r) => r.take.id)).not.toContain(top[0]);
    expect(db.similar(top[1], 19).map((r) => r.take.id)).not.toContain(top[0]);
    db.restore([top[0]]);
    expect(db.rankByEmbedding(query, 3).map((r) => r.take.id)).toEqual(top);

    // Make the last take an exact match for the query, and add a new one that is its opposite.
    db.setEmbedding(takes[19].id, query);
    const opposite = db.addTake(newTake(dir, 'opposite', { embedding: query.map((x) => -x) }));
    const live = actual(db.rankByEmbedding(query, 21));
    expect(live[0]).toEqual({ id: takes[19].id, similarity: expect.closeTo(1, 6) });
    expect(live.at(-1)).toEqual({ id: opposite.id, similarity: expect.closeTo(-1, 6) });
    db.close();
    const reopened = actual(openLibrary().rankByEmbedding(query, 21));
    expect(reopened.map((r) => r.id)).toEqual(live.map((r) => r.id));
    reopened.forEach((r, i) => expect(r.similarity).toBeCloseTo(live[i].similarity, 6));
  });

  it('loads the embeddings a slice at a time, keeping up with changes made between slices', () => {
    const db = openLibrary();
    const takes = fill(db, 20);
    db.close();
    const fresh = openLibrary();
    const query = vector(777);
    expect(fresh.warmEmbeddings(6)).toBe(false); // takes 1–6 of 20
    // Between slices: one loaded take trashed, one not yet loaded given a new vector, a new take added.
    fresh.trash([takes[2].id]);
    fresh.setEmbedding(takes[15].id, query);
    const added = fresh.addTake(newTake(dir, 'added', { embedding: query.map((x) => -x) }));
    expect(fresh.warmEmbeddings(6)).toBe(false);
    expect(fresh.warmEmbeddings(6)).toBe(false);
    expect(fresh.warmEmbeddings(6)).toBe(true); // 21 in all: the fourth slice comes back short
    expect(fresh.warmEmbeddings(6)).toBe(true); // and stays loaded
    const ranked = actual(fresh.rankByEmbedding(query, 21));
    expect(ranked).toHaveLength(20); // 21 takes, one in the trash
    expect(ranked.map((r) => r.id)).not.toContain(takes[2].id);
    expect(ranked[0]).toEqual({ id: takes[15].id, similarity: expect.closeTo(1, 6) });
    expect(ranked.at(-1)).toEqual({ id: added.id, similarity: expect.closeTo(-1, 6) });
    // The same answer as an index read in one go.
    fresh.close();
    expect(actual(openLibrary().rankByEmbedding(query, 21)).map((r) => r.id)).toEqual(ranked.map((r) => r.id));
  });

  it('reads the embeddings again after another process writes to the library', () => {
    const db = openLibrary();
    fill(db, 5);
    const query = vector(4242);
    expect(db.rankByEmbedding(query, 10)).toHaveLength(5); // loaded
    const cli = openLibrary(); // `loa generate --library` while the studio is open
    const made = cli.addTake(newTake(dir, 'from the CLI', { embedding: query }));
    const ranked = actual(db.rankByEmbedding(query, 10));
    expect(ranked).toHaveLength(6);
    expect(ranked[0]).toEqual({ id: made.id, similarity: expect.closeTo(1, 6) });
    expect(db.warmEmbeddings()).toBe(true);
  });

  it('rolls a failed batch back whole, embeddings included', () => {
    const db = openLibrary();
    const takes = fill(db, 4);
    db.similar(takes[0].id, 3); // load the index
    const extra = newTake(dir, 'extra', { embedding: vector(99) });
    expect(() =>
      db.batch(() => {
        db.addTake(extra);
        db.trash([takes[1].id]);
        throw new Error('import cancelled');
      }),
    ).toThrow('import cancelled');
    expect(db.get(extra.id)).toBeUndefined();
    expect(db.take(takes[1].id).deletedAt).toBeNull();
    expect(
      db
        .rankByEmbedding(vector(99), 10)
        .map((r) => r.take.id)
        .sort(),
    ).toEqual(takes.map((t) => t.id).sort());
    expect(db.batch(() => db.addTake(extra).id)).toBe(extra.id);
  });

  it('forgets emptied takes', () => {
    const db = openLibrary();
    const takes = fill(db, 6);
    db.similar(takes[0].id, 5); // load the index
    db.trash([takes[1].id]);
    db.emptyTrash();
    expect(db.similar(takes[0].id, 10).map((r) => r.take.id)).toHaveLength(4);
    expect(db.similar(takes[0].id, 10).map((r) => r.take.id)).not.toContain(takes[1].id);
  });

  it('says when a take has no embedding yet, and refuses vectors that cannot be compared', () => {
    const db = openLibrary();
    expect(db.rankByEmbedding(vector(1), 5)).toEqual([]);
    const bare = db.addTake(newTake(dir, 'bare'));
    fill(db, 3);
    expect(() => db.similar(bare.id, 5)).toThrow(/no sound fingerprint/);
    expect(() => db.similar('missing', 5)).toThrow(TakeNotFoundError);
    expect(() => db.setEmbedding(bare.id, new Float32Array(DIMS + 1).fill(1))).toThrow(/has 17 values; the library's have 16/);
    expect(() => db.setEmbedding(bare.id, new Float32Array(DIMS))).toThrow(/zero/);
    expect(() => db.setEmbedding(bare.id, new Float32Array(DIMS).fill(Number.NaN))).toThrow(InvalidRequestError);
    expect(() => db.rankByEmbedding(new Float32Array(4).fill(1), 5)).toThrow(InvalidRequestError);
    expect(() => db.rankByEmbedding(vector(1), 0)).toThrow(InvalidRequestError);
    expect(() => db.setEmbedding('missing', vector(1))).toThrow(TakeNotFoundError);
  });
});
