/**
 * The studio's take and reference library on the SQLite database (src/main/library): each take's
 * WAV (with its recipe inside: bext, iXML, LIST/INFO) and `.json` sidecar are written atomically
 * before its row commits, so a crash leaves at worst an unlisted file, never a row without audio.
 * Libraries from before the database (a `takes.json` index) are brought in on open.
 */
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Recipe } from '../../shared/library/recipe.ts';
import { decodeWav, encodeWav } from '../audio/wav.ts';
import { writeFileAtomic } from '../io/atomic-write.ts';
import { GENERATIONS_DIR } from '../library/library-files.ts';
import { importJsonIndexes } from '../library/json-import.ts';
import { LibraryDb } from '../library/library-db.ts';
import type { LibraryReference, LibraryTake, ReconcileReport } from '../library/library-types.ts';
import { generationFile, newTakeId } from '../library/take-paths.ts';
import { recipeChunks, sidecarJson } from '../library/wav-metadata.ts';
import { computePeaks } from './peaks.ts';
import { samplesSha256, type NewReference } from './reference-store.ts';
import type { NewTake, StoredTake, TakePatch, TakeStore } from './take-store.ts';

const REFERENCES_DIR = 'References';
export const WORKSPACE_TAKES = 200;

function stored(take: LibraryTake): StoredTake {
  const { kind: _kind, bundleHash: _hash, file: _file, deletedAt: _deleted, hasEmbedding: _embedding, ...info } = take;
  return info;
}

/** Embeddings read per slice when a library opens: tens of milliseconds each at 512 dimensions. */
export const WARM_SLICE = 2000;

export class LibraryStore implements TakeStore {
  /** Settles once every take's embedding is in memory (search by sound answers at once from then on). */
  readonly embeddingsWarm: Promise<void>;
  private warming: NodeJS.Immediate | undefined;
  private stopWarming = (): void => {};

  private constructor(readonly db: LibraryDb, readonly reconciled: ReconcileReport, private readonly warmSlice: number) {
    this.embeddingsWarm = this.warmEmbeddings();
  }

  /**
   * Reads the embeddings a slice at a time between other work, so the first search by sound does
   * not wait for 100 000 of them and the main process never stalls for the whole read. A search
   * that comes first finishes the read itself.
   */
  private warmEmbeddings(): Promise<void> {
    return new Promise((done) => {
      this.stopWarming = () => {
        if (this.warming) clearImmediate(this.warming);
        this.warming = undefined;
        done();
      };
      const step = () => {
        let finished = true;
        try {
          finished = this.db.warmEmbeddings(this.warmSlice);
        } catch {
          // the first search by sound reads them itself and reports what is wrong
        }
        if (finished) this.stopWarming();
        else this.warming = setImmediate(step);
      };
      this.warming = setImmediate(step);
    });
  }

  get libraryDir(): string {
    return this.db.libraryDir;
  }

  /** Opens (or creates) the library; LibraryCorruptError leaves a damaged database untouched. */
  static async open(libraryDir: string, options: { warmSlice?: number } = {}): Promise<LibraryStore> {
    const db = LibraryDb.open(libraryDir);
    try {
      await removeStalePartials(libraryDir);
      importJsonIndexes(db); // libraries from before the database: their takes.json rows move in
      return new LibraryStore(db, await db.reconcile(), options.warmSlice ?? WARM_SLICE);
    } catch (error) {
      db.close();
      throw error;
    }
  }

  async add(take: NewTake & { recipe?: Recipe; embedding?: Float32Array }): Promise<StoredTake> {
    const id = newTakeId();
    const createdAt = take.createdAt ?? new Date();
    const file = generationFile(createdAt, take.params.prompt, take.seed, id, take.lineage?.strength);
    const path = join(this.libraryDir, ...file.split('/'));
    const chunks = take.recipe ? recipeChunks(take.recipe, { takeId: id }) : [];
    await writeFileAtomic(path, encodeWav([take.samples], take.sampleRate, 'float32', { ...(take.loop ? { loop: take.loop } : {}), chunks }));
    if (take.recipe) await writeFileAtomic(path.replace(/\.wav$/, '.json'), new TextEncoder().encode(sidecarJson(take.recipe)));
    return stored(
      this.db.addTake({
        id, file, jobId: take.jobId, rank: take.rank, params: take.params, seed: take.seed, score: take.score, modelId: take.modelId,
        bundleHash: take.recipe?.model.bundleHash ?? null, device: take.device, sampleRate: take.sampleRate, samples: take.samples.length,
        peaks: computePeaks(take.samples), createdAt, lineage: take.lineage ?? null, loop: take.loop ?? null, embedding: take.embedding,
      }),
    );
  }

  /**
   * The workspace's share: the newest WORKSPACE_TAKES takes, oldest first. The workspace draws only
   * the rows on screen (a full card on demand), but every take here travels with its peaks, so the
   * whole history belongs in the library panel's paged list instead.
   */
  async list(): Promise<StoredTake[]> {
    return this.db.list({ limit: WORKSPACE_TAKES }).takes.reverse().map(stored);
  }

  async get(id: string): Promise<StoredTake | undefined> {
    const take = this.db.get(id);
    return take && !take.deletedAt ? stored(take) : undefined;
  }

  async update(id: string, patch: TakePatch & { tags?: string[]; notes?: string }): Promise<StoredTake> {
    const { tags, ...rest } = patch;
    if (tags !== undefined) this.db.setTags(id, tags);
    return stored(this.db.update(id, rest));
  }

  file(id: string): string {
    return this.db.file(id);
  }

  // ---- references -----------------------------------------------------------------------------

  async addReference(reference: NewReference): Promise<LibraryReference> {
    const id = newTakeId();
    const file = `${REFERENCES_DIR}/${id}.wav`;
    await writeFileAtomic(join(this.libraryDir, REFERENCES_DIR, `${id}.wav`), encodeWav([reference.samples], reference.sampleRate, 'float32'));
    return this.db.addReference({
      id, name: reference.name, origin: reference.origin, file, sampleRate: reference.sampleRate, samples: reference.samples.length,
      sha256: samplesSha256(reference.samples), notices: reference.notices, peaks: computePeaks(reference.samples),
    });
  }

  /** The reference's samples, exactly as the engine will see them. */
  async referenceSamples(id: string): Promise<Float32Array> {
    return decodeWav(new Uint8Array(await readFile(this.db.referenceFile(id)))).channels[0];
  }

  close(): void {
    this.stopWarming();
    this.db.close();
  }
}

/**
 * writeFileAtomic's temporaries (`.<name>.<pid>.partial`) left by a process that was killed
 * mid-write: never listed as takes, and removed here once their writer is gone.
 */
async function removeStalePartials(libraryDir: string): Promise<void> {
  for (const folder of [GENERATIONS_DIR, REFERENCES_DIR]) {
    const entries = await readdir(join(libraryDir, folder), { recursive: true, withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      const match = /^\..+\.(\d+)\.partial$/.exec(entry.name);
      if (!entry.isFile() || !match || processAlive(Number(match[1]))) continue;
      await rm(join(entry.parentPath, entry.name), { force: true });
    }
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
