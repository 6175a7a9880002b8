/**
 * Hands generation jobs to the engine one at a time. EngineHost would queue them itself, but a job
 * waiting inside the engine process can only be cancelled once the running one finishes (and its
 * cancel grace timer may restart the engine meanwhile). Waiting here, a queued job is cancelled at
 * once without touching the engine, and it runs on whichever model is current when its turn comes.
 */
import type { EngineTask, GenerationOutput } from '../../shared/engine/engine-protocol.ts';
import { CancelledError } from '../../shared/errors.ts';
import type { JobHooks } from '../engine/host/engine-host.ts';
import type { EngineJob } from './model-manager.ts';

export type SubmitJob = (task: EngineTask, hooks: JobHooks) => EngineJob;

interface Entry {
  task: EngineTask;
  hooks: JobHooks;
  resolve: (output: GenerationOutput) => void;
  reject: (error: unknown) => void;
  started?: EngineJob;
}

export class EngineQueue {
  private readonly waiting: Entry[] = [];
  private active: Entry | undefined;

  constructor(private readonly submit: SubmitJob) {}

  /** Queues a job; the handle's `result` settles when it ran, failed, or was cancelled. */
  enqueue(task: EngineTask, hooks: JobHooks): EngineJob {
    let entry!: Entry;
    const result = new Promise<GenerationOutput>((resolve, reject) => {
      entry = { task, hooks, resolve, reject };
    });
    this.waiting.push(entry);
    this.next();
    return { result, cancel: () => this.cancel(entry), model: () => entry.started?.model() };
  }

  /** Fails every job still waiting (the one running is stopped with its engine). */
  dispose(): void {
    for (const entry of this.waiting.splice(0)) entry.reject(new CancelledError('The studio is shutting down.'));
  }

  private cancel(entry: Entry): void {
    if (entry.started) {
      entry.started.cancel();
      return;
    }
    const index = this.waiting.indexOf(entry);
    if (index < 0) return;
    this.waiting.splice(index, 1);
    entry.reject(new CancelledError());
  }

  private next(): void {
    if (this.active) return;
    const entry = this.waiting.shift();
    if (!entry) return;
    this.active = entry;
    const done = () => {
      this.active = undefined;
      this.next();
    };
    try {
      entry.started = this.submit(entry.task, entry.hooks); // throws when the model went away meanwhile
    } catch (error) {
      entry.reject(error);
      done();
      return;
    }
    entry.started.result.then(entry.resolve, entry.reject).finally(done);
  }
}
