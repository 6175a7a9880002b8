/**
 * The Studio API: everything the renderer can ask of the main process, declared once.
 * Implemented by `StudioService` (src/main/studio), which routes each method to the service that owns
 * its concern (studio-routes.ts); carried by Electron IPC (preload bridge) or by
 * the browser-mode WebSocket bridge. Every payload is validated in main (`studio-validate.ts`).
 * Errors cross as `ErrorEnvelope` and are rebuilt as typed errors on the renderer side.
 */
import type { ErrorEnvelope } from '../errors.ts';
import type { CachedCheckpoint, CatalogueEntry, InstalledModel, InstallEvent, RemovePlan } from '../models/hub-install.ts';
import type { DeviceName, GenerateParams, SchedulerName } from '../engine/generate-params.ts';
import type { Lineage } from '../engine/lineage.ts';
import type { Recipe, RenderResult } from '../library/recipe.ts';
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
  tags: string[];
  notes: string;
  /** Loop takes: loop points in sample frames (also in the WAV's smpl chunk). */
  loop: { start: number; end: number } | null;
}

/** A word that fits a sound, and how well: CLAP cosine similarity, −1 to 1. */
export interface SoundWord {
  word: string;
  score: number;
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

/** The library panel's query: words and/or a sound description, and filters. */
export interface LibraryQuery {
  /** Full-text over prompt, tags and notes ("door*" is a prefix). */
  text?: string;
  /** Rank by CLAP text–audio similarity to this description, whatever the prompts said. */
  soundsLike?: string;
  /** Minimum rating 1–5. */
  rating?: number;
  favourite?: boolean;
  modelId?: string;
  /** ISO dates (inclusive days). */
  from?: string;
  to?: string;
  minDuration?: number;
  maxDuration?: number;
  tags?: string[];
  sort?: 'newest' | 'oldest' | 'rating' | 'relevance';
  offset: number;
  limit: number;
}

export interface LibraryPage {
  items: TakeInfo[];
  total: number;
  /** Similarity to `soundsLike`, per item, when asked. */
  similarity?: number[];
}

export interface TakePatch {
  rating?: TakeInfo['rating'];
  favourite?: boolean;
  tags?: string[];
  notes?: string;
}

/** A take or reference and what was made from it, for the lineage tree. */
export interface LineageNode {
  kind: 'take' | 'reference';
  id: string;
  label: string;
  /** continue, vary, inpaint, loop; null for a root or a take sent to the reference lane. */
  operation: string | null;
  children: LineageNode[];
}

export interface FolderImportReport {
  imported: number;
  skipped: Array<{ path: string; reason: string }>;
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
  /** Cut leading and trailing silence (below −60 dB from the peak) before the fades; off when absent. */
  trimSilence?: boolean;
  /** DC removal / gentle high-pass (12 dB/oct from 30 Hz) before fades and normalisation; off when absent. */
  highPass?: boolean;
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
  /** What the export reached (loudness, peak, whether the ceiling held the gain) and how; absent when not measured. */
  report?: ExportReport;
}

/** What an export reached, as its file's metadata records it, and a sentence for people. */
export interface ExportReport extends RenderResult {
  /** A whole loop take, rendered as a seamless loop (without fades). */
  loop: boolean;
  /** "reached −36.8 LUFS, peak −1 dBFS; loudness target not reached: the −1 dBFS peak ceiling limited the gain". */
  text: string;
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

/**
 * Install from the Hub (issue 11). The page names a repo, never a path: the model lands in the
 * studio's own models folder, the download in the Hugging Face cache the studio was started with.
 */
export interface HubInstallRequest {
  /** `org/name`, e.g. cvssp/audioldm2. */
  repo: string;
  /** Branch, tag or commit; default main. A cached snapshot's commit uses that snapshot with no download. */
  revision?: string;
  /** The person ticked "I accept the licence": installs are refused without it. */
  acceptLicense: true;
  /** Use a complete snapshot from the Hugging Face cache without asking the Hub (default true). */
  preferCache?: boolean;
}

/** One install as the UI follows it: every InstallEvent, then how it ended. */
export interface InstallProgress {
  installId: string;
  repo: string;
  state: 'running' | 'done' | 'failed' | 'cancelled';
  /** The installer's latest event (null on the first, 'running' push). */
  event: InstallEvent | null;
  error: ErrorEnvelope | null;
}

export interface InstalledModels {
  installed: InstalledModel[];
  /** Snapshots of supported checkpoints in the Hugging Face cache (complete ones first). */
  cached: CachedCheckpoint[];
  /** The folder of the model in use (ModelStatus.bundleDir), to mark it. */
  activeDir: string | null;
}

/** Whether an access token for gated or private repos is set: the token itself never comes back. */
export interface HubTokenState {
  set: boolean;
  /** 'safe-storage': kept encrypted by the OS (Electron); 'memory': this server session only (browser mode). */
  storage: 'safe-storage' | 'memory';
}

/** The render farm as the studio sees it (Settings → Render farm). The password never comes back: `url` shows it as ***. */
export interface FarmState {
  state: 'disconnected' | 'connecting' | 'connected' | 'error';
  /** The stored farm URL with its password masked; null when none was set. */
  url: string | null;
  /** Why the last connect failed (state 'error'). */
  error: ErrorEnvelope | null;
}

/** One job on the farm's queue (waiting or running), from any studio or CLI that submitted it. */
export interface FarmQueueJob {
  id: string;
  kind: 'generate' | 'transform';
  prompt: string;
  state: string;
  /** 0..1 while running. */
  progress: number | null;
  worker: string | null;
  submittedAt: string;
}

export interface FarmWorkerView {
  name: string;
  host: string;
  device: string;
  /** Its models, one line each. */
  models: string[];
  state: 'idle' | 'busy' | 'stopping';
  currentJob: string | null;
  jobsDone: number;
  jobsFailed: number;
}

/** The Farm panel: the queue's counts and jobs, and the workers whose heartbeat is current. */
export interface FarmOverview {
  counts: { waiting: number; active: number; completed: number; failed: number };
  jobs: FarmQueueJob[];
  workers: FarmWorkerView[];
}

export type StudioEvent =
  | { type: 'job'; job: JobInfo }
  | { type: 'take'; take: TakeInfo }
  | { type: 'reference'; reference: ReferenceInfo }
  /** A folder import's progress. */
  | { type: 'import'; done: number; total: number; current: string; skipped: number }
  /** Takes were trashed or restored: refresh lists. */
  | { type: 'library'; trashed: string[]; restored: string[] }
  | { type: 'model'; status: ModelStatus }
  | { type: 'download'; progress: DownloadProgress }
  /** A Hub install's progress (bytes, rate, ETA, build stage) and its end. */
  | { type: 'install'; install: InstallProgress }
  | { type: 'export'; done: number; total: number }
  | { type: 'settings'; settings: Settings }
  /** The render farm connected, disconnected or failed to connect. */
  | { type: 'farm'; farm: FarmState };

export interface StudioApi {
  getModelStatus(): Promise<ModelStatus>;
  /** Uses a bundle folder already on disk (validated before it replaces the current model). */
  importModel(dir: string): Promise<ModelStatus>;
  /** Downloads a bundle (a manifest URL; files beside it) into the models folder, resumable, checksummed. */
  downloadModel(manifestUrl: string): Promise<ModelStatus>;

  /** The published checkpoints the builder supports (models/catalogue.json). */
  modelCatalogue(): Promise<CatalogueEntry[]>;
  /** Supported checkpoints already in the Hugging Face cache (complete snapshots first). */
  findCachedModels(): Promise<CachedCheckpoint[]>;
  /**
   * Installs a checkpoint from the Hub (or the cache) into the models folder, builds it and switches
   * to it; 'install' events report progress. Refused unless the licence was accepted.
   */
  installModel(request: HubInstallRequest): Promise<ModelStatus>;
  /** Stops an install: downloaded bytes stay in the cache for the next try; nothing half-built is used. */
  cancelInstall(installId: string): Promise<void>;
  /** Models in the models folder, and what the Hugging Face cache holds. */
  listModels(): Promise<InstalledModels>;
  /** Uses an installed model (by its id in the models folder). */
  switchModel(id: string): Promise<ModelStatus>;
  /** What removing a model would delete, so the UI can ask first (the cache snapshot is shared with Python tools). */
  planRemoveModel(id: string): Promise<RemovePlan>;
  /** Removes an installed model; its Hugging Face cache snapshot only with includeCache. Not the model in use. */
  removeModel(id: string, options: { includeCache: boolean }): Promise<RemovePlan>;
  hubTokenState(): Promise<HubTokenState>;
  /** Sets (or with null clears) the Hub access token; answers only whether one is set. */
  setHubToken(token: string | null): Promise<HubTokenState>;

  generate(request: GenerateRequest): Promise<JobInfo>;
  /** Continue, vary (grid), regenerate a region of, or loop a reference. */
  transform(request: TransformRequest): Promise<JobInfo>;
  /** Makes a reference from a file, an upload or a take (decoded, downmixed, resampled to the model rate). */
  importReference(source: ReferenceSourceRequest): Promise<ReferenceInfo>;
  /** References, newest first. */
  listReferences(): Promise<ReferenceInfo[]>;
  /** Words that describe a reference (or a region of it), best first, by CLAP: prompt suggestions. */
  describeReference(referenceId: string, region?: { start: number; end: number }): Promise<SoundWord[]>;
  cancel(jobId: string): Promise<void>;
  listJobs(): Promise<JobInfo[]>;

  /** The workspace's share of the library: the newest takes, oldest first. */
  listTakes(): Promise<TakeInfo[]>;
  /** One take as it is now (rating, tags, notes, rank); TakeNotFoundError when it is unknown or in the trash. */
  getTake(takeId: string): Promise<TakeInfo>;

  /** The library: search by words, by sound description, and filters; paged. */
  searchLibrary(query: LibraryQuery): Promise<LibraryPage>;
  /** Words that describe a library take's sound, best first, by CLAP: tag suggestions. */
  describeTake(takeId: string): Promise<SoundWord[]>;
  /** "More like this": nearest takes by CLAP audio embedding. */
  similarTakes(takeId: string, limit: number): Promise<LibraryPage>;
  /** Library takes that sound most like a reference (a user's own recording, say), by CLAP. */
  takesLikeReference(referenceId: string, limit: number): Promise<LibraryPage>;
  /** Rates, marks as favourite, tags or annotates a take; every window hears the change as a 'take' event. */
  updateTake(takeId: string, patch: TakePatch): Promise<TakeInfo>;
  /** Moves takes to the trash (hidden, files kept); restoreTakes undoes it. */
  trashTakes(takeIds: string[]): Promise<void>;
  restoreTakes(takeIds: string[]): Promise<void>;
  /** The family tree around a take: its root reference or take and everything made from it. */
  lineageTree(takeId: string): Promise<LineageNode>;
  /** Imports every readable sound under a folder (recursively) as references; 'import' events report progress. */
  importFolder(path: string): Promise<FolderImportReport>;
  /** Reads the recipe of a LOA Studio WAV (a take id, or a browser upload); null when the file has none. */
  readRecipe(source: { kind: 'take'; takeId: string } | { kind: 'upload'; uploadId: string } | { kind: 'file'; path: string }): Promise<Recipe | null>;
  /** Makes a take again from a recipe (a new job; bit-identical on the same device and model). */
  regenerateRecipe(recipe: Recipe): Promise<JobInfo>;
  /** After a damaged database: sets it aside and re-creates the library from the WAV files' recipes. */
  rebuildLibrary(): Promise<{ restored: number; skipped: number; setAside: string | null }>;

  exportTakes(request: ExportRequest): Promise<ExportResult[]>;
  /** Renders the take (or region, with short fades) into the Exports folder and starts an OS drag (Electron); browser mode returns the file for a download. */
  prepareDrag(takeId: string, region?: { start: number; end: number }): Promise<ExportResult>;

  getSettings(): Promise<Settings>;
  updateSettings(patch: Partial<Settings>): Promise<Settings>;

  /** The render farm connection: state and the stored URL (password masked). */
  farmState(): Promise<FarmState>;
  /** Connects to the farm at `url` (redis:// or rediss://) and remembers it; null reconnects the remembered one. */
  connectFarm(url: string | null): Promise<FarmState>;
  /** Disconnects from the farm (jobs already submitted stay on its queue); the URL stays remembered. */
  disconnectFarm(): Promise<FarmState>;
  /** The farm's queue (waiting and running jobs) and its workers. */
  farmOverview(): Promise<FarmOverview>;
  /** Like generate, but the job runs on a farm worker; its takes come back into this library. */
  generateOnFarm(request: GenerateRequest): Promise<JobInfo>;

  /** Subscribes to pushed events; returns the unsubscribe function. */
  onEvent(listener: (event: StudioEvent) => void): () => void;
}

/** The request methods, for transports that route by name. */
export const STUDIO_METHODS = [
  'getModelStatus',
  'importModel',
  'downloadModel',
  'modelCatalogue',
  'findCachedModels',
  'installModel',
  'cancelInstall',
  'listModels',
  'switchModel',
  'planRemoveModel',
  'removeModel',
  'hubTokenState',
  'setHubToken',
  'generate',
  'transform',
  'cancel',
  'listJobs',
  'importReference',
  'listReferences',
  'describeReference',
  'listTakes',
  'getTake',
  'searchLibrary',
  'similarTakes',
  'takesLikeReference',
  'describeTake',
  'updateTake',
  'trashTakes',
  'restoreTakes',
  'lineageTree',
  'importFolder',
  'readRecipe',
  'regenerateRecipe',
  'rebuildLibrary',
  'exportTakes',
  'prepareDrag',
  'getSettings',
  'updateSettings',
  'farmState',
  'connectFarm',
  'disconnectFarm',
  'farmOverview',
  'generateOnFarm',
] as const satisfies readonly Exclude<keyof StudioApi, 'onEvent'>[];

export type StudioMethod = (typeof STUDIO_METHODS)[number];

/**
 * The request methods of StudioApi that a list leaves out. `satisfies` above refuses a name that is
 * not a method; this refuses a method that is not named: the transports register only what is listed,
 * so an unlisted method would compile and then answer "unknown method" at run time.
 */
export type UnlistedStudioMethods<Listed extends readonly string[]> = Exclude<keyof StudioApi, 'onEvent' | Listed[number]>;
/** Compiles only when `Names` is never; a failure names what is missing ("Type '"getTake"' does not satisfy the constraint 'never'"). */
export type NoneMissing<Names extends never> = Names;
export type StudioMethodsListEveryMethod = NoneMissing<UnlistedStudioMethods<typeof STUDIO_METHODS>>;
