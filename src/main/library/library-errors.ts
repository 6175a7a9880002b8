/**
 * What can go wrong with the library database, in words a sound designer can act on.
 * The studio reports unknown ids with these same classes, so callers catch one class.
 */
import { InvalidRequestError, LoaError } from '../../shared/errors.ts';

export class TakeNotFoundError extends InvalidRequestError {
  constructor(id: string) {
    super('takeId', `There is no take with id ${id} in the library.`, 'Refresh the take list; the take may have been made in another library folder.');
  }
}

export class ReferenceNotFoundError extends InvalidRequestError {
  constructor(id: string) {
    super('referenceId', `There is no reference with id ${id}.`, 'Drop the clip on the reference lane again, or pick one from the list.');
  }
}

export const REBUILD_HINT = "Rebuild the library from the WAV files' recipes (Settings → Library → Rebuild), nothing is deleted.";

/** The database file is damaged or is not a database at all. The file is left exactly as it was. */
export class LibraryCorruptError extends LoaError {
  readonly path: string;
  constructor(path: string, detail: string) {
    super('IO_FAILED', `The library database ${path} is damaged (${detail}).`, REBUILD_HINT);
    this.path = path;
  }
}

/** A newer LOA Studio changed the schema; this version must not write to it. */
export class LibraryTooNewError extends LoaError {
  constructor(path: string, version: number, known: number) {
    super(
      'IO_FAILED',
      `The library database ${path} was written by a newer LOA Studio (schema ${version}; this version knows up to ${known}).`,
      'Update LOA Studio, or choose another library folder in Settings. The library was not changed.',
    );
  }
}

/** addTake / addReference: the caller must have written the WAV before the row names it. */
export class LibraryFileMissingError extends LoaError {
  readonly file: string;
  constructor(file: string) {
    super(
      'IO_FAILED',
      `The audio file ${file} is not in the library folder, so it was not added to the library.`,
      'Generate the take again; if this keeps happening, check that the library folder is writable and not full.',
    );
    this.file = file;
  }
}

/** Sound search needs the take's CLAP embedding, computed after the take is saved. */
export class EmbeddingMissingError extends InvalidRequestError {
  constructor(takeId: string) {
    super('takeId', `Take ${takeId} has no sound fingerprint (CLAP embedding) yet.`, 'Search by sound works once the take has been analysed; try again in a moment.');
  }
}

/** The library is being rebuilt, or a rebuild waits for jobs and imports that write into it. */
export class LibraryBusyError extends LoaError {
  constructor(message: string, hint: string) {
    super('INVALID_REQUEST', message, hint);
  }
}
