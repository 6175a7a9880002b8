/**
 * Messages between the engine host (app main process or CLI) and the engine process.
 * Versioned so a stale worker is detected instead of misread.
 */
import type { ErrorEnvelope } from '../errors.ts';
import type { DeviceName, GenerateParams } from './generate-params.ts';
import type { Progress, Stage } from './progress.ts';

export const ENGINE_PROTOCOL_VERSION = 1;

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
  | { type: 'cancel'; jobId: string }
  | { type: 'shutdown' };

export interface LoadedInfo {
  bundleId: string;
  bundleName: string;
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
}

export interface GenerationOutput {
  sampleRate: number;
  takes: TakeData[];
  notices: string[];
  provider: string;
  timings: Record<Stage, number> & { totalMs: number; sessionMs: number };
}

export type EngineEvent =
  | { type: 'loaded'; info: LoadedInfo }
  | { type: 'load-failed'; error: ErrorEnvelope }
  | { type: 'progress'; jobId: string; progress: Progress }
  | { type: 'take'; jobId: string; take: TakeData }
  | { type: 'done'; jobId: string; output: GenerationOutput }
  | { type: 'failed'; jobId: string; error: ErrorEnvelope };
