/**
 * The composition root: one instance of each state class, wired to the Studio API and its pushed
 * events. Components receive this object and stay presentational.
 */
import type { TransformOp } from '../../../shared/engine/transform-params.ts';
import type { ReferenceInfo, StudioEvent, TakeInfo } from '../../../shared/studio/studio-api.ts';
import { transformRequest } from '../lib/transform-request.ts';
import { AbCompareState } from './ab-compare.svelte.ts';
import { ExportState } from './export.svelte.ts';
import { LaneSettingsState } from './lane-settings.svelte.ts';
import { ModelState } from './model.svelte.ts';
import { NoticeState } from './notices.svelte.ts';
import { PlaybackState } from './playback.svelte.ts';
import { PromptState } from './prompt.svelte.ts';
import { QueueState } from './queue.svelte.ts';
import { ReferencesState } from './references.svelte.ts';
import { SettingsState } from './settings.svelte.ts';
import { TakesState } from './takes.svelte.ts';
import type { StudioClient } from '../api/studio-client.ts';

export type { StudioClient };

export class Studio {
  phase = $state<'connecting' | 'ready' | 'failed'>('connecting');
  /** Browser mode's socket: 'closed' while it reconnects (Electron IPC is always 'open'). */
  connection = $state<'connecting' | 'open' | 'closed'>('open');
  startupError = $state<{ message: string; hint: string } | null>(null);

  readonly notices = new NoticeState();
  readonly settings: SettingsState;
  readonly model: ModelState;
  readonly prompt = new PromptState();
  readonly queue: QueueState;
  readonly takes: TakesState;
  readonly playback: PlaybackState;
  readonly ab: AbCompareState;
  readonly exporter: ExportState;
  readonly references: ReferencesState;
  readonly lane = new LaneSettingsState();
  /** Set by the take list: scrolls the selected card into view. */
  revealSelected: () => void = () => {};

  private unsubscribe: (() => void) | null = null;

  constructor(readonly api: StudioClient) {
    this.settings = new SettingsState(api, this.notices);
    this.model = new ModelState(api);
    this.queue = new QueueState(api, this.notices);
    this.takes = new TakesState(api, this.notices);
    this.references = new ReferencesState(api);
    this.playback = new PlaybackState(
      (id) => this.takes.regions[id] ?? this.references.regionForPlayer(id),
      (id) => this.ab.gainFor(id),
      (id) => this.takes.byId(id)?.loop != null,
    );
    this.ab = new AbCompareState(this.takes, this.playback, this.notices);
    this.exporter = new ExportState(api, this.notices);
  }

  start = async (): Promise<void> => {
    const unsubscribeEvents = this.api.onEvent(this.onEvent);
    let lost = false;
    const unsubscribeConnection =
      this.api.onConnectionChange?.((state) => {
        this.connection = state;
        if (state === 'closed') lost = true;
        // Events sent while the socket was down are gone: read the lists again.
        if (state === 'open' && lost) {
          lost = false;
          void this.reload();
        }
      }) ?? (() => {});
    this.unsubscribe = () => {
      unsubscribeEvents();
      unsubscribeConnection();
    };
    try {
      await this.reload();
      this.phase = 'ready';
    } catch (error) {
      const e = error as { message?: string; hint?: string };
      this.startupError = {
        message: e.message ?? String(error),
        hint: e.hint ?? 'Restart the studio; if you opened it in a browser, open the exact URL it printed (the token is part of it).',
      };
      this.phase = 'failed';
    }
  };

  private reload = async (): Promise<void> => {
    await Promise.all([this.settings.load(), this.model.load(), this.queue.load(), this.takes.load(), this.references.load()]);
  };

  dispose = (): void => {
    this.unsubscribe?.();
    this.playback.dispose();
  };

  private onEvent = (event: StudioEvent): void => {
    switch (event.type) {
      case 'job':
        this.queue.upsert(event.job);
        break;
      case 'take':
        this.takes.upsert(event.take);
        break;
      case 'reference':
        this.references.upsert(event.reference);
        break;
      case 'model':
        this.model.set(event.status);
        break;
      case 'download':
        this.model.setDownload(event.progress);
        break;
      case 'export':
        this.exporter.setProgress(event.done, event.total);
        break;
      case 'settings':
        this.settings.set(event.settings);
        break;
    }
  };

  /** Generates from the prompt editor (button or Ctrl/Cmd+Enter). */
  generate = async (): Promise<void> => {
    if (!this.prompt.canGenerate) {
      this.notices.info('Type a prompt first.', 'Describe the sound, e.g. "glass shattering on concrete".');
      return;
    }
    if (!this.model.ready && this.model.status?.state !== 'loading') {
      this.notices.info('No model is ready yet.', 'Import or download a model bundle first.');
      return;
    }
    const request = this.prompt.toRequest();
    const job = await this.queue.generate(request);
    if (!job) return;
    this.prompt.accepted(job.params);
    void this.settings.rememberPrompt(request.prompt);
  };

  /** The take (its selected region, if any) becomes the lane's reference (button or ⇧R). */
  useAsReference = (take: TakeInfo): Promise<ReferenceInfo | null> => {
    const region = this.takes.regions[take.id] ?? null;
    return this.references.importTake(take.id, region, `take ${take.rank} of “${take.params.prompt}”`);
  };

  /**
   * Continue, vary, regenerate the selected region of, or loop the lane's reference, with the
   * prompt editor's prompt and settings (buttons, C and V). With no reference yet, the selected
   * take becomes one first, so C and V work straight from the take list.
   */
  transform = async (op: TransformOp): Promise<void> => {
    if (!this.prompt.canGenerate) {
      this.notices.info('Type a prompt first.', 'Describe what the new audio should sound like; the reference gives its shape.');
      return;
    }
    if (!this.model.ready && this.model.status?.state !== 'loading') {
      this.notices.info('No model is ready yet.', 'Import or download a model bundle first.');
      return;
    }
    let reference = this.references.current;
    if (!reference) {
      const take = this.takes.selected;
      if (!take) {
        this.notices.info('Choose a reference first.', 'Drop a sound file on the reference lane, or select a take and press ⇧R.');
        return;
      }
      reference = await this.useAsReference(take);
      if (!reference) return;
    }
    let request;
    try {
      request = transformRequest(op, reference.id, this.lane.values(), this.prompt.toRequest(), this.references.region);
    } catch (error) {
      this.notices.report(error);
      return;
    }
    const job = await this.queue.transform(request);
    if (!job) return;
    this.prompt.accepted(job.params);
    void this.settings.rememberPrompt(request.prompt);
  };

  /** Opens the export dialog for the ticked takes, or else the given take with its region. */
  openExport = (takeId: string | null): void => {
    const ticked = this.takes.checkedIds;
    const ids = takeId && !ticked.includes(takeId) ? [takeId] : ticked.length ? ticked : takeId ? [takeId] : [];
    if (ids.length === 0) return;
    const region = ids.length === 1 ? (this.takes.regions[ids[0]] ?? null) : null;
    this.exporter.openFor(ids, region, this.settings.settings?.exportDefaults);
  };
}
