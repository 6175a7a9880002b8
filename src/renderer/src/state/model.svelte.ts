/** The model bundle: its status, and the first-run actions (import a folder, download a bundle). */
import type { DownloadProgress, ModelStatus, StudioApi } from '../../../shared/studio/studio-api.ts';
import { errorText } from '../lib/error-text.ts';

/** Builds a bundle from a diffusers AudioLDM 2 checkpoint folder (models/README.md): TypeScript, no Python. */
export const BUILD_COMMAND = 'npm run loa -- models build <checkpoint-dir> --out models/audioldm2';

export class ModelState {
  status = $state<ModelStatus | null>(null);
  download = $state<DownloadProgress | null>(null);
  busy = $state<'import' | 'download' | null>(null);
  /** The last first-run action's failure, shown in place (message + what to do). */
  actionError = $state<{ kind: 'import' | 'download'; message: string; hint: string } | null>(null);

  needsSetup = $derived(this.status?.state === 'none' || this.status?.state === 'error');
  ready = $derived(this.status?.state === 'ready');
  downloadFraction = $derived(this.download && this.download.totalBytes ? Math.min(1, this.download.receivedBytes / this.download.totalBytes) : null);

  constructor(private readonly api: StudioApi) {}

  load = async (): Promise<void> => {
    this.status = await this.api.getModelStatus();
  };

  set = (status: ModelStatus): void => {
    this.status = status;
  };

  setDownload = (progress: DownloadProgress): void => {
    this.download = progress;
  };

  importBundle = (dir: string): Promise<void> => this.run('import', () => this.api.importModel(dir.trim()));

  downloadBundle = (manifestUrl: string): Promise<void> => {
    this.download = null;
    return this.run('download', () => this.api.downloadModel(manifestUrl.trim()));
  };

  private async run(kind: 'import' | 'download', action: () => Promise<ModelStatus>): Promise<void> {
    this.busy = kind;
    this.actionError = null;
    try {
      this.status = await action();
      if (this.status.state === 'error' && this.status.error) {
        this.actionError = { kind, message: this.status.error.message, hint: this.status.error.hint };
      }
    } catch (error) {
      this.actionError = { kind, ...errorText(error) };
    } finally {
      this.busy = null;
    }
  }
}
