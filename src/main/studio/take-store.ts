/**
 * What the studio needs from its take library (implemented by LibraryStore on SQLite): every take
 * a 32-bit float WAV under `Generations/YYYY-MM-DD/` with a row that names it.
 */
import type { Lineage } from '../../shared/engine/lineage.ts';
import type { JobParams, TakeInfo } from '../../shared/studio/studio-api.ts';

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

export type TakePatch = Partial<Pick<StoredTake, 'rank' | 'score' | 'rating' | 'favourite' | 'tags' | 'notes'>>;

export interface TakeStore {
  /** Writes the WAV, then the index; resolves once both are on disk. */
  add(take: NewTake): Promise<StoredTake>;
  /** The newest takes (the workspace's share), oldest first. */
  list(): Promise<StoredTake[]>;
  get(id: string): Promise<StoredTake | undefined>;
  update(id: string, patch: TakePatch): Promise<StoredTake>;
  /** Absolute path of the take's WAV; throws TakeNotFoundError for an unknown id. */
  file(id: string): string;
}
