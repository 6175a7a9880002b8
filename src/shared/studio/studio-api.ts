/**
 * The Studio API: everything the renderer can ask of the main process, declared once.
 * Implemented by `StudioService` (src/main/studio); carried by Electron IPC (preload bridge) or by
 * the browser-mode WebSocket bridge. Every payload is validated in main (`studio-validate.ts`).
 * Errors cross as `ErrorEnvelope` and are rebuilt as typed errors on the renderer side.
 */
import type { ErrorEnvelope } from '../errors.ts';
import type { DeviceName, GenerateParams, SchedulerName } from '../engine/generate-params.ts';
import type { Lineage } from '../engine/lineage.ts';
import type { Progress } from '../engine/progress.ts';
import type { TransformOp, TransformParams } from '../engine/transform-params.ts';

/** What the user asks for; omitted fields take the defaults (DEFAULT_GENERATE), a missing seed is random. */
export interface GenerateRequest {
  prompt: string;
  negativePrompt?: string;
  seconds?: number;
  steps?: number;
  scheduler?: SchedulerName;
  guidance?: number;
  seed?: number;
  takes?: number;
}

/**
 * Audio-to-audio on a reference already in the studio (see importReference). Omitted fields take
 * the engine's defaults (validateTransformParams); `strengths` makes a variation grid.
 */
export interface TransformRequest {
  referenceId: string;
  op: TransformOp;
  prompt: string;
  negativePrompt?: string;
  steps?: number;
  scheduler?: SchedulerName;
  guidance?: number;
  seed?: number;
  /** Seeds per strength for vary; takes for the others. */
  takes?: number;
  /** continue: new seconds. */
  seconds?: number;
  /** continue / inpaint / loop: crossfade at the seams. */
  crossfadeMs?: number;
  /** continue / inpaint / loop: RePaint resampling passes per step. */
  resample?: number;
  /** vary: one or more strengths 0–1 (a grid with `takes` seeds each). */
  strengths?: number[];
  /** inpaint: the region in seconds. */
  from?: number;
  to?: number;
  /** loop: seconds around the wrap point that are regenerated. */
  seamSeconds?: number;
}

/** Either settings: a text-to-audio job has GenerateParams, an audio-to-audio job TransformParams (with `op`). */
export type JobParams = GenerateParams | TransformParams;

export function isTransformParams(params: JobParams): params is TransformParams {
  return 'op' in params;
}

export type JobState = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

export interface JobInfo {
  jobId: string;
  params: JobParams;
  /** Audio-to-audio jobs: the reference they work on. */
  reference: { id: string; name: string } | null;
  state: JobState;
  progress: Progress | null;
  error: ErrorEnvelope | null;
  /** Take ids in rank order once done (as they arrive while running). */
  takeIds: string[];
  createdAt: string;
}

export interface TakeInfo {
  id: string;
  jobId: string;
  /** 1 = best of its job by CLAP score (1 also when the job had one take). */
  rank: number;
  params: JobParams;
  /** This take's own seed (params.seed + its index). */
  seed: number;
  score: number | null;
  sampleRate: number;
  samples: number;
  durationS: number;
  modelId: string;
  device: string;
  createdAt: string;
  rating: 0 | 1 | 2 | 3 | 4 | 5;
  favourite: boolean;
  /** URL the renderer plays and draws from (custom protocol in Electron, token URL in browser mode). */
  audioUrl: string;
  /** Min/max peaks, ~2000 pairs, for instant waveforms. */
  peaks: number[];
  /** Where an audio-to-audio take came from; null for text-to-audio. */
  lineage: Lineage | null;
  /** Loop takes: loop points in sample frames (also in the WAV's smpl chunk). */
  loop: { start: number; end: number } | null;
}

/** Where a reference comes from. */
export type ReferenceSourceRequest =
  /** A take already in the studio, whole or a region of it (seconds). */
  | { kind: 'take'; takeId: string; region?: { start: number; end: number } }
  /** A file on this machine (Electron: the path of a dropped or opened file). Refused in browser mode. */
  | { kind: 'file'; path: string }
  /** Browser mode: bytes POSTed to `/upload?token=…&name=…` first, which answered `{ uploadId }`. */
  | { kind: 'upload'; uploadId: string; name: string };

/** A clip to continue, vary, regenerate a region of, or loop: mono at the model's rate, kept in the library's References folder. */
export interface ReferenceInfo {
  id: string;
  /** File name or "take 3 of “prompt”", for the lane's title. */
  name: string;
  origin: { kind: 'file'; path: string | null } | { kind: 'take'; takeId: string; region: { start: number; end: number } | null };
  sampleRate: number;
  samples: number;
  durationS: number;
  /** SHA-256 of the mono float32 samples, for lineage. */
  sha256: string;
  /** What the importer noticed (resampled, downmixed, trimmed to 10 minutes, clipped, silent …). */
  notices: string[];
  createdAt: string;
  audioUrl: string;
  peaks: number[];
}

export type ModelState = 'none' | 'loading' | 'ready' | 'error';

export interface ModelStatus {
  state: ModelState;
  bundleDir: string | null;
  bundleId: string | null;
  bundleName: string | null;
  license: string | null;
  provider: string | null;
  device: DeviceName;
  notices: string[];
  error: ErrorEnvelope | null;
}

export type BitDepth = 'pcm16' | 'pcm24' | 'float32';
export type Normalize = { kind: 'none' } | { kind: 'peak'; dbfs: number } | { kind: 'loudness'; lufs: number };

export interface ExportOptions {
  format: BitDepth;
  sampleRate: 16000 | 44100 | 48000;
  normalize: Normalize;
  fadeInMs: number;
  fadeOutMs: number;
  /** `{prompt-slug}_{seed}_{take}` by default; UCS: `{cat-id}_{fx-name}_{creator}_{source}`. */
  nameTemplate: string;
}

export interface ExportRequest {
  takeIds: string[];
  /** Seconds within the take; the whole take when absent (only with one take). */
  region?: { start: number; end: number };
  options: ExportOptions;
}

export interface ExportResult {
  takeId: string;
  path: string;
  fileName: string;
  bytes: number;
  /** Where the renderer can fetch the exported file (browser mode download / Electron protocol). */
  url: string;
}

export interface Settings {
  libraryDir: string;
  exportsDir: string;
  device: DeviceName;
  theme: 'dark' | 'light';
  exportDefaults: ExportOptions;
  recentPrompts: string[];
  ucs: { catId: string; creator: string; source: string };
}

export interface DownloadProgress {
  url: string;
  file: string;
  receivedBytes: number;
  totalBytes: number | null;
  done: boolean;
}

export type StudioEvent =
  | { type: 'job'; job: JobInfo }
  | { type: 'take'; take: TakeInfo }
  | { type: 'reference'; reference: ReferenceInfo }
  | { type: 'model'; status: ModelStatus }
  | { type: 'download'; progress: DownloadProgress }
  | { type: 'export'; done: number; total: number }
  | { type: 'settings'; settings: Settings };

export interface StudioApi {
  getModelStatus(): Promise<ModelStatus>;
  /** Uses a bundle folder already on disk (validated before it replaces the current model). */
  importModel(dir: string): Promise<ModelStatus>;
  /** Downloads a bundle (a manifest URL; files beside it) into the models folder, resumable, checksummed. */
  downloadModel(manifestUrl: string): Promise<ModelStatus>;

  generate(request: GenerateRequest): Promise<JobInfo>;
  /** Continue, vary (grid), regenerate a region of, or loop a reference. */
  transform(request: TransformRequest): Promise<JobInfo>;
  /** Makes a reference from a file, an upload or a take (decoded, downmixed, resampled to the model rate). */
  importReference(source: ReferenceSourceRequest): Promise<ReferenceInfo>;
  /** References, newest first. */
  listReferences(): Promise<ReferenceInfo[]>;
  cancel(jobId: string): Promise<void>;
  listJobs(): Promise<JobInfo[]>;

  listTakes(): Promise<TakeInfo[]>;
  rateTake(takeId: string, rating: TakeInfo['rating']): Promise<TakeInfo>;
  setFavourite(takeId: string, favourite: boolean): Promise<TakeInfo>;

  exportTakes(request: ExportRequest): Promise<ExportResult[]>;
  /** Renders the take (or region, with short fades) into the Exports folder and starts an OS drag (Electron); browser mode returns the file for a download. */
  prepareDrag(takeId: string, region?: { start: number; end: number }): Promise<ExportResult>;

  getSettings(): Promise<Settings>;
  updateSettings(patch: Partial<Settings>): Promise<Settings>;

  /** Subscribes to pushed events; returns the unsubscribe function. */
  onEvent(listener: (event: StudioEvent) => void): () => void;
}

/** The request methods, for transports that route by name. */
export const STUDIO_METHODS = [
  'getModelStatus', 'importModel', 'downloadModel',
  'generate', 'transform', 'cancel', 'listJobs',
  'importReference', 'listReferences',
  'listTakes', 'rateTake', 'setFavourite',
  'exportTakes', 'prepareDrag',
  'getSettings', 'updateSettings',
] as const satisfies readonly Exclude<keyof StudioApi, 'onEvent'>[];

export type StudioMethod = (typeof STUDIO_METHODS)[number];
