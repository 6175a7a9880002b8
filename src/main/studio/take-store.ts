/**
 * The take library: every take as a 32-bit float WAV under `Generations/YYYY-MM-DD/`, listed in
 * `takes.json`. A simple JSON store for now (a later issue moves the index to SQLite), so the
 * service only sees the `TakeStore` interface.
 */
import { randomUUID } from 'node:crypto';
import { readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { Lineage } from '../../shared/engine/lineage.ts';
import { InvalidRequestError, LoaError } from '../../shared/errors.ts';
import type { JobParams, TakeInfo } from '../../shared/studio/studio-api.ts';
import { encodeWav } from '../audio/wav.ts';
import { promptSlug } from '../export/file-name.ts';
import { writeFileAtomic } from '../io/atomic-write.ts';
import { computePeaks } from './peaks.ts';

/** A take as stored: everything but the URL, which depends on the transport that serves it. */
export type StoredTake = Omit<TakeInfo, 'audioUrl'>;

export interface NewTake {
  jobId: string;
  /** Provisional (arrival order) until the job is ranked. */
  rank: number;
  params: JobParams;
  seed: number;
  score: number | null;
  sampleRate: number;
  samples: Float32Array;
  modelId: string;
  device: string;
  createdAt?: Date;
  lineage?: Lineage;
  /** Loop points (sample frames), written into the WAV's smpl chunk too. */
  loop?: { start: number; end: number };
}

export type TakePatch = Partial<Pick<StoredTake, 'rank' | 'score' | 'rating' | 'favourite'>>;

export interface TakeStore {
  /** Writes the WAV, then the index; resolves once both are on disk. */
  add(take: NewTake): Promise<StoredTake>;
  /** Oldest first. */
  list(): Promise<StoredTake[]>;
  get(id: string): Promise<StoredTake | undefined>;
  update(id: string, patch: TakePatch): Promise<StoredTake>;
  /** Absolute path of the take's WAV; throws TakeNotFoundError for an unknown id. */
  file(id: string): string;
}

export const INDEX_FILE = 'takes.json';
const INDEX_FORMAT = 'loa-studio-takes';

interface IndexRecord extends StoredTake {
  /** Relative to the library folder, '/'-separated, so the library can move or change OS. */
  file: string;
}

export class TakeNotFoundError extends InvalidRequestError {
  constructor(id: string) {
    super('takeId', `There is no take with id ${id} in the library.`, 'Refresh the take list; the take may have been made in another library folder.');
  }
}

export class LibraryIndexError extends LoaError {
  constructor(message: string) {
    super('IO_FAILED', message, 'Nothing was deleted: the WAV files under Generations/ are untouched, and the damaged index was kept beside the new one.');
  }
}

/** The user's calendar day, not UTC: a take made at 23:30 belongs to today's folder. */
function localDate(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

function isRecord(value: unknown): value is IndexRecord {
  const r = value as IndexRecord;
  return typeof r === 'object' && r !== null && typeof r.id === 'string' && typeof r.jobId === 'string' && typeof r.file === 'string'
    && !r.file.split('/').includes('..') && typeof r.params === 'object' && r.params !== null && Number.isFinite(r.sampleRate)
    && Number.isFinite(r.samples) && Array.isArray(r.peaks) && Number.isInteger(r.rating) && typeof r.favourite === 'boolean';
}

/** Records written before audio-to-audio existed have no lineage or loop fields. */
function stripFile({ file: _file, ...take }: IndexRecord): StoredTake {
  return { ...take, lineage: take.lineage ?? null, loop: take.loop ?? null };
}

export class JsonTakeStore implements TakeStore {
  /** Every index write runs after the previous one, so concurrent adds and ratings never drop each other. */
  private writes: Promise<unknown> = Promise.resolve();

  private constructor(readonly libraryDir: string, private records: IndexRecord[]) {}

  /**
   * Opens the library at `libraryDir` (an absent index is an empty library). A damaged index is
   * moved aside to `takes.json.corrupt-<time>` and reported with LibraryIndexError; opening again
   * then starts a new, empty index, so the studio keeps working and nothing is overwritten.
   */
  static async open(libraryDir: string): Promise<JsonTakeStore> {
    const path = join(libraryDir, INDEX_FILE);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new JsonTakeStore(libraryDir, []);
      throw new LoaError('IO_FAILED', `Cannot read the take library index ${path}: ${(error as Error).message}.`, 'Check that the library folder is readable, or choose another in Settings.');
    }
    let problem: string;
    try {
      const doc = JSON.parse(text) as { format?: unknown; version?: unknown; takes?: unknown };
      if (doc?.format === INDEX_FORMAT && doc.version === 1 && Array.isArray(doc.takes) && doc.takes.every(isRecord)) {
        return new JsonTakeStore(libraryDir, doc.takes);
      }
      problem = 'it is not a LOA Studio take index, or an entry is incomplete';
    } catch (error) {
      problem = `it is not valid JSON: ${(error as Error).message}`;
    }
    const kept = `${INDEX_FILE}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    await rename(path, join(libraryDir, kept));
    throw new LibraryIndexError(`The take library index ${path} is damaged (${problem}). It was kept as ${kept}, and a new, empty index starts now.`);
  }

  async add(take: NewTake): Promise<StoredTake> {
    const id = randomUUID().replaceAll('-', '');
    const createdAt = take.createdAt ?? new Date();
    // The same slug as exported file names, so a take and its exports sort together.
    const file = `Generations/${localDate(createdAt)}/${promptSlug(take.params.prompt)}_${take.seed}_${id}.wav`;
    const record: IndexRecord = {
      id,
      jobId: take.jobId,
      rank: take.rank,
      params: take.params,
      seed: take.seed,
      score: take.score,
      sampleRate: take.sampleRate,
      samples: take.samples.length,
      durationS: take.samples.length / take.sampleRate,
      modelId: take.modelId,
      device: take.device,
      createdAt: createdAt.toISOString(),
      rating: 0,
      favourite: false,
      peaks: computePeaks(take.samples),
      lineage: take.lineage ?? null,
      loop: take.loop ?? null,
      file,
    };
    // The WAV is complete on disk before the index names it: a crash in between leaves an
    // unlisted file, never a listed take without audio.
    await writeFileAtomic(this.absolute(file), encodeWav([take.samples], take.sampleRate, 'float32', take.loop ? { loop: take.loop } : {}));
    await this.commit((records) => [...records, record]);
    return stripFile(record);
  }

  async list(): Promise<StoredTake[]> {
    return this.records.map(stripFile);
  }

  async get(id: string): Promise<StoredTake | undefined> {
    const record = this.records.find((r) => r.id === id);
    return record && stripFile(record);
  }

  async update(id: string, patch: TakePatch): Promise<StoredTake> {
    let updated: IndexRecord | undefined;
    await this.commit((records) => {
      if (!records.some((r) => r.id === id)) return records;
      return records.map((r) => (r.id === id ? (updated = { ...r, ...patch }) : r));
    });
    if (!updated) throw new TakeNotFoundError(id);
    return stripFile(updated);
  }

  file(id: string): string {
    const record = this.records.find((r) => r.id === id);
    if (!record) throw new TakeNotFoundError(id);
    return this.absolute(record.file);
  }

  private absolute(file: string): string {
    return join(this.libraryDir, ...file.split('/'));
  }

  /** Rewrites the index atomically; memory changes only once the new index is on disk. */
  private commit(change: (records: IndexRecord[]) => IndexRecord[]): Promise<void> {
    const write = this.writes.then(async () => {
      const next = change(this.records);
      if (next === this.records) return;
      const doc = { format: INDEX_FORMAT, version: 1, takes: next };
      await writeFileAtomic(join(this.libraryDir, INDEX_FILE), new TextEncoder().encode(JSON.stringify(doc)));
      this.records = next;
    });
    this.writes = write.catch(() => {});
    return write;
  }
}
