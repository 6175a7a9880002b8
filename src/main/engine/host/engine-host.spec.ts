import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { GenerateParams } from '../../../shared/engine/generate-params.ts';
import { CancelledError, EngineCrashedError, EngineHungError, LoaError, ModelBundleError } from '../../../shared/errors.ts';
import { TINY_BUNDLE } from '../testing/tiny-bundle.ts';
import { EngineHost } from './engine-host.ts';

const params: GenerateParams = {
  prompt: 'footsteps on gravel',
  negativePrompt: '',
  seconds: 1,
  steps: 4,
  scheduler: 'ddim',
  guidance: 2,
  seed: 3,
  takes: 1,
};

const hosts: EngineHost[] = [];
function newHost(options: Partial<ConstructorParameters<typeof EngineHost>[0]> = {}): EngineHost {
  const host = new EngineHost({ bundleDir: TINY_BUNDLE, device: 'cpu', ...options });
  hosts.push(host);
  return host;
}
afterEach(async () => {
  await Promise.all(hosts.splice(0).map((h) => h.stop()));
});

/** Resolves when the job reports its first denoising step. */
function firstStep(host: EngineHost, p: GenerateParams) {
  let reached!: () => void;
  const stepped = new Promise<void>((resolve) => (reached = resolve));
  const job = host.generate(p, { onProgress: (pr) => pr.stage === 'denoise' && pr.step >= 1 && reached() });
  job.result.catch(() => {});
  return { job, stepped };
}

describe('EngineHost (engine in its own process)', () => {
  it('loads the bundle in a child process and generates there', async () => {
    const host = newHost();
    const info = await host.start();
    expect(info).toMatchObject({ bundleId: 'tiny-random', provider: 'cpu', sampleRate: 16000 });
    expect(host.pid).toBeGreaterThan(0);
    expect(host.pid).not.toBe(process.pid);
    const steps: number[] = [];
    const output = await host.generate(params, { onProgress: (p) => p.stage === 'denoise' && steps.push(p.step) }).result;
    expect(steps).toEqual([0, 1, 2, 3, 4]);
    expect(output.takes[0].samples).toBeInstanceOf(Float32Array);
    expect(output.takes[0].samples.length).toBe(16000);
  });

  it('runs audio-to-audio in the child: the reference crosses as a Float32Array and loop points come back', async () => {
    const host = newHost();
    const reference = Float32Array.from({ length: 16000 }, (_, i) => 0.3 * Math.sin(i / 7));
    const loop = await host.transform(
      { op: 'loop', prompt: 'hum', negativePrompt: '', steps: 3, scheduler: 'ddim', guidance: 2, seed: 1, takes: 1, seamSeconds: 0.4, crossfadeMs: 10, resample: 1 },
      reference,
    ).result;
    expect(loop.takes[0].samples.length).toBe(16000);
    expect(loop.takes[0].loop).toEqual({ start: 0, end: 15999 });
    expect(Array.from(loop.takes[0].samples.subarray(4000, 12000))).toEqual(Array.from(reference.subarray(4000, 12000)));
    const grid = await host.transform({ op: 'vary', prompt: 'hum', negativePrompt: '', steps: 4, scheduler: 'dpmpp', guidance: 2, seed: 5, takes: 2, strengths: [0, 0.5] }, reference).result;
    expect(grid.takes.map((t) => [t.strength, t.seed])).toEqual([
      [0, 5],
      [0, 6],
      [0.5, 5],
      [0.5, 6],
    ]);
    expect(Array.from(grid.takes[0].samples)).toEqual(Array.from(reference));
  });

  it('gives every take its CLAP audio embedding, and embeds texts and clips on request', async () => {
    const host = newHost();
    const output = await host.generate({ ...params, takes: 2 }).result;
    const norm = (v: Float32Array) => Math.sqrt(v.reduce((a, x) => a + x * x, 0));
    for (const take of output.takes) {
      expect(take.embedding).toBeInstanceOf(Float32Array);
      expect(take.embedding!.length).toBe(32); // models/tiny clapDim
      expect(norm(take.embedding!)).toBeCloseTo(1, 5);
    }
    const asked = await host.run({ kind: 'embed', texts: ['footsteps on gravel', 'a dog'], clips: [output.takes[1].samples] }).result;
    expect(asked.embeddings!.texts).toHaveLength(2);
    // The same clip embeds to the same vector the take came with.
    expect(Array.from(asked.embeddings!.clips[0])).toEqual(Array.from(output.takes[1].embedding!));
    // The ranking score is the logit-scaled cosine between the prompt's text embedding and the take's.
    const [text] = (await host.run({ kind: 'embed', texts: [params.prompt], clips: [] }).result).embeddings!.texts;
    const cos = text.reduce((a, x, i) => a + x * output.takes[0].embedding![i], 0);
    expect(output.takes[0].score).toBeCloseTo(cos * (1 / 0.07), 3);
  });

  it('cancels a running job at the next step and keeps serving', async () => {
    const host = newHost();
    await host.start();
    const { job, stepped } = firstStep(host, { ...params, steps: 400 });
    await stepped;
    host.cancel(job.jobId);
    await expect(job.result).rejects.toBeInstanceOf(CancelledError);
    const next = await host.generate(params).result;
    expect(next.takes[0].samples.length).toBe(16000);
  });

  it('survives the engine process crashing: the job fails with a clear error and the process restarts', async () => {
    const host = newHost();
    await host.start();
    const firstPid = host.pid!;
    const restarted = new Promise<LoaError>((resolve) => host.once('restarted', resolve));
    const { job, stepped } = firstStep(host, { ...params, steps: 400 });
    await stepped;
    process.kill(firstPid, 'SIGKILL');
    const error = await job.result.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EngineCrashedError);
    expect((error as Error).message).toMatch(/stopped unexpectedly \(signal SIGKILL\)/);
    expect((await restarted).code).toBe('ENGINE_CRASHED');
    const next = await host.generate(params).result;
    expect(next.takes[0].samples.length).toBe(16000);
    expect(host.pid).not.toBe(firstPid);
  });

  it('kills a hung engine and restarts it', async () => {
    const host = newHost({ hangTimeoutMs: 1500 });
    await host.start();
    const firstPid = host.pid!;
    const { job, stepped } = firstStep(host, { ...params, steps: 400 });
    await stepped;
    process.kill(firstPid, 'SIGSTOP'); // a frozen process: no messages, no exit
    const error = await job.result.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EngineHungError);
    expect((error as Error).message).toMatch(/no progress for 2 s/);
    const next = await host.generate(params).result;
    expect(next.takes[0].samples.length).toBe(16000);
    expect(host.pid).not.toBe(firstPid);
  });

  it('queues jobs and runs them in order', async () => {
    const host = newHost();
    const a = host.generate({ ...params, seed: 1 });
    const b = host.generate({ ...params, seed: 2 });
    const [ra, rb] = await Promise.all([a.result, b.result]);
    expect(ra.takes[0].seed).toBe(1);
    expect(rb.takes[0].seed).toBe(2);
  });

  it('cancels a queued job before it starts', async () => {
    const host = newHost();
    await host.start();
    const running = host.generate({ ...params, steps: 30 });
    const queued = host.generate(params);
    host.cancel(queued.jobId);
    await expect(queued.result).rejects.toBeInstanceOf(CancelledError);
    await expect(running.result).resolves.toBeDefined();
  });

  it('answers the cancel of a job queued inside the engine at once, while another job runs', async () => {
    const host = newHost({ cancelGraceMs: 60_000 });
    await host.start();
    const { job: running, stepped } = firstStep(host, { ...params, steps: 400 });
    const queued = host.generate(params);
    await stepped; // both jobs are in the engine process now
    let runningDone = false;
    running.result.finally(() => (runningDone = true)).catch(() => {});
    host.cancel(queued.jobId);
    await expect(queued.result).rejects.toBeInstanceOf(CancelledError);
    expect(runningDone).toBe(false); // answered while the first job was still running
    host.cancel(running.jobId);
    await expect(running.result).rejects.toBeInstanceOf(CancelledError);
  });

  it('embeds a text while a long generation runs, without waiting for it to finish', async () => {
    const host = newHost();
    await host.start();
    const { job: running, stepped } = firstStep(host, { ...params, steps: 400 });
    await stepped;
    let runningDone = false;
    running.result.finally(() => (runningDone = true)).catch(() => {});
    const asked = await host.run({ kind: 'embed', texts: ['metallic clang'], clips: [] }).result;
    expect(asked.embeddings!.texts[0]).toHaveLength(32);
    expect(runningDone).toBe(false); // answered mid-generation
    // The generation carries on undisturbed: the same take as when it ran alone.
    host.cancel(running.jobId);
    await expect(running.result).rejects.toBeInstanceOf(CancelledError);
    const alone = await host.generate(params).result;
    const [again] = await Promise.all([host.generate(params).result, host.run({ kind: 'embed', texts: ['a dog'], clips: [alone.takes[0].samples] }).result]);
    expect(Array.from(again.takes[0].samples)).toEqual(Array.from(alone.takes[0].samples));
  });

  it('reports a broken bundle as a typed error across the process boundary', async () => {
    const host = newHost({ bundleDir: join(TINY_BUNDLE, 'does-not-exist') });
    const error = await host.start().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelBundleError);
    expect((error as ModelBundleError).hint).toMatch(/models\/README\.md/);
    await expect(host.generate(params).result).rejects.toBeInstanceOf(ModelBundleError);
  });

  it('rejects jobs still queued when stopped', async () => {
    const host = newHost();
    await host.start();
    const job = host.generate({ ...params, steps: 200 });
    const settled = job.result.catch((e: unknown) => e);
    await host.stop();
    expect(await settled).toBeInstanceOf(CancelledError);
  });
});
