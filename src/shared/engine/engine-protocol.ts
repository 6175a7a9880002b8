import type { ModelSource } from '../library/recipe.ts';
/**
 * Messages between the engine host (app main process or CLI) and the engine process.
 * Versioned so a stale worker is detected instead of misread.
 */
import type { ErrorEnvelope } from '../errors.ts';
import type { DeviceName, GenerateParams } from './generate-params.ts';
import type { Progress, Stage } from './progress.ts';
import type { TransformParams } from './transform-params.ts';

export const ENGINE_PROTOCOL_VERSION = 2;

export interface LoadRequest {
  type: 'load';
  protocol: number;
  bundleDir: string;
  device: DeviceName;
  cacheDir?: string;
  intraOpThreads?: number;
}

export type EngineRequest =
  | LoadRequest
  | { type: 'generate'; jobId: string; params: GenerateParams }
  /** Audio-to-audio: `reference` is mono at the model's sample rate (the host imports and resamples it). */
  | { type: 'transform'; jobId: string; params: TransformParams; reference: Float32Array }
  | { type: 'embed'; jobId: string; texts: string[]; clips: Float32Array[] }
  | { type: 'cancel'; jobId: string }
  | { type: 'shutdown' };

export interface LoadedInfo {
  bundleId: string;
  bundleName: string;
  /** SHA-256 of the bundle's manifest.json (see manifestHash). */
  bundleHash: string;
  /** The checkpoint a built bundle came from (absent for bundles exported by other means). */
  source?: ModelSource;
  /** The bundle manifest's licence line (recipes name it). */
  license?: string;
  provider: string;
  sampleRate: number;
  notices: string[];
  loadMs: number;
}

export interface TakeData {
  index: number;
  seed: number;
  samples: Float32Array;
  score: number | null;
  /** Variation grid: the strength this take was made with. */
  strength?: number;
  /** Loops: the loop's first and last sample frame, for the WAV's smpl chunk. */
  loop?: { start: number; end: number };
  /** L2-normalised CLAP audio embedding (search by sound). */
  embedding?: Float32Array;
}

/** What a job asks the engine for. */
export type EngineTask =
  | { kind: 'generate'; params: GenerateParams }
  | { kind: 'transform'; params: TransformParams; reference: Float32Array }
  /** CLAP embeddings for the library: of a text ("sounds like …"), or of clips imported without one. */
  | { kind: 'embed'; texts: string[]; clips: Float32Array[] };

/** The tasks that make takes. */
export type TakeTask = Exclude<EngineTask, { kind: 'embed' }>;

export interface GenerationOutput {
  sampleRate: number;
  takes: TakeData[];
  notices: string[];
  provider: string;
  /** An 'embed' task's results, in the order asked. */
  embeddings?: { texts: Float32Array[]; clips: Float32Array[] };
  /** Per-stage times (text-to-audio jobs). */
  timings?: Record<Stage, number> & { totalMs: number; sessionMs: number };
}

export type EngineEvent =
  | { type: 'loaded'; info: LoadedInfo }
  | { type: 'load-failed'; error: ErrorEnvelope }
  | { type: 'progress'; jobId: string; progress: Progress }
  | { type: 'take'; jobId: string; take: TakeData }
  | { type: 'done'; jobId: string; output: GenerationOutput }
  | { type: 'failed'; jobId: string; error: ErrorEnvelope };
