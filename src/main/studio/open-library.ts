/**
 * The one open take library (LibraryStore) and its life: opened at start, reopened when the user
 * picks another folder, set aside and rebuilt from the WAVs' recipes after damage. It also knows who
 * is writing into it (jobs saving takes, imports adding references), because a rebuild must not close
 * the store under them: that failed the job and left its next take's WAV without a row.
 */
import { LoaError } from '../../shared/errors.ts';
import { LibraryBusyError, LibraryCorruptError } from '../library/library-errors.ts';
import { rebuildFromRecipes } from './library-rebuild.ts';
import { LibraryStore } from './library-store.ts';

export type Writer = 'job' | 'import';

export interface RebuildReport {
  restored: number;
  skipped: number;
  setAside: string | null;
}

export class OpenLibrary {
  private library: LibraryStore | undefined;
  /** Why the library could not open (a damaged database): every library call reports it until a rebuild. */
  private problem: LoaError | undefined;
  private rebuilding = false;
  private readonly writers: Record<Writer, number> = { job: 0, import: 0 };

  /** Opens `dir`, closing the current one; a damaged database leaves the studio running without a library. */
  async open(dir: string): Promise<void> {
    this.close();
    this.problem = undefined;
    try {
      this.library = await LibraryStore.open(dir);
    } catch (error) {
      // The studio still starts: generation works once the user rebuilds or picks another folder.
      if (!(error instanceof LoaError)) throw error;
      this.problem = error;
    }
  }

  /** The open library, or the reason there is none. */
  get store(): LibraryStore {
    if (!this.library) throw this.problem ?? new LoaError('IO_FAILED', 'The library is not open.', 'Choose a library folder in Settings.');
    return this.library;
  }

  /** Marks a job or an import as writing until the returned function is called; refused while the library is rebuilt. */
  beginWriting(writer: Writer): () => void {
    if (this.rebuilding) throw new LibraryBusyError('The library is being rebuilt.', 'Try again when the rebuild has finished (Settings shows when).');
    this.writers[writer]++;
    let ended = false;
    return () => {
      if (!ended) this.writers[writer]--;
      ended = true;
    };
  }

  async whileWriting<T>(writer: Writer, work: () => Promise<T>): Promise<T> {
    const end = this.beginWriting(writer);
    try {
      return await work();
    } finally {
      end();
    }
  }

  /** Sets the database in `dir` aside and re-creates its rows from the WAVs' recipes; refused while anything writes. */
  async rebuild(dir: string): Promise<RebuildReport> {
    if (this.rebuilding) throw new LibraryBusyError('The library is already being rebuilt.', 'Wait for the rebuild to finish.');
    const jobs = this.writers.job;
    if (jobs > 0 || this.writers.import > 0) {
      const what = jobs > 0 ? `${jobs} job${jobs === 1 ? ' is' : 's are'} still making takes` : 'an import is still adding files';
      throw new LibraryBusyError(
        `The library cannot be rebuilt while ${what}.`,
        jobs > 0 ? 'Wait for the queue to finish (or cancel its jobs), then rebuild.' : 'Wait for the import to finish, then rebuild.',
      );
    }
    this.rebuilding = true;
    try {
      const damaged = this.problem instanceof LibraryCorruptError;
      this.close();
      const setAside = LibraryStore.setAsideForRebuild(dir, damaged);
      await this.open(dir);
      return { ...(await rebuildFromRecipes(this.store)), setAside };
    } finally {
      this.rebuilding = false;
    }
  }

  close(): void {
    this.library?.close();
    this.library = undefined;
  }
}
