/**
 * Entry of the engine process. ONNX Runtime's `run` blocks its thread, so the engine lives here,
 * away from the UI; the host can kill this process when a run hangs, and survives when it crashes.
 */
import type { ModelSource } from '../../../shared/library/recipe.ts';
import { ENGINE_PROTOCOL_VERSION, type EngineEvent, type EngineRequest, type GenerationOutput, type LoadRequest, type TakeData } from '../../../shared/engine/engine-protocol.ts';
import type { Progress } from '../../../shared/engine/progress.ts';
import { CancelledError, InvalidRequestError, toErrorEnvelope } from '../../../shared/errors.ts';
import { manifestHash } from '../bundle/manifest.ts';
import { AudioLdm2Pipeline } from '../pipeline/audioldm2-pipeline.ts';
import { workerTransport } from './transport.ts';

const transport = workerTransport();
let pipeline: AudioLdm2Pipeline | undefined;
let loading: Promise<void> | undefined;
const jobs = new Map<string, AbortController>();
const queue: Array<Extract<EngineRequest, { type: 'generate' | 'transform' }>> = [];
let running = false;

function send(event: EngineEvent): void {
  transport.send(event);
}

async function load(request: LoadRequest): Promise<void> {
  if (request.protocol !== ENGINE_PROTOCOL_VERSION) {
    send({ type: 'load-failed', error: toErrorEnvelope(new InvalidRequestError('protocol', `Engine protocol ${request.protocol} is not ${ENGINE_PROTOCOL_VERSION}.`, 'Restart LOA Studio.')) });
    return;
  }
  const started = performance.now();
  try {
    await pipeline?.release();
    pipeline = await AudioLdm2Pipeline.load(request.bundleDir, { device: request.device, cacheDir: request.cacheDir, intraOpThreads: request.intraOpThreads });
    const manifest = pipeline.bundle.manifest;
    send({
      type: 'loaded',
      info: {
        bundleId: manifest.id,
        bundleName: manifest.name,
        // The bundle actually loaded: a checkpoint folder is built into a cached bundle first.
        bundleHash: await manifestHash(pipeline.bundle.dir),
        ...modelSource(manifest.source),
        ...(typeof manifest.license === 'string' && manifest.license ? { license: manifest.license } : {}),
        provider: pipeline.bundle.provider,
        sampleRate: pipeline.sampleRate,
        notices: [...pipeline.bundle.notices],
        loadMs: performance.now() - started,
      },
    });
  } catch (error) {
    pipeline = undefined;
    send({ type: 'load-failed', error: toErrorEnvelope(error) });
  }
}

async function embed(on: AudioLdm2Pipeline, texts: string[], clips: Float32Array[]): Promise<GenerationOutput> {
  const embeddings = { texts: [] as Float32Array[], clips: [] as Float32Array[] };
  embeddings.texts.push(...(await on.embedTexts(texts)));
  for (const clip of clips) embeddings.clips.push(await on.embedAudio(clip));
  return { sampleRate: on.sampleRate, takes: [], notices: [], provider: on.bundle.provider, embeddings };
}

/** Runs one job and answers for it; never throws. */
async function runJob(job: Extract<EngineRequest, { type: 'generate' | 'transform' | 'embed' }>): Promise<void> {
  const controller = jobs.get(job.jobId);
  if (!controller) return;
  try {
    await loading;
    if (!pipeline) throw new InvalidRequestError('bundle', 'No model bundle is loaded.', 'Load a model bundle first.');
    if (controller.signal.aborted) throw new CancelledError();
    const hooks = {
      signal: controller.signal,
      onProgress: (progress: Progress) => send({ type: 'progress', jobId: job.jobId, progress }),
      onTake: (take: TakeData) => send({ type: 'take', jobId: job.jobId, take }),
    };
    const result =
      job.type === 'generate'
        ? await pipeline.generate(job.params, hooks)
        : job.type === 'transform'
          ? await pipeline.transform(job.params, job.reference, hooks)
          : await embed(pipeline, job.texts, job.clips);
    send({ type: 'done', jobId: job.jobId, output: result });
  } catch (error) {
    send({ type: 'failed', jobId: job.jobId, error: toErrorEnvelope(error) });
  } finally {
    jobs.delete(job.jobId);
  }
}

/** Generations and transforms run one after another. */
async function drain(): Promise<void> {
  if (running) return;
  running = true;
  try {
    while (queue.length > 0) await runJob(queue.shift()!);
  } finally {
    running = false;
  }
}

transport.onMessage((request: EngineRequest) => {
  switch (request.type) {
    case 'load':
      loading = load(request);
      break;
    case 'generate':
    case 'transform':
      jobs.set(request.jobId, new AbortController());
      queue.push(request);
      void drain();
      break;
    case 'embed':
      // Not behind the queue: a search by sound ("sounds like") needs one short CLAP run, and
      // would otherwise wait for a generation that may take minutes. Its runs interleave with
      // the generation's between steps (separate sessions; ONNX Runtime sessions allow it).
      jobs.set(request.jobId, new AbortController());
      void runJob(request);
      break;
    case 'cancel': {
      jobs.get(request.jobId)?.abort();
      // A job still waiting behind another is answered now, not when the queue reaches it,
      // so the host's cancel grace timer never mistakes a busy engine for a hung one.
      const waiting = queue.findIndex((job) => job.jobId === request.jobId);
      if (waiting >= 0) {
        queue.splice(waiting, 1);
        jobs.delete(request.jobId);
        send({ type: 'failed', jobId: request.jobId, error: toErrorEnvelope(new CancelledError()) });
      }
      break;
    }
    case 'shutdown':
      void (async () => {
        for (const controller of jobs.values()) controller.abort();
        await pipeline?.release();
        process.exit(0);
      })();
      break;
  }
});

/** A built bundle's checkpoint origin, for recipes (bundles made by other tools have none). */
function modelSource(source: Record<string, unknown> | undefined): { source?: ModelSource } {
  if (source?.kind !== 'checkpoint' || typeof source.builder !== 'string') return {};
  const text = (v: unknown) => (typeof v === 'string' ? v : null);
  return { source: { repo: text(source.repo), revision: text(source.revision), builder: source.builder } };
}
