/**
 * The Studio API: everything the renderer can ask of the main process, declared once.
 * Implemented by `StudioService` (src/main/studio); carried by Electron IPC (preload bridge) or by
 * the browser-mode WebSocket bridge. Every payload is validated in main (`studio-validate.ts`).
 * Errors cross as `ErrorEnvelope` and are rebuilt as typed errors on the renderer side.
 */
import type { ErrorEnvelope } from '../errors.ts';
import type { DeviceName, GenerateParams, SchedulerName } from '../engine/generate-params.ts';
import type { Progress } from '../engine/progress.ts';

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

export type JobState = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

export interface JobInfo {
  jobId: string;
  params: GenerateParams;
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
  params: GenerateParams;
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
  'generate', 'cancel', 'listJobs',
  'listTakes', 'rateTake', 'setFavourite',
  'exportTakes', 'prepareDrag',
  'getSettings', 'updateSettings',
] as const satisfies readonly Exclude<keyof StudioApi, 'onEvent'>[];

export type StudioMethod = (typeof STUDIO_METHODS)[number];
