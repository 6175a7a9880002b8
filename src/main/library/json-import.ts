/**
 * The one-time move of a library made before the database: `takes.json` (JsonTakeStore) and
 * `References/references.json` (ReferenceStore) become rows. Their WAVs have no recipe chunks,
 * so a rebuild from recipes could not bring these takes back; the JSON indexes can. The JSON
 * files stay where they are (nothing is deleted), and ids already in the database are counted,
 * not added again, so running it twice changes nothing.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LibraryDb } from './library-db.ts';
import type { NewLibraryReference, NewLibraryTake } from './library-types.ts';

export const TAKES_JSON = 'takes.json';
export const REFERENCES_JSON = 'References/references.json';

export interface JsonImportReport {
  takes: number;
  references: number;
  /** Entries whose id the database already had. */
  alreadyPresent: number;
  /** Entries that could not be added, and why (a missing WAV, an incomplete entry …). */
  skipped: Array<{ id: string; reason: string }>;
}

/** The array under `key` of a JSON index in `format`; empty when the file is absent. */
function readIndex(path: string, format: string, key: string): unknown[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const doc = JSON.parse(text) as Record<string, unknown>;
  if (doc?.format !== format || !Array.isArray(doc[key])) throw new SyntaxError(`${path} is not a ${format} index`);
  return doc[key];
}

type Entry = Record<string, unknown>;

function asTake(entry: Entry): NewLibraryTake {
  return {
    id: entry.id as string,
    file: entry.file as string,
    jobId: entry.jobId as string,
    rank: entry.rank as number,
    params: entry.params as NewLibraryTake['params'],
    seed: entry.seed as number,
    score: (entry.score as number | null) ?? null,
    modelId: entry.modelId as string,
    device: entry.device as string,
    sampleRate: entry.sampleRate as number,
    samples: entry.samples as number,
    peaks: entry.peaks as number[],
    createdAt: entry.createdAt as string,
    rating: entry.rating as NewLibraryTake['rating'],
    favourite: entry.favourite === true,
    notes: typeof entry.notes === 'string' ? entry.notes : '',
    tags: Array.isArray(entry.tags) ? (entry.tags as string[]) : [],
    lineage: (entry.lineage as NewLibraryTake['lineage']) ?? null,
    loop: (entry.loop as NewLibraryTake['loop']) ?? null,
  };
}

function asReference(entry: Entry): NewLibraryReference {
  return {
    id: entry.id as string,
    name: entry.name as string,
    origin: entry.origin as NewLibraryReference['origin'],
    // ReferenceStore kept every reference as References/<id>.wav.
    file: `References/${String(entry.id)}.wav`,
    sampleRate: entry.sampleRate as number,
    samples: entry.samples as number,
    sha256: entry.sha256 as string,
    notices: Array.isArray(entry.notices) ? (entry.notices as string[]) : [],
    peaks: entry.peaks as number[],
    createdAt: entry.createdAt as string,
  };
}

/** Adds every take and reference of the library's JSON indexes that the database lacks, in one transaction. */
export function importJsonIndexes(db: LibraryDb): JsonImportReport {
  const report: JsonImportReport = { takes: 0, references: 0, alreadyPresent: 0, skipped: [] };
  const takes = readIndex(join(db.libraryDir, TAKES_JSON), 'loa-studio-takes', 'takes') as Entry[];
  const references = readIndex(join(db.libraryDir, ...REFERENCES_JSON.split('/')), 'loa-studio-references', 'references') as Entry[];
  const attempt = (entry: Entry, exists: (id: string) => boolean, add: () => void): boolean => {
    const id = String(entry?.id);
    if (exists(id)) {
      report.alreadyPresent++;
      return false;
    }
    try {
      add();
      return true;
    } catch (error) {
      report.skipped.push({ id, reason: (error as Error).message });
      return false;
    }
  };
  db.batch(() => {
    for (const entry of references) {
      if (
        attempt(
          entry,
          (id) => db.references.has(id),
          () => db.references.add(asReference(entry)),
        )
      )
        report.references++;
    }
    for (const entry of takes) {
      if (
        attempt(
          entry,
          (id) => db.get(id) !== undefined,
          () => db.addTake(asTake(entry)),
        )
      )
        report.takes++;
    }
  });
  return report;
}
