/**
 * The library database's public shapes: what goes in (NewLibraryTake), what comes out
 * (LibraryTake: the studio's TakeInfo less its URL, plus the library's own fields), and the
 * search, trash and reconcile results.
 */
import type { ExportOptions, JobParams, ReferenceInfo, TakeInfo } from '../../shared/studio/studio-api.ts';
import type { Lineage } from '../../shared/engine/lineage.ts';

export type Rating = TakeInfo['rating'];

/** A take as the library keeps it. `file` is relative to the library folder, '/'-separated. */
export interface LibraryTake extends Omit<TakeInfo, 'audioUrl'> {
  /** Text-to-audio or audio-to-audio (derived from params). */
  kind: 'generate' | 'transform';
  /** SHA-256 of the bundle's manifest.json (see Recipe.model.bundleHash); null when not known. */
  bundleHash: string | null;
  notes: string;
  /** In the order they were given, without duplicates (compared case-insensitively). */
  tags: string[];
  file: string;
  /** Set while the take is in the trash (ISO time); hidden from list, search and similar. */
  deletedAt: string | null;
  /** Whether search by sound can use this take yet. */
  hasEmbedding: boolean;
}

/**
 * A take whose WAV the caller has already written atomically at `file` (relative to the library
 * folder). addTake checks that the file is there before the row names it.
 */
export interface NewLibraryTake {
  /** Chosen before the WAV is written, since the file name carries it (see newTakeId). */
  id: string;
  file: string;
  jobId: string;
  /** Provisional (arrival order) until the job is ranked. */
  rank: number;
  params: JobParams;
  seed: number;
  score: number | null;
  modelId: string;
  bundleHash?: string | null;
  device: string;
  sampleRate: number;
  /** Length in sample frames. */
  samples: number;
  /** Min/max pairs from computePeaks (stored as Int8, rounded outwards). */
  peaks: readonly number[];
  createdAt?: Date | string;
  rating?: Rating;
  favourite?: boolean;
  notes?: string;
  tags?: readonly string[];
  lineage?: Lineage | null;
  loop?: { start: number; end: number } | null;
  /** CLAP audio embedding, when already computed (else setEmbedding later). */
  embedding?: Float32Array;
}

/** Fields the studio changes after a take is saved; `tags` replaces the whole list. */
export interface TakeUpdate {
  rank?: number;
  score?: number | null;
  rating?: Rating;
  favourite?: boolean;
  notes?: string;
  tags?: readonly string[];
}

export type SearchSort = 'newest' | 'oldest' | 'rating' | 'relevance';

export interface SearchOptions {
  /** The user's words, through buildFtsSearch: words ANDed, `OR`, `-word`/`NOT word`, "phrases", `word*` a prefix; stemmed. Only punctuation = no text. */
  text?: string;
  /** Minimum rating (1–5). */
  rating?: number;
  favourite?: boolean;
  modelId?: string;
  /** Made at or after this time. */
  from?: Date;
  /** Made before this time (exclusive: pass the next midnight to include a whole day). */
  to?: Date;
  /** Seconds, inclusive. */
  minDuration?: number;
  maxDuration?: number;
  /** Every one of these tags (case-insensitive). */
  tags?: readonly string[];
  /** Page size, 1–1000 (default 100). */
  limit?: number;
  offset?: number;
  /** Default: relevance when there is text, else newest. */
  sort?: SearchSort;
}

export interface SearchResult {
  takes: LibraryTake[];
  /** Matches in all, for paging. */
  total: number;
}

export interface SimilarTake {
  take: LibraryTake;
  /** Cosine similarity, −1 to 1. */
  similarity: number;
}

export interface LibraryReference extends Omit<ReferenceInfo, 'audioUrl'> {
  /** Relative to the library folder, '/'-separated. */
  file: string;
  deletedAt: string | null;
}

export interface NewLibraryReference {
  id: string;
  name: string;
  origin: ReferenceInfo['origin'];
  /** Written by the caller before addReference, like a take's WAV. */
  file: string;
  sampleRate: number;
  samples: number;
  sha256: string;
  notices: readonly string[];
  peaks: readonly number[];
  createdAt?: Date | string;
}

export interface ExportRecord {
  id: number;
  takeId: string;
  /** Where the export was written (absolute: exports live outside the library folder). */
  path: string;
  createdAt: string;
  options: ExportOptions;
}

export interface TrashedFiles {
  /** The takes whose rows emptyTrash removed. */
  ids: string[];
  /** Their WAVs, absolute: the caller deletes them (a crash before that leaves orphans reconcile reports). */
  files: string[];
}

export interface ReconcileReport {
  /** Rows whose WAV is missing (kept, not deleted: the file may be on a disk that is not mounted). */
  missing: Array<{ kind: 'take' | 'reference'; id: string; file: string }>;
  /** WAVs under Generations/ that no take row names (relative paths): a take whose row never committed. */
  orphans: string[];
}
