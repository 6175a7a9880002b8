/**
 * The composition root: one instance of each state class, wired to the Studio API and its pushed
 * events. Components receive this object and stay presentational.
 */
import type { TransformOp } from '../../../shared/engine/transform-params.ts';
import { tick } from 'svelte';
import type { ReferenceInfo, StudioEvent, TakeInfo, TakePatch } from '../../../shared/studio/studio-api.ts';
import { EditUndo } from '../lib/edit-undo.ts';
import { errorText, type ErrorText } from '../lib/error-text.ts';
import { transformRequest } from '../lib/transform-request.ts';
import { MAX_BATCH_PROMPTS } from '../lib/prompt-lines.ts';
import { AbCompareState } from './ab-compare.svelte.ts';
import { ExportState } from './export.svelte.ts';
import { FarmStudioState } from './farm.svelte.ts';
import { FolderImportState } from './folder-import.svelte.ts';
import { HubState } from './hub.svelte.ts';
import { LaneSettingsState } from './lane-settings.svelte.ts';
import { LibraryState, libraryPlayerId } from './library.svelte.ts';
import { LineageState } from './lineage.svelte.ts';
import { ModelState } from './model.svelte.ts';
import { NoticeState } from './notices.svelte.ts';
import { PlaybackState } from './playback.svelte.ts';
import { PromptState } from './prompt.svelte.ts';
import { QueueState } from './queue.svelte.ts';
import { RecipeDropState } from './recipe-drop.svelte.ts';
import { ReferencesState } from './references.svelte.ts';
import { SettingsState } from './settings.svelte.ts';
import { TakesState } from './takes.svelte.ts';
import { TrashState } from './trash.svelte.ts';
import type { StudioClient } from '../api/studio-client.ts';

export type { StudioClient };

export type StudioView = 'workspace' | 'library';

export class Studio {
  /** The right-hand side: the workspace (reference lane and take cards) or the library panel. */
  view = $state<StudioView>('workspace');
  phase = $state<'connecting' | 'ready' | 'failed'>('connecting');
  /** Browser mode's socket: 'closed' while it reconnects (Electron IPC is always 'open'). */
  connection = $state<'connecting' | 'open' | 'closed'>('open');
  /** The server went away after the studio had started, and has not answered since: actions that need it are off. */
  serverLost = $state(false);
  /** While lost: the server is back but refuses this page's token (restarted with a new link), so only the new link helps. */
  newLinkNeeded = $state(false);
  /** How many jobs this loss of the server interrupted (not counting earlier losses). */
  interruptedByLoss = $state(0);
  private checkingLink = false;
  startupError = $state<ErrorText | null>(null);

  readonly notices = new NoticeState();
  readonly settings: SettingsState;
  readonly model: ModelState;
  /** Install from the Hub: catalogue, cache, installs, installed models. */
  readonly hub: HubState;
  readonly prompt = new PromptState();
  readonly queue: QueueState;
  /** The render farm: connection, where Generate runs, the farm's queue and workers. */
  readonly farm: FarmStudioState;
  readonly takes: TakesState;
  readonly playback: PlaybackState;
  readonly ab: AbCompareState;
  readonly exporter: ExportState;
  readonly references: ReferencesState;
  readonly lane = new LaneSettingsState();
  readonly library: LibraryState;
  readonly lineage: LineageState;
  readonly folderImport: FolderImportState;
  readonly recipeDrop: RecipeDropState;
  readonly trashBin: TrashState;
  /** Edits to takes (rating, favourite, tags, notes) that Ctrl/Cmd+Z can take back. */
  readonly edits = new EditUndo();
  /** Set by the take list: scrolls the selected card into view. */
  revealSelected: () => void = () => {};

  private unsubscribe: (() => void) | null = null;

  constructor(readonly api: StudioClient) {
    this.settings = new SettingsState(api, this.notices);
    this.model = new ModelState(api);
    this.hub = new HubState(api);
    this.queue = new QueueState(api, this.notices);
    this.farm = new FarmStudioState(api);
    const edited = (before: TakeInfo, patch: TakePatch, what: string) => this.edits.record(before, patch, what);
    this.takes = new TakesState(api, this.notices, edited);
    this.references = new ReferencesState(api);
    this.library = new LibraryState(
      api,
      this.notices,
      (take) => {
        if (this.takes.byId(take.id)) this.takes.upsert(take);
      },
      edited,
    );
    this.lineage = new LineageState(api);
    this.trashBin = new TrashState(api, this.notices, (change) => ('trashed' in change ? this.library.trashed(change.trashed) : this.library.restored()));
    this.folderImport = new FolderImportState(api);
    this.recipeDrop = new RecipeDropState(api, (job) => this.queue.upsert(job));
    this.playback = new PlaybackState(
      (id) => this.takes.regions[id] ?? this.references.regionForPlayer(id),
      (id) => this.ab.gainFor(id),
      (id) => this.takeForPlayer(id)?.loop != null,
    );
    this.ab = new AbCompareState(this.takes, this.playback, this.notices);
    this.exporter = new ExportState(api, this.notices);
  }

  /** The take a player id belongs to: a card's (its take id) or the library's (`lib:` + take id). */
  takeForPlayer = (playerId: string | null): TakeInfo | null => {
    if (!playerId) return null;
    const selected = this.library.selected;
    if (selected && playerId === libraryPlayerId(selected.id)) return selected;
    return this.takes.byId(playerId);
  };

  start = async (): Promise<void> => {
    const unsubscribeEvents = this.api.onEvent(this.onEvent);
    let lost = false;
    const unsubscribeConnection =
      this.api.onConnectionChange?.((state) => {
        this.connection = state;
        if (state === 'closed' && this.phase === 'ready') {
          if (!lost) this.interruptedByLoss = this.queue.interruptActive();
          lost = true;
          this.serverLost = true;
          void this.checkLink();
        }
        // Events sent while the socket was down are gone: read the lists again.
        if (state === 'open' && lost) {
          lost = false;
          this.serverLost = false;
          this.newLinkNeeded = false;
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
      const { message, hint } = errorText(error);
      this.startupError = {
        message,
        hint: hint || 'Restart the studio; if you opened it in a browser, open the exact URL it printed (the token is part of it).',
      };
      this.phase = 'failed';
    }
  };

  /** After each failed reconnect: is the server down, or up with another token? (one probe at a time) */
  private checkLink = async (): Promise<void> => {
    if (!this.api.checkLink || this.checkingLink) return;
    this.checkingLink = true;
    try {
      const link = await this.api.checkLink();
      if (this.serverLost) this.newLinkNeeded = link === 'refused';
    } finally {
      this.checkingLink = false;
    }
  };

  private reload = async (): Promise<void> => {
    // The hub's lists never block the start: a failure shows on the first-run screen and in Settings.
    await Promise.all([this.settings.load(), this.model.load(), this.queue.load(), this.takes.load(), this.references.load(), this.hub.load(), this.farm.load()]);
    this.library.invalidate();
  };

  dispose = (): void => {
    this.unsubscribe?.();
    this.playback.dispose();
    this.library.dispose();
    this.trashBin.dismiss();
  };

  private onEvent = (event: StudioEvent): void => {
    switch (event.type) {
      case 'job':
        this.queue.upsert(event.job);
        break;
      case 'take':
        // New takes belong to a job in the queue; an edit to an old take made in the library
        // (main reports it as a 'take' event too) must not pull it into the workspace.
        if (this.takes.byId(event.take.id) || this.queue.jobs.some((j) => j.jobId === event.take.jobId)) this.takes.upsert(event.take);
        this.library.invalidate();
        if (event.take.lineage) this.lineage.reload();
        break;
      case 'reference':
        this.references.upsert(event.reference);
        break;
      case 'import':
        this.folderImport.setProgress(event);
        break;
      case 'library':
        this.takes.removeTrashed(event.trashed);
        this.takes.restoreTrashed(event.restored);
        this.library.invalidate();
        break;
      case 'model':
        this.model.set(event.status);
        this.hub.activeDir = event.status.bundleDir;
        break;
      case 'install':
        this.hub.onProgress(event.install);
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
      case 'farm':
        this.farm.set(event.farm);
        break;
    }
  };

  /** Says why nothing can run while the server is lost; true when that is the case. */
  private offline = (): boolean => {
    if (!this.serverLost) return false;
    this.notices.info('The studio server is not answering, so nothing was queued.', 'Start it again with the same command; this page reconnects by itself.');
    return true;
  };

  /** Generates from the prompt editor (button or Ctrl/Cmd+Enter). */
  generate = async (): Promise<void> => {
    if (this.offline()) return;
    if (!this.prompt.canGenerate) {
      this.notices.info('Type a prompt first.', 'Describe the sound, e.g. "glass shattering on concrete".');
      return;
    }
    const onFarm = this.farm.onFarm; // the farm's workers bring their own model
    if (!onFarm && !this.model.ready && this.model.status?.state !== 'loading') {
      this.notices.info('No model is ready yet.', 'Import or download a model bundle first.');
      return;
    }
    const problems = Object.values(this.prompt.problems);
    if (problems.length > 0) {
      this.notices.info(problems.join(' '), 'Nothing was generated: correct the field marked in red, then generate again.');
      return;
    }
    const requests = this.prompt.toRequests();
    if (requests.length > MAX_BATCH_PROMPTS) {
      this.notices.info(`${requests.length} prompts is more than one batch takes (${MAX_BATCH_PROMPTS}).`, 'Split the list, or turn off "one per line" to use the text as one prompt.');
      return;
    }
    // One job per prompt, queued in order; the queue runs them one after another.
    for (const request of requests) {
      const job = await (onFarm ? this.queue.generateOnFarm(request) : this.queue.generate(request));
      if (!job) return;
      this.prompt.accepted(job.params);
      void this.settings.rememberPrompt(request.prompt);
    }
  };

  /** The take (its selected region, if any) becomes the lane's reference (button or ⇧R). */
  useAsReference = (take: TakeInfo): Promise<ReferenceInfo | null> => {
    const region = this.takes.regions[take.id] ?? null;
    return this.references.importTake(take.id, region, `take ${take.rank} of “${take.params.prompt}”`);
  };

  /**
   * Continue, vary, regenerate the selected region of, or loop the lane's reference, with the
   * prompt editor's prompt and the lane's own settings (buttons, C and V). With no reference yet, the selected
   * take becomes one first, so C and V work straight from the take list.
   */
  transform = async (op: TransformOp): Promise<void> => {
    if (this.offline()) return;
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
    const problem = this.lane.problemFor(op);
    if (problem) {
      this.notices.info(problem, 'Nothing was queued: correct the lane field marked in red, then try again.');
      return;
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
    this.lane.lastSeed = job.params.seed;
    void this.settings.rememberPrompt(request.prompt);
  };

  /** Shows the library panel or the workspace (the view buttons, ⇧L). */
  showView = (view: StudioView): void => {
    if (view === this.view) return;
    this.playback.stopAll();
    this.view = view;
  };

  toggleView = (): void => this.showView(this.view === 'library' ? 'workspace' : 'library');

  /** Plays a library take (its player is the detail pane's, mounted once the take is selected). */
  playInLibrary = async (take: TakeInfo): Promise<void> => {
    const id = libraryPlayerId(take.id);
    if (!this.playback.has(id)) await tick();
    await this.playback.play(id);
  };

  /** The library, ranked by how much each take sounds like the reference. */
  findTakesLike = (reference: ReferenceInfo): void => {
    this.showView('library');
    void this.library.likeReference(reference);
  };

  /** A dropped file's take, selected in the library (a take since deleted for good says so). */
  showTakeInLibrary = async (takeId: string): Promise<void> => {
    this.recipeDrop.close();
    this.showView('library');
    const take = await this.findTake(takeId);
    if (take) this.library.show(take);
  };

  /** The library, ranked by how much each take sounds like this workspace take. */
  moreLikeThis = (take: TakeInfo): void => {
    this.showView('library');
    void this.library.moreLikeThis(take);
  };

  /** "Open": the take as a card in the workspace, selected and scrolled into view. */
  openInWorkspace = async (take: TakeInfo): Promise<void> => {
    this.takes.upsert(take);
    this.takes.select(take.id);
    this.showView('workspace');
    await tick();
    this.revealSelected();
  };

  /** A take by id (a lineage node): from the library's pages, the workspace, or else main. */
  findTake = async (id: string): Promise<TakeInfo | null> => {
    const known = this.library.loaded(id) ?? this.takes.byId(id);
    if (known) return known;
    try {
      return await this.api.getTake(id);
    } catch (error) {
      this.notices.report(error, 'Could not open that take');
      return null;
    }
  };

  /** Delete (key or button): to the trash, with Undo. */
  trash = (takes: TakeInfo[]): Promise<boolean> => this.trashBin.trash(takes);

  /** Something Ctrl/Cmd+Z can take back: the last delete (while its toast shows) or an edit. */
  get canUndo(): boolean {
    return this.trashBin.undo !== null || this.edits.last() !== undefined;
  }

  /** Ctrl/Cmd+Z: takes back whichever came last, the delete or the last edit. */
  undo = async (): Promise<void> => {
    const edit = this.edits.last();
    const trashed = this.trashBin.undo;
    if (trashed && (!edit || trashed.at >= edit.at)) {
      await this.trashBin.undoTrash();
      return;
    }
    if (!edit) return;
    this.edits.pop();
    const take = await this.library.update(edit.takeId, edit.before, 'Undo', false);
    if (take) this.notices.info(`${edit.what} undone for “${take.params.prompt}” (seed ${take.seed})`);
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
