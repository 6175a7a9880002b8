/**
 * The library's schema, as an ordered list of migrations. `PRAGMA user_version` is the number of
 * migrations applied; each runs in its own transaction together with the version bump, so a crash
 * mid-migration leaves the previous version intact. Never edit a shipped migration: append one.
 *
 * Layout notes (numbers from bench/library-bench.ts and a layout probe at 100 000 takes):
 * - Peaks (4 KB) and CLAP embeddings (2 KB) live in 1:1 side tables keyed by the take's `seq`,
 *   not in `takes`: inline, every take row spills into overflow pages and a filtered count over
 *   the scalars took 330 ms instead of 10 ms.
 * - `seq INTEGER PRIMARY KEY AUTOINCREMENT` is the rowid the full-text index and side tables
 *   point at: an implicit rowid may be renumbered by VACUUM, which would silently detach them,
 *   and AUTOINCREMENT never hands an emptied take's seq to a new one.
 * - Times are ISO 8601 UTC text (`toISOString`), which sorts and compares as time.
 * - Lineage parents are plain columns without foreign keys: a parent may have been emptied from
 *   the trash, or live in another library; `lineage_json` stays the full record.
 */
import { LibraryTooNewError } from './library-errors.ts';
import type { SqliteDatabase } from './sqlite-driver.ts';

export type Migration = (db: SqliteDatabase) => void;

/** v1: takes, tags, peaks, embeddings, references, exports. */
const v1: Migration = (db) => {
  db.exec(`
    CREATE TABLE takes (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      id TEXT NOT NULL UNIQUE,
      job_id TEXT NOT NULL,
      rank INTEGER NOT NULL,
      kind TEXT NOT NULL CHECK (kind IN ('generate', 'transform')),
      prompt TEXT NOT NULL,
      negative_prompt TEXT NOT NULL,
      seed INTEGER NOT NULL,
      steps INTEGER NOT NULL,
      scheduler TEXT NOT NULL,
      guidance REAL NOT NULL,
      seconds REAL,
      params_json TEXT NOT NULL,
      score REAL,
      model_id TEXT NOT NULL,
      bundle_hash TEXT,
      device TEXT NOT NULL,
      sample_rate INTEGER NOT NULL CHECK (sample_rate > 0),
      samples INTEGER NOT NULL CHECK (samples >= 0),
      duration_s REAL NOT NULL,
      created_at TEXT NOT NULL,
      rating INTEGER NOT NULL DEFAULT 0 CHECK (rating BETWEEN 0 AND 5),
      favourite INTEGER NOT NULL DEFAULT 0 CHECK (favourite IN (0, 1)),
      notes TEXT NOT NULL DEFAULT '',
      file TEXT NOT NULL UNIQUE,
      loop_start INTEGER,
      loop_end INTEGER,
      parent_take_id TEXT,
      parent_reference_id TEXT,
      operation TEXT,
      lineage_json TEXT,
      deleted_at TEXT
    ) STRICT;
    -- Live takes newest first, walked backwards without a sort; covering for every scalar filter,
    -- so a filtered count reads this index alone (at 100 000 takes: ~5 ms instead of ~150 ms).
    CREATE INDEX takes_live ON takes (created_at, seq, rating, favourite, duration_s, model_id) WHERE deleted_at IS NULL;
    CREATE INDEX takes_live_by_rating ON takes (rating, created_at, seq) WHERE deleted_at IS NULL;
    CREATE INDEX takes_trash ON takes (deleted_at) WHERE deleted_at IS NOT NULL;
    CREATE INDEX takes_by_job ON takes (job_id);
    -- The lineage tree: what was made from a take or a reference.
    CREATE INDEX takes_by_parent_take ON takes (parent_take_id) WHERE parent_take_id IS NOT NULL;
    CREATE INDEX takes_by_parent_reference ON takes (parent_reference_id) WHERE parent_reference_id IS NOT NULL;

    -- Min/max pairs as Int8 (value × 127, rounded outwards).
    CREATE TABLE take_peaks (
      take_seq INTEGER PRIMARY KEY REFERENCES takes (seq) ON DELETE CASCADE,
      peaks BLOB NOT NULL
    ) STRICT;

    -- CLAP audio embedding, Float32 little-endian, as the model produced it (not normalised).
    CREATE TABLE take_clap (
      take_seq INTEGER PRIMARY KEY REFERENCES takes (seq) ON DELETE CASCADE,
      clap_embedding BLOB NOT NULL
    ) STRICT;

    -- Keyed by the take's seq like the other side tables: a tag filter is then a set of rowids
    -- that the covering index above can check without reading takes rows.
    CREATE TABLE tags (
      take_seq INTEGER NOT NULL REFERENCES takes (seq) ON DELETE CASCADE,
      tag TEXT NOT NULL COLLATE NOCASE,
      position INTEGER NOT NULL,
      PRIMARY KEY (take_seq, tag)
    ) STRICT, WITHOUT ROWID;
    CREATE INDEX tags_by_tag ON tags (tag, take_seq);

    CREATE TABLE "references" (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      origin_json TEXT NOT NULL,
      file TEXT NOT NULL UNIQUE,
      sample_rate INTEGER NOT NULL,
      samples INTEGER NOT NULL,
      duration_s REAL NOT NULL,
      sha256 TEXT NOT NULL,
      notices_json TEXT NOT NULL,
      created_at TEXT NOT NULL,
      peaks BLOB NOT NULL,
      deleted_at TEXT
    ) STRICT;

    CREATE TABLE exports (
      id INTEGER PRIMARY KEY,
      take_id TEXT NOT NULL REFERENCES takes (id) ON DELETE CASCADE,
      path TEXT NOT NULL,
      created_at TEXT NOT NULL,
      options_json TEXT NOT NULL
    ) STRICT;
    CREATE INDEX exports_by_take ON exports (take_id);
  `);
};

const TAG_TEXT = `coalesce((SELECT group_concat(tag, ' ' ORDER BY position) FROM tags WHERE take_seq = takes.seq), '')`;

/**
 * v2: full-text search over prompt, tags and notes of live takes. An external-content FTS5 table
 * over the view `takes_live_text` (so `rebuild` and `integrity-check` work); tags reach it through
 * `tag_text`, which triggers on `tags` keep current. Trashed takes leave the index and come back
 * on restore: a plain text search is then answered by the index alone, without reading 8 000
 * takes rows to skip the trashed ones (at 100 000 takes: ~15 ms instead of ~37 ms).
 * Existing rows are indexed by the rebuild.
 */
const v2: Migration = (db) => {
  db.exec(`
    ALTER TABLE takes ADD COLUMN tag_text TEXT NOT NULL DEFAULT '';
    UPDATE takes SET tag_text = ${TAG_TEXT};

    CREATE VIEW takes_live_text AS SELECT seq, prompt, tag_text, notes FROM takes WHERE deleted_at IS NULL;
    CREATE VIRTUAL TABLE takes_fts USING fts5 (
      prompt, tag_text, notes,
      content = 'takes_live_text', content_rowid = 'seq',
      tokenize = 'unicode61 remove_diacritics 2',
      prefix = '2 3'
    );
    INSERT INTO takes_fts (takes_fts) VALUES ('rebuild');

    CREATE TRIGGER takes_fts_insert AFTER INSERT ON takes WHEN new.deleted_at IS NULL BEGIN
      INSERT INTO takes_fts (rowid, prompt, tag_text, notes) VALUES (new.seq, new.prompt, new.tag_text, new.notes);
    END;
    CREATE TRIGGER takes_fts_delete AFTER DELETE ON takes WHEN old.deleted_at IS NULL BEGIN
      INSERT INTO takes_fts (takes_fts, rowid, prompt, tag_text, notes) VALUES ('delete', old.seq, old.prompt, old.tag_text, old.notes);
    END;
    -- One trigger, so the old entry always goes before the new one arrives (an FTS5 'delete' of
    -- the old text after an insert of the new would also remove the words they share).
    CREATE TRIGGER takes_fts_update AFTER UPDATE OF prompt, tag_text, notes, deleted_at ON takes BEGIN
      INSERT INTO takes_fts (takes_fts, rowid, prompt, tag_text, notes)
        SELECT 'delete', old.seq, old.prompt, old.tag_text, old.notes WHERE old.deleted_at IS NULL;
      INSERT INTO takes_fts (rowid, prompt, tag_text, notes)
        SELECT new.seq, new.prompt, new.tag_text, new.notes WHERE new.deleted_at IS NULL;
    END;

    CREATE TRIGGER tags_insert AFTER INSERT ON tags BEGIN
      UPDATE takes SET tag_text = ${TAG_TEXT} WHERE seq = new.take_seq;
    END;
    CREATE TRIGGER tags_delete AFTER DELETE ON tags BEGIN
      UPDATE takes SET tag_text = ${TAG_TEXT} WHERE seq = old.take_seq;
    END;
  `);
};

/** The search index's tokenizer since v3: unicode61 words, accents folded, then Porter stems. */
export const FTS_TOKENIZE = 'porter unicode61 remove_diacritics 2';

/**
 * v3: search like people search (issue 13): the index stems words with FTS5's porter tokenizer,
 * so "doors" finds "door" and "slammed" finds "slam". FTS5 cannot change a table's tokenizer, so
 * the index is dropped and made again over the same view and rebuilt from the takes; the triggers
 * of v2 name the table, not its definition, and keep working.
 */
const v3: Migration = (db) => {
  db.exec(`
    DROP TABLE takes_fts;
    CREATE VIRTUAL TABLE takes_fts USING fts5 (
      prompt, tag_text, notes,
      content = 'takes_live_text', content_rowid = 'seq',
      tokenize = '${FTS_TOKENIZE}',
      prefix = '2 3'
    );
    INSERT INTO takes_fts (takes_fts) VALUES ('rebuild');
  `);
};

/** Migration i brings the schema from version i to i + 1. */
export const MIGRATIONS: readonly Migration[] = [v1, v2, v3];
export const SCHEMA_VERSION = MIGRATIONS.length;

export function schemaVersion(db: SqliteDatabase): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Applies the migrations the database lacks. A database from a newer app is refused before
 * anything is written. Tests pass `target` to make an old library, or their own `migrations`.
 */
export function migrate(db: SqliteDatabase, path: string, options: { target?: number; migrations?: readonly Migration[] } = {}): void {
  const migrations = options.migrations ?? MIGRATIONS;
  const target = options.target ?? migrations.length;
  const current = schemaVersion(db);
  if (current > migrations.length) throw new LibraryTooNewError(path, current, migrations.length);
  for (let version = current; version < target; version++) {
    db.transaction(() => {
      migrations[version](db);
      // Inside the transaction: the version moves only if the migration committed.
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
}
