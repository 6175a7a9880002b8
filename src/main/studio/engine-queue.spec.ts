import { describe, expect, it } from 'vitest';
import type { EngineTask, GenerationOutput } from '../../shared/engine/engine-protocol.ts';
import { CancelledError } from '../../shared/errors.ts';
import { EngineQueue } from './engine-queue.ts';
import { NoModelError, type EngineJob } from './model-manager.ts';

const params = (seed: number): EngineTask => ({ kind: 'generate', params: { prompt: 'x', negativePrompt: '', seconds: 1, steps: 1, scheduler: 'ddim', guidance: 1, seed, takes: 1 } });
const output = (seed: number) => ({ sampleRate: 16000, takes: [{ index: 0, seed, samples: new Float32Array(1), score: null }] }) as unknown as GenerationOutput;

/** A stand-in engine that runs whatever it is given until the test finishes or cancels it. */
function engine() {
  const started: Array<{ seed: number; finish: () => void; cancelled: boolean }> = [];
  const submit = (task: EngineTask, _hooks?: unknown): EngineJob => {
    const p = (task as Extract<EngineTask, { kind: 'generate' }>).params;
    let finish!: () => void;
    let fail!: (e: unknown) => void;
    const result = new Promise<GenerationOutput>((resolve, reject) => {
      finish = () => resolve(output(p.seed));
      fail = reject;
    });
    const run = { seed: p.seed, finish, cancelled: false };
    started.push(run);
    return { result, cancel: () => ((run.cancelled = true), fail(new CancelledError())), model: () => undefined };
  };
  return { started, submit };
}

describe('EngineQueue', () => {
  it('hands the engine one job at a time, in order', async () => {
    const { started, submit } = engine();
    const queue = new EngineQueue(submit);
    const a = queue.enqueue(params(1), {});
    const b = queue.enqueue(params(2), {});
    expect(started.map((r) => r.seed)).toEqual([1]);
    started[0].finish();
    expect((await a.result).takes[0].seed).toBe(1);
    await Promise.resolve();
    expect(started.map((r) => r.seed)).toEqual([1, 2]);
    started[1].finish();
    expect((await b.result).takes[0].seed).toBe(2);
  });

  it('cancels a waiting job at once without the engine ever seeing it, and a running one through the engine', async () => {
    const { started, submit } = engine();
    const queue = new EngineQueue(submit);
    const running = queue.enqueue(params(1), {});
    const waiting = queue.enqueue(params(2), {});
    waiting.cancel();
    await expect(waiting.result).rejects.toBeInstanceOf(CancelledError);
    running.cancel();
    await expect(running.result).rejects.toBeInstanceOf(CancelledError);
    expect(started.map((r) => [r.seed, r.cancelled])).toEqual([[1, true]]);
  });

  it('fails a job whose turn comes when there is no model, and goes on with the next', async () => {
    let model = true;
    const { started, submit } = engine();
    const queue = new EngineQueue((p, hooks) => {
      if (!model) throw new NoModelError();
      return submit(p, hooks);
    });
    queue.enqueue(params(1), {});
    const orphan = queue.enqueue(params(2), {});
    model = false;
    started[0].finish();
    await expect(orphan.result).rejects.toBeInstanceOf(NoModelError);
  });

  it('fails waiting jobs on dispose', async () => {
    const { submit } = engine();
    const queue = new EngineQueue(submit);
    queue.enqueue(params(1), {});
    const waiting = queue.enqueue(params(2), {});
    queue.dispose();
    await expect(waiting.result).rejects.toThrow(/shutting down/);
  });
});
