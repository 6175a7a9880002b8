/**
 * The render farm, studio side (issue 15): connect to a farm's Redis (the URL kept in
 * `<configDir>/farm.json`, readable only by this user, and shown to pages with its password
 * masked), run Generate on its workers, and file each returned take into the local library exactly
 * as the CLI's `--farm` does (fileIntoLibrary, once per farm job id). Farm jobs join the studio's
 * job board, so the queue shows and cancels them like local ones.
 */
import { chmod, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomInt, randomUUID } from 'node:crypto';
import { validateGenerateParams } from '../../shared/engine/generate-params.ts';
import { CancelledError, toErrorEnvelope, type ErrorEnvelope } from '../../shared/errors.ts';
import type { FarmOverview, FarmState, GenerateRequest, JobInfo } from '../../shared/studio/studio-api.ts';
import { FarmClient, type FarmModelRequest } from '../farm/farm-client.ts';
import { parseFarmUrl } from '../farm/farm-connection.ts';
import { FarmError } from '../farm/farm-errors.ts';
import { fileIntoLibrary } from '../farm/farm-ingest.ts';
import { writeFileAtomic } from '../io/atomic-write.ts';
import type { JobsService, TrackedJob } from './jobs-service.ts';
import type { ModelManager } from './model-manager.ts';
import type { OpenLibrary } from './open-library.ts';
import type { SettingsService } from './settings-service.ts';
import type { StudioEvents } from './studio-events.ts';

export const FARM_FILE = 'farm.json';
const randomSeed = () => randomInt(0, 2 ** 32);

interface StoredFarm {
  url: string | null;
  /** Connect at start: the farm was connected when the studio last closed. */
  connect: boolean;
}

export class FarmService {
  private client: FarmClient | undefined;
  private state: FarmState['state'] = 'disconnected';
  private error: ErrorEnvelope | null = null;
  /** Farm jobs this studio follows, by farm job id. */
  private readonly followed = new Map<string, TrackedJob>();
  private readonly cancelled = new Set<string>();
  private aborts = new AbortController();

  private constructor(
    private readonly path: string,
    private stored: StoredFarm,
    private readonly jobs: JobsService,
    private readonly engine: ModelManager,
    private readonly library: OpenLibrary,
    private readonly settings: SettingsService,
    private readonly events: StudioEvents,
  ) {}

  static async open(configDir: string, jobs: JobsService, engine: ModelManager, library: OpenLibrary, settings: SettingsService, events: StudioEvents): Promise<FarmService> {
    const path = join(configDir, FARM_FILE);
    let stored: StoredFarm = { url: null, connect: false };
    try {
      const raw = JSON.parse(await readFile(path, 'utf8')) as Partial<StoredFarm>;
      if (typeof raw.url === 'string') stored = { url: raw.url, connect: raw.connect === true };
    } catch {
      // none yet, or damaged: the farm is set up again in Settings
    }
    const service = new FarmService(path, stored, jobs, engine, library, settings, events);
    if (stored.connect && stored.url) void service.connectFarm(null).catch(() => {}); // the state says how it went
    return service;
  }

  async farmState(): Promise<FarmState> {
    return { state: this.state, url: this.masked(), error: this.error };
  }

  async connectFarm(url: string | null): Promise<FarmState> {
    // The page only ever saw the masked URL: sent back unchanged, it means the remembered one.
    const target = url === null || url === this.masked() ? this.stored.url : url;
    if (!target) throw new FarmError('No render farm URL is set.', "Type the farm's Redis URL (redis://host:6379) and press Connect.");
    parseFarmUrl(target); // a malformed URL is refused before anything changes
    await this.closeClient();
    this.stored = { url: target, connect: true };
    await this.save();
    this.setState('connecting', null);
    try {
      const client = await FarmClient.connect(target, { timeoutMs: 3000 });
      client.on('progress', (jobId, progress) => this.followed.get(jobId)?.progress(progress));
      this.client = client;
      this.setState('connected', null);
    } catch (error) {
      const failure =
        error instanceof FarmError
          ? new FarmError(error.message, 'Check that redis-server runs on that host and port, that a firewall lets this machine reach it, and the password (rediss:// for TLS).')
          : error;
      this.setState('error', toErrorEnvelope(failure));
      throw failure;
    }
    return this.farmState();
  }

  async disconnectFarm(): Promise<FarmState> {
    await this.closeClient();
    this.stored = { ...this.stored, connect: false };
    await this.save();
    this.setState('disconnected', null);
    return this.farmState();
  }

  async farmOverview(): Promise<FarmOverview> {
    const client = this.connected();
    const [snapshot, workers] = await Promise.all([client.snapshot(100), client.workers()]);
    return {
      counts: { waiting: snapshot.counts.waiting + snapshot.counts.delayed, active: snapshot.counts.active, completed: snapshot.counts.completed, failed: snapshot.counts.failed },
      jobs: snapshot.jobs.map((job) => ({
        id: job.id,
        kind: job.kind,
        prompt: job.prompt,
        state: job.state,
        progress: job.progress?.fraction ?? null,
        worker: job.worker,
        submittedAt: job.submittedAt,
      })),
      workers: workers.map((w) => ({
        name: w.name,
        host: w.host,
        device: w.device,
        models: w.models,
        state: w.state,
        currentJob: w.currentJob,
        jobsDone: w.jobsDone,
        jobsFailed: w.jobsFailed,
      })),
    };
  }

  async generateOnFarm(request: GenerateRequest): Promise<JobInfo> {
    const client = this.connected();
    const params = validateGenerateParams(request, randomSeed);
    const model = await this.modelRequest();
    await this.settings.addRecentPrompt(params.prompt);
    const endWriting = this.library.beginWriting('job'); // a rebuild waits until the farm's takes are filed
    let store;
    try {
      store = this.library.store;
    } catch (error) {
      endWriting();
      throw error;
    }
    const jobId = `farm-${randomUUID().replaceAll('-', '')}`;
    const tracked = this.jobs.track(jobId, params, () => void this.cancelJob(jobId));
    this.followed.set(jobId, tracked);
    try {
      await client.submit({ kind: 'generate', params, ...(model ? { model } : {}) }, { jobId });
    } catch (error) {
      this.followed.delete(jobId);
      endWriting();
      tracked.fail(error);
      throw error;
    }
    const signal = this.aborts.signal;
    void (async () => {
      try {
        const outcome = await client.result(jobId, signal);
        const filed = await fileIntoLibrary(store, jobId, outcome);
        for (const take of filed) {
          const stored = await store.get(take.takeId);
          if (stored && take.added) tracked.take(stored);
        }
        tracked.finish(filed.map((take) => take.takeId));
        await client.release(jobId).catch(() => {}); // filed: the copy on Redis is no longer needed
      } catch (error) {
        if (this.cancelled.has(jobId)) tracked.fail(new CancelledError());
        else if (signal.aborted)
          tracked.fail(new FarmError('The studio disconnected from the farm before this job came back.', 'The job may still run on the farm; connect again and generate it again to get its takes.'));
        else tracked.fail(error);
      } finally {
        this.followed.delete(jobId);
        this.cancelled.delete(jobId);
        endWriting();
      }
    })();
    return tracked.info();
  }

  /** Stops following farm jobs and closes the connection (jobs on the farm carry on). */
  async dispose(): Promise<void> {
    await this.closeClient();
  }

  private async cancelJob(jobId: string): Promise<void> {
    this.cancelled.add(jobId);
    await this.client?.cancel(jobId).catch(() => {});
  }

  /** The studio's own model, by its exact bundle: a worker without it refuses the job and says why. */
  private async modelRequest(): Promise<FarmModelRequest | undefined> {
    if (this.engine.status.state !== 'ready') return undefined; // no model here: any worker's model will do
    return { bundleHash: (await this.engine.loadedInfo()).bundleHash };
  }

  private connected(): FarmClient {
    if (!this.client) throw new FarmError('The studio is not connected to a render farm.', 'Open Settings → Render farm and press Connect.');
    return this.client;
  }

  private async closeClient(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.aborts.abort();
    this.aborts = new AbortController();
    await client?.close();
  }

  private masked(): string | null {
    if (!this.stored.url) return null;
    try {
      return parseFarmUrl(this.stored.url).display;
    } catch {
      return null;
    }
  }

  private setState(state: FarmState['state'], error: ErrorEnvelope | null): void {
    this.state = state;
    this.error = error;
    this.events.emit({ type: 'farm', farm: { state, url: this.masked(), error } });
  }

  /** Owner-only: the URL may carry the farm's password. */
  private async save(): Promise<void> {
    await writeFileAtomic(this.path, new TextEncoder().encode(`${JSON.stringify(this.stored, null, 2)}\n`));
    await chmod(this.path, 0o600);
  }
}
