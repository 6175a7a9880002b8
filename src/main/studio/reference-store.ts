/**
 * References: clips the user brought or sent from a take, kept as the engine sees them (mono
 * 32-bit float at the model rate) under the library's `References/` folder, listed in
 * `References/references.json`. Like takes, a reference's WAV is on disk before the index names it.
 */
import { createHash, randomUUID } from 'node:crypto';
import { readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidRequestError, LoaError } from '../../shared/errors.ts';
import type { ReferenceInfo } from '../../shared/studio/studio-api.ts';
import { decodeWav, encodeWav } from '../audio/wav.ts';
import { writeFileAtomic } from '../io/atomic-write.ts';
import { computePeaks } from './peaks.ts';

export type StoredReference = Omit<ReferenceInfo, 'audioUrl'>;

export interface NewReference {
  name: string;
  origin: ReferenceInfo['origin'];
  samples: Float32Array;
  sampleRate: number;
  notices: string[];
}

export const REFERENCES_DIR = 'References';
const INDEX = 'references.json';
const FORMAT = 'loa-studio-references';

export class ReferenceNotFoundError extends InvalidRequestError {
  constructor(id: string) {
    super('referenceId', `There is no reference with id ${id}.`, 'Drop the clip on the reference lane again, or pick one from the list.');
  }
}

export function samplesSha256(samples: Float32Array): string {
  return createHash('sha256').update(new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength)).digest('hex');
}

function isStored(value: unknown): value is StoredReference {
  const r = value as StoredReference;
  return typeof r === 'object' && r !== null && typeof r.id === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(r.id) && typeof r.name === 'string'
    && Number.isFinite(r.sampleRate) && Number.isFinite(r.samples) && Array.isArray(r.peaks) && typeof r.origin === 'object' && r.origin !== null;
}

export class ReferenceStore {
  private writes: Promise<unknown> = Promise.resolve();

  private constructor(private readonly dir: string, private records: StoredReference[]) {}

  /** An absent index is an empty list; a damaged one is set aside (its WAVs stay) and a new one starts. */
  static async open(libraryDir: string): Promise<ReferenceStore> {
    const dir = join(libraryDir, REFERENCES_DIR);
    const path = join(dir, INDEX);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new ReferenceStore(dir, []);
      throw new LoaError('IO_FAILED', `Cannot read ${path}: ${(error as Error).message}.`, 'Check that the library folder is readable, or choose another in Settings.');
    }
    try {
      const doc = JSON.parse(text) as { format?: unknown; references?: unknown };
      if (doc.format === FORMAT && Array.isArray(doc.references) && doc.references.every(isStored)) return new ReferenceStore(dir, doc.references);
    } catch {
      // fall through: set the damaged index aside
    }
    await rename(path, `${path}.corrupt-${Date.now()}`);
    return new ReferenceStore(dir, []);
  }

  async add(reference: NewReference): Promise<StoredReference> {
    const id = randomUUID().replaceAll('-', '');
    const record: StoredReference = {
      id,
      name: reference.name,
      origin: reference.origin,
      sampleRate: reference.sampleRate,
      samples: reference.samples.length,
      durationS: reference.samples.length / reference.sampleRate,
      sha256: samplesSha256(reference.samples),
      notices: reference.notices,
      createdAt: new Date().toISOString(),
      peaks: computePeaks(reference.samples),
    };
    await writeFileAtomic(this.file(id), encodeWav([reference.samples], reference.sampleRate, 'float32'));
    const write = this.writes.then(async () => {
      const next = [record, ...this.records];
      await writeFileAtomic(join(this.dir, INDEX), new TextEncoder().encode(JSON.stringify({ format: FORMAT, references: next })));
      this.records = next;
    });
    this.writes = write.catch(() => {});
    await write;
    return record;
  }

  /** Newest first. */
  list(): StoredReference[] {
    return [...this.records];
  }

  get(id: string): StoredReference {
    const record = this.records.find((r) => r.id === id);
    if (!record) throw new ReferenceNotFoundError(id);
    return record;
  }

  /** The reference's samples, exactly as the engine will see them. */
  async samples(id: string): Promise<Float32Array> {
    this.get(id);
    return decodeWav(new Uint8Array(await readFile(this.file(id)))).channels[0];
  }

  /** Path of a reference's WAV (ids are checked against ID_PATTERN before they get here). */
  file(id: string): string {
    return join(this.dir, `${id}.wav`);
  }
}
