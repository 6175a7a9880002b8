/**
 * Jobs: text-to-audio, audio-to-audio and regenerate-from-recipe requests become engine tasks,
 * queued one at a time (EngineQueue), followed on the JobBoard, their takes saved into the library
 * the moment each arrives and ranked when the job ends.
 */
import { randomInt, randomUUID } from 'node:crypto';
import type { TakeData, TakeTask } from '../../shared/engine/engine-protocol.ts';
import { validateGenerateParams } from '../../shared/engine/generate-params.ts';
import type { Lineage } from '../../shared/engine/lineage.ts';
import { validateTransformParams } from '../../shared/engine/transform-params.ts';
import { CancelledError, InferenceError, InvalidRequestError, toErrorEnvelope } from '../../shared/errors.ts';
import type { Recipe } from '../../shared/library/recipe.ts';
import type { Progress } from '../../shared/engine/progress.ts';
import type { GenerateRequest, JobInfo, JobParams, TransformRequest } from '../../shared/studio/studio-api.ts';
import { makeRecipe } from '../library/make-recipe.ts';
import { regenerationTask } from '../library/regeneration-task.ts';
import { parseRecipe } from '../library/wav-metadata.ts';
import type { BugReporter } from './bug-report.ts';
import { EngineQueue } from './engine-queue.ts';
import { JobBoard } from './job-board.ts';
import type { LibraryStore } from './library-store.ts';
import type { EngineJob, ModelManager } from './model-manager.ts';
import type { OpenLibrary } from './open-library.ts';
import type { SettingsService } from './settings-service.ts';
import type { StudioEvents } from './studio-events.ts';
import type { StoredTake } from './take-store.ts';
import type { WireViews } from './wire-views.ts';

const randomSeed = () => randomInt(0, 2 ** 32);

/** What a runner other than the local engine reports of a job it carries out (JobsService.track). */
export interface TrackedJob {
  info(): JobInfo;
  progress(progress: Progress): void;
  take(take: StoredTake): void;
  finish(takeIds: string[]): void;
  fail(error: unknown): void;
}

/** One queued job's bookkeeping while it runs: its takes' ids by engine index, and the saves in order. */
interface Running {
  jobId: string;
  task: TakeTask;
  store: LibraryStore;
  lineage: (take: TakeData) => Lineage | undefined;
  engineJob: EngineJob;
  idsByIndex: Map<number, string>;
  saving: Promise<void>;
  saveError: unknown;
  /** The engine work and the saves are over: the job can no longer be cancelled, and a rebuild need not wait for it. */
  over: () => void;
}

export class JobsService {
  private readonly board: JobBoard;
  private readonly queue: EngineQueue;
  /** Jobs whose engine work or saves are not over yet, by id: what cancel() stops. */
  private readonly running = new Map<string, { cancel(): void }>();

  constructor(
    private readonly engine: ModelManager,
    private readonly library: OpenLibrary,
    private readonly settings: SettingsService,
    private readonly events: StudioEvents,
    private readonly views: WireViews,
    private readonly bugs: BugReporter,
    progressIntervalMs: number,
  ) {
    this.board = new JobBoard((job) => events.emit({ type: 'job', job }), progressIntervalMs);
    this.queue = new EngineQueue((task, hooks) => engine.run(task, hooks));
  }

  async generate(request: GenerateRequest): Promise<JobInfo> {
    const params = validateGenerateParams(request, randomSeed);
    this.engine.available(); // no model: fail before the prompt lands in the recent list
    await this.settings.addRecentPrompt(params.prompt);
    return this.start({ kind: 'generate', params }, null, () => undefined);
  }

  async transform(request: TransformRequest): Promise<JobInfo> {
    const { referenceId, ...rest } = request;
    const params = validateTransformParams(rest, randomSeed);
    const store = this.library.store;
    const reference = store.reference(referenceId);
    this.engine.available();
    const samples = await store.referenceSamples(referenceId);
    if (params.op === 'inpaint' && params.from >= reference.durationS) {
      throw new InvalidRequestError('from', `The region starts at ${params.from} s, after the reference ends (${reference.durationS.toFixed(2)} s).`, 'Select a region inside the reference.');
    }
    await this.settings.addRecentPrompt(params.prompt);
    const source = {
      kind: reference.origin.kind,
      id: reference.origin.kind === 'take' ? reference.origin.takeId : (reference.origin.path ?? reference.name),
      referenceId,
      sha256: reference.sha256,
      seconds: reference.durationS,
    };
    return this.start({ kind: 'transform', params, reference: samples }, { id: reference.id, name: reference.name }, (take) => ({
      operation: params.op,
      reference: source,
      params,
      seed: take.seed,
      ...(take.strength !== undefined ? { strength: take.strength } : {}),
    }));
  }

  async regenerateRecipe(input: Recipe): Promise<JobInfo> {
    const recipe = parseRecipe(input);
    if (!recipe) throw new InvalidRequestError('recipe', 'That is not a LOA Studio recipe (or it is damaged).', 'Drop a WAV that LOA Studio made.');
    const model = await this.engine.loadedInfo();
    if (model.bundleHash !== recipe.model.bundleHash) {
      throw new InvalidRequestError(
        'recipe',
        `This take was made with model ${recipe.model.name} (${recipe.model.bundleHash.slice(0, 12)}…); the studio runs ${model.bundleName} (${model.bundleHash.slice(0, 12)}…).`,
        'Load the model it was made with (Settings → Model), then regenerate.',
      );
    }
    if (recipe.kind === 'generate') return this.start(regenerationTask(recipe), null, () => undefined);
    const reference = recipe.lineage?.reference;
    if (!reference?.referenceId) throw new InvalidRequestError('recipe', 'This take came from a reference file outside the studio.', 'Use `npm run loa -- regenerate <file> --reference <clip>`.');
    const store = this.library.store;
    const samples = await store.referenceSamples(reference.referenceId);
    const stored = store.reference(reference.referenceId);
    return this.start(regenerationTask(recipe, samples), { id: stored.id, name: stored.name }, (take) => ({ ...recipe.lineage!, seed: take.seed }));
  }

  async cancel(jobId: string): Promise<void> {
    if (!this.board.get(jobId)) throw new InvalidRequestError('jobId', `There is no job ${jobId}.`, 'Refresh the queue.');
    this.running.get(jobId)?.cancel(); // a finished job has nothing left to cancel
  }

  async listJobs(): Promise<JobInfo[]> {
    return this.board.list();
  }

  /**
   * A job another runner carries out (the render farm): it joins the board like a local job, so
   * the queue shows it and cancel() reaches it; the runner reports progress, takes and the end.
   */
  track(jobId: string, params: JobParams, cancel: () => void): TrackedJob {
    this.running.set(jobId, { cancel });
    this.board.add(jobId, params, null);
    return {
      info: () => this.board.get(jobId)!,
      progress: (progress) => this.board.progress(jobId, progress),
      take: (take) => {
        this.board.addTake(jobId, take.id);
        this.events.emit({ type: 'take', take: this.views.take(take) });
      },
      finish: (takeIds) => {
        this.running.delete(jobId);
        this.board.finish(jobId, 'done', takeIds);
      },
      fail: (error) => {
        this.running.delete(jobId);
        if (error instanceof CancelledError) this.board.finish(jobId, 'cancelled');
        else this.board.finish(jobId, 'failed', undefined, toErrorEnvelope(this.bugs.report(error, `Farm job ${jobId}`)));
      },
    };
  }

  /** Fails the jobs still waiting and stops the progress timers (the engine itself is the models' to stop). */
  dispose(): void {
    this.queue.dispose();
    this.board.dispose();
  }

  /** Queues an engine task as a studio job; takes are saved as they arrive, with their lineage. */
  private start(task: TakeTask, reference: JobInfo['reference'], lineage: (take: TakeData) => Lineage | undefined): JobInfo {
    const endWriting = this.library.beginWriting('job'); // a rebuild waits until this job's takes are saved
    let store: LibraryStore;
    try {
      store = this.library.store; // a job keeps its takes together even if the library folder changes meanwhile
    } catch (error) {
      endWriting();
      throw error;
    }
    const jobId = randomUUID().replaceAll('-', '');
    const job: Running = {
      jobId,
      task,
      store,
      lineage,
      engineJob: undefined!,
      idsByIndex: new Map(),
      saving: Promise.resolve(),
      saveError: undefined,
      over: () => {
        this.running.delete(jobId);
        endWriting();
      },
    };
    job.engineJob = this.queue.enqueue(task, {
      onProgress: (progress) => this.board.progress(job.jobId, progress),
      onTake: (take) => this.queueSave(job, take),
    });
    this.running.set(job.jobId, job.engineJob);
    const info = this.board.add(job.jobId, task.params, reference);
    void this.follow(job);
    return info;
  }

  /** Each take is saved the moment it arrives, in order; the job waits for the saves before it ends. */
  private queueSave(job: Running, take: TakeData): void {
    job.saving = job.saving.then(async () => {
      if (job.saveError !== undefined) return;
      try {
        const saved = await this.save(job, take);
        job.idsByIndex.set(take.index, saved.id);
        this.board.addTake(job.jobId, saved.id);
        this.events.emit({ type: 'take', take: this.views.take(saved) });
      } catch (error) {
        job.saveError = error;
        job.engineJob.cancel(); // a take that can't be saved is lost work: stop making more
      }
    });
  }

  private async save(job: Running, take: TakeData): Promise<StoredTake> {
    const model = job.engineJob.model();
    if (!model) throw new InferenceError('The engine sent a take before it reported which model it runs.');
    const lineage = job.lineage(take);
    return job.store.add({
      jobId: job.jobId,
      rank: job.idsByIndex.size + 1,
      params: job.task.params,
      seed: take.seed,
      score: take.score,
      sampleRate: model.sampleRate,
      samples: take.samples,
      modelId: model.bundleId,
      device: model.provider,
      lineage,
      loop: take.loop,
      recipe: makeRecipe(job.task, take, model, lineage),
      embedding: take.embedding,
    });
  }

  /** Waits for the engine and the saves, ranks the takes (the engine returns them best first), and settles the job. */
  private async follow(job: Running): Promise<void> {
    let failure: unknown;
    let output;
    try {
      output = await job.engineJob.result;
    } catch (error) {
      failure = error;
    }
    await job.saving;
    job.over();
    failure = job.saveError ?? failure;
    if (failure === undefined && output) {
      try {
        const ranked = output.takes.filter((t) => job.idsByIndex.has(t.index));
        for (const [i, take] of ranked.entries()) {
          const id = job.idsByIndex.get(take.index)!;
          const before = await job.store.get(id);
          if (before?.rank === i + 1 && before.score === take.score) continue;
          this.events.emit({ type: 'take', take: this.views.take(await job.store.update(id, { rank: i + 1, score: take.score })) });
        }
        this.board.finish(
          job.jobId,
          'done',
          ranked.map((t) => job.idsByIndex.get(t.index)!),
        );
        return;
      } catch (error) {
        failure = error;
      }
    }
    if (failure instanceof CancelledError) this.board.finish(job.jobId, 'cancelled');
    else this.board.finish(job.jobId, 'failed', undefined, toErrorEnvelope(this.bugs.report(failure, `Job ${job.jobId}`)));
  }
}
