/**
 * The CLAP embeddings search by sound ranks, held in memory (EmbeddingIndex) beside the database
 * that stores them (take_clap): loaded a slice at a time, kept in step with the library's own writes,
 * and read again when another process (the CLI) commits to the same library.
 */
import { EmbeddingIndex } from './embedding-index.ts';
import type { Statement } from './sqlite-driver.ts';

/** The library's prepared-statement cache (LibraryDb's). */
export type Sql = <Row = unknown>(text: string) => Statement<Row>;

/** Float32 samples as a blob (little-endian on every platform we ship: x64 and arm64). */
export function floatBlob(vector: Float32Array): Buffer {
  return Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength);
}

/** A Float32Array over a blob; copied when the blob's bytes are not 4-byte aligned. */
export function floatsOf(blob: Uint8Array): Float32Array {
  if (blob.byteOffset % 4 === 0) return new Float32Array(blob.buffer, blob.byteOffset, blob.byteLength / 4);
  return new Float32Array(new Uint8Array(blob).buffer);
}

export class LoadedEmbeddings {
  /** Undefined until loaded, null while the library has none. */
  private loaded: EmbeddingIndex | null | undefined;
  /** `data_version` when the index was read: another process's commit since means read it again. */
  private loadedVersion = 0;
  /** A load in slices under way (warm): its index so far and where it stands. */
  private loading: { index?: EmbeddingIndex; afterSeq: number; expected: number; version: number } | undefined;

  constructor(private readonly sql: Sql) {}

  /** Length of the library's embeddings: all come from one CLAP model, or they cannot be compared. */
  dims(): number | undefined {
    if (this.loaded) return this.loaded.dims;
    const bytes = this.sql<number>('SELECT length(clap_embedding) FROM take_clap LIMIT 1').pluck().get();
    return bytes === undefined ? undefined : bytes / 4;
  }

  /**
   * Loads the next `rows` embeddings into the index; true once all are in. Called a slice at a time
   * after a library opens, so the first search by sound finds them loaded (100 000 of them take over
   * a second to read) and the process never stalls for the whole load. A search that comes first
   * finishes the load itself.
   */
  warm(rows = 2000): boolean {
    if (this.loaded !== undefined && this.loadedVersion === this.otherWrites()) return true;
    if (this.loaded !== undefined) this.forget(); // another process wrote: read them again
    this.loading ??= { afterSeq: -1, expected: this.sql<number>('SELECT count(*) FROM take_clap').pluck().get() ?? 0, version: this.otherWrites() };
    const loading = this.loading;
    const batch = this.sql<{ seq: number; blob: Uint8Array; live: number }>(
      `SELECT c.take_seq AS seq, c.clap_embedding AS blob, t.deleted_at IS NULL AS live FROM take_clap c JOIN takes t ON t.seq = c.take_seq
       WHERE c.take_seq > ? ORDER BY c.take_seq LIMIT ?`,
    ).all(loading.afterSeq, rows);
    for (const row of batch) {
      const vector = floatsOf(row.blob);
      loading.index ??= EmbeddingIndex.build(vector.length, [], loading.expected);
      loading.index.set(row.seq, vector, row.live === 1);
      loading.afterSeq = row.seq;
    }
    if (batch.length === rows) return false;
    this.loaded = loading.index ?? null;
    this.loadedVersion = loading.version;
    this.loading = undefined;
    return true;
  }

  /** The whole index, loading what is left first; null when the library has no embeddings. */
  index(): EmbeddingIndex | null {
    while (!this.warm(10_000));
    return this.loaded ?? null;
  }

  /** Moves when another connection (the CLI writing into this library) commits; not with our own writes. */
  otherWrites(): number {
    return this.sql<number>('PRAGMA data_version').pluck().get() ?? 0;
  }

  /** Drops what is loaded (after a rollback, or rows removed for good): read again on the next search. */
  forget(): void {
    this.loaded = undefined;
    this.loading = undefined;
  }

  /** A take's embedding was stored: the loaded index (or a load under way) takes it too. */
  set(seq: number, embedding: Float32Array, live: boolean): void {
    if (this.loaded === undefined) {
      // Not loaded: the load reads it from the table (a load under way takes it now as well).
      this.loading?.index?.set(seq, embedding, live);
      return;
    }
    this.loaded ??= EmbeddingIndex.build(embedding.length, []);
    this.loaded.set(seq, embedding, live);
  }

  /** A take went to the trash or came back. */
  setLive(seq: number, live: boolean): void {
    (this.loaded ?? this.loading?.index)?.setLive(seq, live);
  }
}
