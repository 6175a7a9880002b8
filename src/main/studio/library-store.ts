/**
 * The studio's take and reference library on the SQLite database (src/main/library): each take's
 * WAV (with its recipe inside: bext, iXML, LIST/INFO) and `.json` sidecar are written atomically
 * before its row commits, so a crash leaves at worst an unlisted file, never a row without audio.
 * Libraries from before the database (a `takes.json` index) are brought in on open.
 */
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Recipe } from '../../shared/library/recipe.ts';
import type { ExportOptions, LineageNode } from '../../shared/studio/studio-api.ts';
import { decodeWav, encodeWav } from '../audio/wav.ts';
import { writeFileAtomic } from '../io/atomic-write.ts';
import { GENERATIONS_DIR } from '../library/library-files.ts';
import { importJsonIndexes } from '../library/json-import.ts';
import { LibraryDb } from '../library/library-db.ts';
import { TakeNotFoundError } from '../library/library-errors.ts';
import type { ExportRecord, LibraryReference, LibraryTake, NewLibraryTake, ReconcileReport, SearchOptions, SearchResult, SimilarTake } from '../library/library-types.ts';
import { generationFile, newTakeId } from '../library/take-paths.ts';
import { recipeChunks, sidecarJson } from '../library/wav-metadata.ts';
import { lineageTree } from './lineage-tree.ts';
import { computePeaks } from './peaks.ts';
import { samplesSha256, type NewReference } from './reference-store.ts';
import type { NewTake, StoredTake, TakePatch, TakeStore } from './take-store.ts';

const REFERENCES_DIR = 'References';
export const WORKSPACE_TAKES = 200;

export function stored(take: LibraryTake): StoredTake {
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

  /** The database is this store's alone: the studio reaches it only through the methods below. */
  private constructor(
    private readonly db: LibraryDb,
    readonly reconciled: ReconcileReport,
    private readonly warmSlice: number,
  ) {
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
        id,
        file,
        jobId: take.jobId,
        rank: take.rank,
        params: take.params,
        seed: take.seed,
        score: take.score,
        modelId: take.modelId,
        bundleHash: take.recipe?.model.bundleHash ?? null,
        device: take.device,
        sampleRate: take.sampleRate,
        samples: take.samples.length,
        peaks: computePeaks(take.samples),
        createdAt,
        lineage: take.lineage ?? null,
        loop: take.loop ?? null,
        embedding: take.embedding,
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

  /** A take that is not in the trash; TakeNotFoundError otherwise. */
  async take(id: string): Promise<StoredTake> {
    const take = await this.get(id);
    if (!take) throw new TakeNotFoundError(id);
    return take;
  }

  async update(id: string, patch: TakePatch & { tags?: string[]; notes?: string }): Promise<StoredTake> {
    const { tags, ...rest } = patch;
    if (tags !== undefined) this.db.setTags(id, tags);
    return stored(this.db.update(id, rest));
  }

  file(id: string): string {
    return this.db.file(id);
  }

  /** The takes one job made (trashed too), best first: a farm job's takes are filed once only (src/main/farm). */
  takesOfJob(jobId: string): Array<{ id: string; rank: number }> {
    return this.db.takesOfJob(jobId).map(({ id, rank }) => ({ id, rank }));
  }

  /** A row for a WAV already in the library, from its recipe (a rebuild); `hasTake` first, trashed rows included. */
  addRebuiltTake(row: NewLibraryTake): void {
    this.db.addTake(row);
  }

  hasTake(id: string): boolean {
    return this.db.get(id) !== undefined;
  }

  // ---- the library panel ----------------------------------------------------------------------

  search(options: SearchOptions): SearchResult {
    return this.db.search(options);
  }

  /** Takes nearest to a CLAP embedding (a text or a reference), best first. */
  rankByEmbedding(query: Float32Array, k: number): SimilarTake[] {
    return this.db.rankByEmbedding(query, k);
  }

  similar(takeId: string, k: number): SimilarTake[] {
    return this.db.similar(takeId, k);
  }

  /** The take's stored CLAP audio embedding; EmbeddingMissingError until it has one. */
  embedding(takeId: string): Float32Array {
    return this.db.embedding(takeId);
  }

  trash(ids: readonly string[]): number {
    return this.db.trash(ids);
  }

  restore(ids: readonly string[]): number {
    return this.db.restore(ids);
  }

  lineageTree(takeId: string): LineageNode {
    return lineageTree(this.db, takeId);
  }

  /** Records where a take was exported, so the library shows it and the media route may serve the file. */
  addExport(takeId: string, path: string, options: ExportOptions): ExportRecord {
    return this.db.exports.add(takeId, path, options);
  }

  isExportPath(path: string): boolean {
    return this.db.exports.isExportPath(path);
  }

  // ---- references -----------------------------------------------------------------------------

  async addReference(reference: NewReference): Promise<LibraryReference> {
    const id = newTakeId();
    const file = `${REFERENCES_DIR}/${id}.wav`;
    await writeFileAtomic(join(this.libraryDir, REFERENCES_DIR, `${id}.wav`), encodeWav([reference.samples], reference.sampleRate, 'float32'));
    return this.db.references.add({
      id,
      name: reference.name,
      origin: reference.origin,
      file,
      sampleRate: reference.sampleRate,
      samples: reference.samples.length,
      sha256: samplesSha256(reference.samples),
      notices: reference.notices,
      peaks: computePeaks(reference.samples),
    });
  }

  /** Throws ReferenceNotFoundError for an unknown id. */
  reference(id: string): LibraryReference {
    return this.db.references.get(id);
  }

  /** Newest first. */
  listReferences(): LibraryReference[] {
    return this.db.references.list();
  }

  referenceFile(id: string): string {
    return this.db.references.file(id);
  }

  /** The reference's samples, exactly as the engine will see them. */
  async referenceSamples(id: string): Promise<Float32Array> {
    return decodeWav(new Uint8Array(await readFile(this.db.references.file(id)))).channels[0];
  }

  close(): void {
    this.stopWarming();
    this.db.close();
  }

  /** Moves a library's database out of the way before a rebuild; returns where it went (null: there was none). */
  static setAsideForRebuild(libraryDir: string, damaged: boolean): string | null {
    return LibraryDb.setAsideForRebuild(libraryDir, new Date(), damaged);
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
