/**
 * One bundle's engine figures for `bench/run.ts`, each launch in a process of its own as a user's
 * launches are: `--phase cold` loads with an empty cache folder (every file's sha256 and the ORT
 * sessions) and exits; `--phase warm` loads again with that folder (checksums remembered, files in
 * the page cache: what a user's second launch pays), then runs one warm-up take and the measured takes, so its peak RSS
 * is one launch's. Prints one JSON object on stdout.
 *
 *   tsx bench/engine-measure.ts --bundle <dir> --cache <dir> --phase cold|warm [--seconds 10.24] [--skip-ddim]
 */
import { readFileSync } from 'node:fs';
import onnxProto from 'onnx-proto';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { GenerateParams } from '../src/shared/engine/generate-params.ts';
import { AudioLdm2Pipeline } from '../src/main/engine/pipeline/audioldm2-pipeline.ts';
import { COMPONENT_KEYS, type ComponentKey } from '../src/main/engine/bundle/contract.ts';
import { resolveInBundle, type BundleManifest } from '../src/main/engine/bundle/manifest.ts';

const { values } = parseArgs({
  options: {
    bundle: { type: 'string' },
    cache: { type: 'string' },
    phase: { type: 'string', default: 'warm' },
    seconds: { type: 'string', default: '10.24' },
    'skip-ddim': { type: 'boolean', default: false },
  },
});
const bundleDir = resolve(values.bundle!);
const log = (message: string) => process.stderr.write(`[bench ${bundleDir.split('/').pop()}] ${message}\n`);

const cacheDir = resolve(values.cache!);
const started = performance.now();
const pipeline = await AudioLdm2Pipeline.load(bundleDir, { device: 'cpu', cacheDir });
const loadMs = performance.now() - started;
log(`${values.phase} load ${(loadMs / 1000).toFixed(1)} s`);
if (values.phase === 'cold') {
  await pipeline.release();
  process.stdout.write(`${JSON.stringify({ coldLoadMs: loadMs })}\n`);
  process.exit(0);
}
const warmLoadMs = loadMs;

async function sessionTimes(): Promise<Record<ComponentKey, number>> {
  const times = {} as Record<ComponentKey, number>;
  for (const key of COMPONENT_KEYS) times[key] = pipeline.bundle.isLoaded(key) ? (await pipeline.bundle.session(key)).runMs : 0;
  return times;
}

const base: GenerateParams = {
  prompt: 'glass shattering on concrete, close perspective',
  negativePrompt: 'Low quality.',
  seconds: Number(values.seconds),
  steps: 20,
  scheduler: 'dpmpp',
  guidance: 3.5,
  seed: 0,
  takes: 1,
};

// Warm-up: first runs pay for ORT's arena growth and kernel selection; a user pays it once per launch.
await pipeline.generate({ ...base, steps: 1 });

async function measure(params: GenerateParams) {
  const before = await sessionTimes();
  const result = await pipeline.generate(params);
  const after = await sessionTimes();
  const delta = (k: ComponentKey) => after[k] - before[k];
  const stages = {
    textEncoders: delta('clapText') + delta('t5Encoder'),
    gpt2: delta('projection') + delta('gpt2Prefill') + delta('gpt2Step'),
    unetStep: delta('unet') / params.steps,
    vae: delta('vaeDecoder'),
    vocoder: delta('vocoder'),
  };
  const { totalMs, sessionMs } = result.timings;
  log(`${params.scheduler} ${params.steps} steps: ${(totalMs / 1000).toFixed(1)} s`);
  return { stages, totalMs, sessionMs, jsMs: totalMs - sessionMs, rtf: totalMs / 1000 / params.seconds };
}

const dpm = await measure(base);
const ddim = values['skip-ddim'] ? undefined : await measure({ ...base, scheduler: 'ddim', steps: 50 });
const unetDims = (await pipeline.bundle.session('unet')).lastInputDims;
const weightBytes = generationWeightBytes(bundleDir, pipeline.bundle.manifest);
const peakRssBytes = process.resourceUsage().maxRSS * 1024;
await pipeline.release();

process.stdout.write(`${JSON.stringify({ warmLoadMs, dpm, ddim, unetInputDims: unetDims, weightBytes, peakRssBytes, provider: pipeline.bundle.provider })}\n`);

/**
 * Bytes of the weights the generation graphs load (CLAP audio and the VAE encoder are not loaded to
 * generate): every initializer of their fp32 graphs, inline or external, each external range counted
 * once (GPT-2's prefill and step graphs share theirs). Counting whole weight files would also count
 * tensors no generation graph reads (the CLAP audio tower in text_encoder.safetensors).
 */
function generationWeightBytes(dir: string, manifest: BundleManifest): number {
  const seen = new Set<string>();
  let bytes = 0;
  for (const key of COMPONENT_KEYS.filter((k) => k !== 'clapAudio' && k !== 'vaeEncoder')) {
    const graph = manifest.components[key].graphs.find((g) => g.precision === 'fp32')!;
    const model = onnxProto.onnx.ModelProto.decode(readFileSync(resolveInBundle(dir, graph.file)));
    for (const init of model.graph?.initializer ?? []) {
      if (init.dataLocation === onnxProto.onnx.TensorProto.DataLocation.EXTERNAL) {
        const field = (name: string) => init.externalData?.find((e) => e.key === name)?.value ?? '0';
        const range = `${field('location')}@${field('offset')}`;
        if (seen.has(range)) continue;
        seen.add(range);
        bytes += Number(field('length'));
      } else {
        bytes += init.rawData?.length || (init.floatData?.length ?? 0) * 4;
      }
    }
  }
  return bytes;
}
