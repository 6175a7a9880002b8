/**
 * `npm run bench`: engine speed and memory on the full-size random bundle (real AudioLDM 2 base
 * dimensions, ~1.1 B parameters) on CPU, with PyTorch eager on the same random modules as the peer
 * figure. Results go to BENCHMARKS.md with the machine and date. Not a test: nothing here fails on a
 * slow machine.
 *
 *   npm run bench:engine [-- --bundle <dir>] [--skip-torch] [--torch-unet-steps 2] [--torch-python <python>]
 * (`npm run bench` runs this and bench/studio-bench.ts.)
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { GenerateParams } from '../src/shared/engine/generate-params.ts';
import { AudioLdm2Pipeline } from '../src/main/engine/pipeline/audioldm2-pipeline.ts';
import { COMPONENT_KEYS, type ComponentKey } from '../src/main/engine/bundle/contract.ts';
import { ortVersion } from '../src/main/engine/onnx/onnx-runtime.ts';
import { describeMachine, replaceSection } from './machine.ts';

const ROOT = resolve(import.meta.dirname, '..');
const { values } = parseArgs({
  options: {
    bundle: { type: 'string', default: resolve(ROOT, 'models/.generated/full') },
    'skip-torch': { type: 'boolean', default: false },
    'torch-unet-steps': { type: 'string', default: '2' },
    // Debian's python3-torch uses the reference BLAS (several times slower than a normal build);
    // point this at a Python whose torch uses MKL/OpenBLAS for a fair peer figure.
    'torch-python': { type: 'string', default: process.env.LOA_TORCH_PYTHON ?? '/usr/bin/python3' },
  },
});
const bundleDir = resolve(values.bundle!);

function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

if (!existsSync(resolve(bundleDir, 'manifest.json'))) {
  log(`no bundle at ${bundleDir}: generating the full-size random bundle (several minutes, ~4.4 GB)…`);
  execFileSync('/usr/bin/python3', [resolve(ROOT, 'models/tools/make_random_bundle.py'), '--size', 'full', '--out', bundleDir], { stdio: 'inherit' });
}

const loadStart = performance.now();
const pipeline = await AudioLdm2Pipeline.load(bundleDir, { device: 'cpu' });
const loadMs = performance.now() - loadStart;
log(`loaded in ${(loadMs / 1000).toFixed(1)} s on ${pipeline.bundle.provider}`);

async function sessionTimes(): Promise<Record<ComponentKey, number>> {
  const times = {} as Record<ComponentKey, number>;
  for (const key of COMPONENT_KEYS) times[key] = pipeline.bundle.isLoaded(key) ? (await pipeline.bundle.session(key)).runMs : 0;
  return times;
}

const base: GenerateParams = {
  prompt: 'glass shattering on concrete, close perspective',
  negativePrompt: 'Low quality.',
  seconds: 10.24,
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
const ddim = await measure({ ...base, scheduler: 'ddim', steps: 50 });
const peakRssBytes = process.resourceUsage().maxRSS * 1024;
const weightBytes = COMPONENT_KEYS.filter((k) => k !== 'clapAudio' && k !== 'vaeEncoder').reduce((n, key) => {
  const graph = pipeline.bundle.manifest.components[key].graphs.find((g) => g.precision === 'fp32')!;
  return n + graph.bytes + (graph.externalData ?? []).reduce((m, e) => m + e.bytes, 0);
}, 0);
await pipeline.release();

interface TorchFigures {
  loadMs: number;
  stages: { textEncoders: number; gpt2: number; unetStep: number; vae: number; vocoder: number };
  total_dpmpp20_ms: number;
  total_ddim50_ms: number;
  peakRssMb: number;
  [k: string]: unknown;
}
let torch: TorchFigures | undefined;
if (!values['skip-torch']) {
  log('PyTorch eager on the same random modules…');
  const out = execFileSync(values['torch-python']!, [resolve(ROOT, 'models/tools/torch_eager_bench.py'), '--unet-steps', values['torch-unet-steps']!], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 16 * 1024 * 1024,
  });
  torch = JSON.parse(out.slice(out.indexOf('{'))) as TorchFigures;
}

const ms = (x: number) => (x >= 10_000 ? `${(x / 1000).toFixed(1)} s` : `${Math.round(x)} ms`);
const ratio = (ours: number, theirs: number | undefined) => (theirs === undefined ? '—' : `${(theirs / ours).toFixed(2)}×`);
const gb = (b: number) => `${(b / 2 ** 30).toFixed(2)} GiB`;
const row = (name: string, ours: number, theirs?: number) => `| ${name} | ${ms(ours)} | ${theirs === undefined ? '—' : ms(theirs)} | ${ratio(ours, theirs)} |`;

const body = `## Engine: text-to-audio on CPU (issue 2)

Measured ${new Date().toISOString().slice(0, 10)} on ${describeMachine()}; onnxruntime-node ${ortVersion()}, CPU provider, ${pipeline.bundle.provider === 'cpu' ? 'default threads' : pipeline.bundle.provider}.
Bundle: \`full\` random weights with the real AudioLDM 2 base dimensions (${gb(weightBytes)} of fp32 weights in the graphs used for generation).
Work: one 10.24 s take, guidance 3.5 (UNet batch 2), prompt + negative prompt. PyTorch: ${torch ? `eager ${String(torch.torch)} (BLAS: ${String(torch.blas)}), 2 threads, \`torch.no_grad\`, the same random modules${torch.extrapolated ? ` (UNet timed over ${values['torch-unet-steps']} steps and extrapolated)` : ''}` : 'skipped'}.

| stage | ONNX Runtime (ours) | PyTorch eager | speed-up |
|---|---|---|---|
| load (all sessions) | ${ms(loadMs)} | ${torch ? ms(torch.loadMs) : '—'} | — |
${row('CLAP text + T5 encoders', dpm.stages.textEncoders, torch?.stages.textEncoders)}
${row('projection + GPT-2, 8 LOA vectors', dpm.stages.gpt2, torch?.stages.gpt2)}
${row('UNet, per step (batch 2)', dpm.stages.unetStep, torch?.stages.unetStep)}
${row('VAE decode', dpm.stages.vae, torch?.stages.vae)}
${row('HiFi-GAN vocoder', dpm.stages.vocoder, torch?.stages.vocoder)}
${row('**total, DPM-Solver++ 20 steps**', dpm.totalMs, torch?.total_dpmpp20_ms)}
${row('**total, DDIM 50 steps**', ddim.totalMs, torch?.total_ddim50_ms)}

- Real-time factor (compute time ÷ audio length): DPM-Solver++ 20 steps **${dpm.rtf.toFixed(2)}**, DDIM 50 steps **${ddim.rtf.toFixed(2)}**.
- JS-side time (everything outside \`session.run\`: tokenizing, scheduler math, guidance, copies): ${ms(dpm.jsMs)} of ${ms(dpm.totalMs)} = **${((dpm.jsMs / dpm.totalMs) * 100).toFixed(2)}%** (DPM), ${((ddim.jsMs / ddim.totalMs) * 100).toFixed(2)}% (DDIM). Target < 2%.
- Peak RSS of the engine process: **${gb(peakRssBytes)}** = ${(peakRssBytes / weightBytes).toFixed(2)}× the weights (target < 1.5×)${torch ? `; PyTorch eager ${gb(torch.peakRssMb * 2 ** 20)}` : ''}.
- Speed-up target: ≥ 1.5× PyTorch eager on the same work.
- Load includes checking every file's sha256 (no checksum cache in this run) and ORT's session setup; the UNet's dynamic-shape graph dominates it.
- The peer figure needs a PyTorch with a real BLAS: Debian's \`python3-torch\` uses the reference BLAS and would flatter us several times over. Pass \`--torch-python\` (or \`LOA_TORCH_PYTHON\`) pointing at a Python with a stock PyTorch wheel (MKL).
`;

const file = resolve(ROOT, 'BENCHMARKS.md');
const existing = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n\nWritten by `npm run bench`; each section says when and where it was measured.\n';
writeFileSync(file, replaceSection(existing, 'engine', body));
log(`wrote ${file}`);
process.stdout.write(body);
