/**
 * Install from the Hub (issue 11) as the first-run screen and Settings → Models show it: the
 * catalogue, checkpoints found in the Hugging Face cache, the install in progress (bytes, rate, ETA
 * per file and overall, then the build), installed models, and whether an access token is set.
 */
import type { CachedCheckpoint, CatalogueEntry, InstalledModel, InstallEvent, RemovePlan } from '../../../shared/models/hub-install.ts';
import type { HubTokenState, InstallProgress, ModelStatus, StudioApi } from '../../../shared/studio/studio-api.ts';
import { hubBytes } from '../../../shared/models/hub-bytes.ts';
import { errorText, type ErrorText } from '../lib/error-text.ts';

export type InstallPhase = 'starting' | 'resolving' | 'downloading' | 'verifying' | 'building' | 'loading' | 'done' | 'failed' | 'cancelled';

/** One install as the UI draws it. */
export interface InstallView {
  installId: string | null;
  repo: string;
  phase: InstallPhase;
  fromCache: boolean;
  /** From the plan: files, what is already in the cache, what is left to fetch. */
  plan: { files: number; cachedFiles: number; totalBytes: number; downloadBytes: number; freeBytes: number | null } | null;
  overall: { bytes: number; total: number; rate: number | null; etaSeconds: number | null } | null;
  file: { path: string; bytes: number; total: number } | null;
  build: { stage: string; done: number; total: number; detail?: string } | null;
  /** Retries and notices, newest last (a few). */
  notes: string[];
  error: { message: string; hint: string } | null;
  model: InstalledModel | null;
}

const PHASE_OF: Partial<Record<InstallEvent['type'], InstallPhase>> = {
  resolve: 'resolving',
  plan: 'resolving',
  download: 'downloading',
  verify: 'verifying',
  build: 'building',
  done: 'loading',
};

/** Folds one install event into the view (pure, so it is tested without a page). */
export function applyInstallEvent(view: InstallView, progress: InstallProgress): InstallView {
  const next: InstallView = { ...view, installId: progress.installId, repo: progress.repo };
  const event = progress.event;
  if (event && progress.state === 'running') {
    next.phase = PHASE_OF[event.type] ?? next.phase;
    switch (event.type) {
      case 'resolve':
        next.fromCache = event.fromCache;
        break;
      case 'plan':
        next.plan = {
          files: event.files.length,
          cachedFiles: event.files.filter((f) => f.state === 'cached').length,
          totalBytes: event.totalBytes,
          downloadBytes: event.downloadBytes,
          freeBytes: event.freeBytes,
        };
        break;
      case 'download':
        next.overall = { bytes: event.bytes, total: event.total, rate: event.rate, etaSeconds: event.etaSeconds };
        next.file = { path: event.file, bytes: event.fileBytes, total: event.fileTotal };
        break;
      case 'verify':
        // Each fetched file is checked as it lands: while bytes are still coming, it is still "downloading".
        if (next.overall && next.overall.bytes < next.overall.total) next.phase = 'downloading';
        next.file = next.file?.path === event.file ? next.file : { path: event.file, bytes: 0, total: 0 };
        break;
      case 'build':
        next.build = { stage: event.stage, done: event.done, total: event.total, ...(event.detail ? { detail: event.detail } : {}) };
        break;
      case 'retry':
        next.notes = [...next.notes, `Retrying ${event.file} (attempt ${event.attempt}): ${event.reason}`].slice(-4);
        break;
      case 'notice':
        next.notes = [...next.notes, event.message].slice(-4);
        break;
      case 'done':
        next.model = event.model;
        break;
      default:
        break;
    }
  }
  if (progress.state === 'done') next.phase = 'done';
  if (progress.state === 'cancelled') next.phase = 'cancelled';
  if (progress.state === 'failed') {
    next.phase = 'failed';
    next.error = progress.error ? { message: progress.error.message, hint: progress.error.hint } : { message: 'The install failed.', hint: '' };
  }
  return next;
}

export function newInstallView(repo: string): InstallView {
  return { installId: null, repo, phase: 'starting', fromCache: false, plan: null, overall: null, file: null, build: null, notes: [], error: null, model: null };
}

export { hubBytes };

/** `4 s`, `2 min 05 s`, `1 h 12 min`. */
export function hubSeconds(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '–';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`;
}

/** The download size a card states: exact where the catalogue knows it, honest where it does not. */
export function catalogueSize(entry: CatalogueEntry): { text: string; exact: boolean } {
  if (entry.download.bytes !== null) return { text: hubBytes(entry.download.bytes), exact: true };
  return { text: 'size unknown', exact: false };
}

export class HubState {
  catalogue = $state<CatalogueEntry[]>([]);
  cached = $state<CachedCheckpoint[]>([]);
  installed = $state<InstalledModel[]>([]);
  activeDir = $state<string | null>(null);
  token = $state<HubTokenState | null>(null);
  /** Licence accepted, per catalogue repo (each card has its own tick). */
  accepted = $state<Record<string, boolean>>({});
  install = $state<InstallView | null>(null);
  /** Started while no model was usable: the first-run screen stays until it ends. */
  fromFirstRun = $state(false);
  loadError = $state<ErrorText | null>(null);

  running = $derived(this.install !== null && !['done', 'failed', 'cancelled'].includes(this.install.phase));
  completeCached = $derived(this.cached.filter((c) => c.complete));

  constructor(private readonly api: StudioApi) {}

  load = async (): Promise<void> => {
    try {
      const [catalogue, models, token] = await Promise.all([this.api.modelCatalogue(), this.api.listModels(), this.api.hubTokenState()]);
      this.catalogue = catalogue;
      this.setModels(models.installed, models.cached, models.activeDir);
      this.token = token;
      this.loadError = null;
    } catch (error) {
      this.loadError = errorText(error);
    }
  };

  refreshModels = async (): Promise<void> => {
    const models = await this.api.listModels();
    this.setModels(models.installed, models.cached, models.activeDir);
  };

  private setModels(installed: InstalledModel[], cached: CachedCheckpoint[], activeDir: string | null): void {
    this.installed = installed;
    this.cached = cached;
    this.activeDir = activeDir;
  }

  setAccepted = (repo: string, accepted: boolean): void => {
    this.accepted = { ...this.accepted, [repo]: accepted };
  };

  /** Installs (or, with a cached snapshot's commit, uses) a checkpoint; the model is switched to when it loads. */
  start = async (repo: string, options: { revision?: string; firstRun?: boolean } = {}): Promise<ModelStatus | null> => {
    if (this.running) return null;
    this.install = newInstallView(repo);
    this.fromFirstRun = options.firstRun ?? false;
    try {
      const status = await this.api.installModel({ repo, acceptLicense: true, ...(options.revision ? { revision: options.revision } : {}) });
      if (this.install?.repo === repo && this.install.phase !== 'done') this.install = { ...this.install, phase: 'done' };
      return status;
    } catch (error) {
      if (this.install?.repo === repo) {
        this.install = (error as { code?: unknown }).code === 'CANCELLED' ? { ...this.install, phase: 'cancelled' } : { ...this.install, phase: 'failed', error: errorText(error) };
      }
      return null;
    } finally {
      this.fromFirstRun = false;
      void this.refreshModels().catch(() => {});
    }
  };

  cancel = async (): Promise<void> => {
    const id = this.install?.installId;
    if (id) await this.api.cancelInstall(id).catch(() => {});
  };

  dismiss = (): void => {
    if (!this.running) this.install = null;
  };

  /** A pushed 'install' event (this window's install, or one started in another window). */
  onProgress = (progress: InstallProgress): void => {
    const current = this.install && (this.install.installId === null || this.install.installId === progress.installId) ? this.install : newInstallView(progress.repo);
    this.install = applyInstallEvent(current, progress);
  };

  switchTo = (id: string): Promise<ModelStatus> => this.api.switchModel(id);

  planRemove = (id: string): Promise<RemovePlan> => this.api.planRemoveModel(id);

  remove = async (id: string, includeCache: boolean): Promise<RemovePlan> => {
    const plan = await this.api.removeModel(id, { includeCache });
    await this.refreshModels();
    return plan;
  };

  setToken = async (token: string | null): Promise<void> => {
    this.token = await this.api.setHubToken(token);
  };
}
