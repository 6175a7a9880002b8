/** The export dialog: options, which takes (one with its region, or a ticked batch), progress, results. */
import type { ExportOptions, ExportResult, StudioApi } from '../../../shared/studio/studio-api.ts';
import { errorText, type ErrorText } from '../lib/error-text.ts';
import type { NoticeState } from './notices.svelte.ts';
import type { Region } from './takes.svelte.ts';

import { DEFAULT_EXPORT, DEFAULT_NAME_TEMPLATE, UCS_NAME_TEMPLATE } from '../../../shared/studio/export-defaults.ts';

export { DEFAULT_NAME_TEMPLATE, UCS_NAME_TEMPLATE };

/** Until the settings arrive, the dialog shows the same defaults main uses. */
export const FALLBACK_EXPORT_OPTIONS: ExportOptions = DEFAULT_EXPORT;

export class ExportState {
  open = $state(false);
  takeIds = $state<string[]>([]);
  region = $state<Region | null>(null);
  options = $state<ExportOptions>(structuredClone(FALLBACK_EXPORT_OPTIONS));
  /** Loudness target used when normalising by LUFS (kept while peak mode is chosen). */
  lufsTarget = $state(-23);
  peakDbfs = $state(-1);
  running = $state(false);
  progress = $state<{ done: number; total: number } | null>(null);
  results = $state<ExportResult[]>([]);
  error = $state<ErrorText | null>(null);

  ucs = $derived(this.options.nameTemplate === UCS_NAME_TEMPLATE);
  fraction = $derived(this.progress && this.progress.total > 0 ? this.progress.done / this.progress.total : 0);

  constructor(
    private readonly api: StudioApi,
    private readonly notices: NoticeState,
  ) {}

  /** Opens the dialog for one take (and its region) or several (whole takes). */
  openFor = (takeIds: string[], region: Region | null, defaults: ExportOptions | undefined): void => {
    this.takeIds = takeIds;
    this.region = takeIds.length === 1 ? region : null;
    if (defaults) {
      this.options = structuredClone($state.snapshot(defaults) as ExportOptions);
      if (defaults.normalize.kind === 'loudness') this.lufsTarget = defaults.normalize.lufs;
      if (defaults.normalize.kind === 'peak') this.peakDbfs = defaults.normalize.dbfs;
    }
    this.results = [];
    this.error = null;
    this.progress = null;
    this.open = true;
  };

  close = (): void => {
    if (!this.running) this.open = false;
  };

  setNormalizeKind = (kind: 'none' | 'peak' | 'loudness'): void => {
    this.options.normalize = kind === 'peak' ? { kind, dbfs: this.peakDbfs } : kind === 'loudness' ? { kind, lufs: this.lufsTarget } : { kind };
  };

  setPeak = (dbfs: number): void => {
    this.peakDbfs = dbfs;
    if (this.options.normalize.kind === 'peak') this.options.normalize = { kind: 'peak', dbfs };
  };

  setLufs = (lufs: number): void => {
    this.lufsTarget = lufs;
    if (this.options.normalize.kind === 'loudness') this.options.normalize = { kind: 'loudness', lufs };
  };

  useUcs = (on: boolean): void => {
    this.options.nameTemplate = on ? UCS_NAME_TEMPLATE : DEFAULT_NAME_TEMPLATE;
  };

  /** Pushed by main while a batch runs. */
  setProgress = (done: number, total: number): void => {
    this.progress = { done, total };
  };

  run = async (): Promise<ExportResult[] | null> => {
    if (this.takeIds.length === 0 || this.running) return null;
    this.running = true;
    this.error = null;
    this.results = [];
    this.progress = { done: 0, total: this.takeIds.length };
    try {
      const options = $state.snapshot(this.options) as ExportOptions;
      const region = this.region ? { start: this.region.start, end: this.region.end } : undefined;
      const results = await this.api.exportTakes({ takeIds: [...this.takeIds], region, options });
      this.results = results;
      this.progress = { done: results.length, total: this.takeIds.length };
      this.notices.info(results.length === 1 ? `Exported ${results[0].fileName}` : `Exported ${results.length} files`);
      return results;
    } catch (error) {
      this.error = errorText(error);
      return null;
    } finally {
      this.running = false;
    }
  };
}
