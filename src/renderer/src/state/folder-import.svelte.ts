/** Importing a folder of existing sounds as references (issue 5 §7): the path, progress, and the report. */
import type { FolderImportReport, StudioApi } from '../../../shared/studio/studio-api.ts';
import { errorText, type ErrorText } from '../lib/error-text.ts';

export interface ImportProgress {
  done: number;
  total: number;
  current: string;
  skipped: number;
}

export class FolderImportState {
  path = $state('');
  running = $state(false);
  progress = $state<ImportProgress | null>(null);
  report = $state.raw<FolderImportReport | null>(null);
  error = $state<ErrorText | null>(null);

  constructor(private readonly api: StudioApi) {}

  run = async (): Promise<void> => {
    const path = this.path.trim();
    if (!path || this.running) return;
    this.running = true;
    this.progress = null;
    this.report = null;
    this.error = null;
    try {
      this.report = await this.api.importFolder(path);
    } catch (error) {
      this.error = errorText(error);
    } finally {
      this.running = false;
    }
  };

  /** Main's 'import' events. */
  setProgress = (progress: ImportProgress): void => {
    this.progress = progress;
  };

  dismiss = (): void => {
    this.report = null;
    this.error = null;
    this.progress = null;
  };
}
