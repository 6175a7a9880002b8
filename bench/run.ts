/**
 * `npm run bench:engine`: engine speed and memory on the full-size random model (real AudioLDM 2 base
 * dimensions, ~1.1 B parameters) on CPU, in one run and on the same work:
 *   - "built": the bundle our TypeScript builder writes from the `full` random diffusers checkpoint
 *     (`npm run models:full`, then `loa models build`);
 *   - "today": the old Python-exported random `full` bundle (models/tools/make_random_bundle.py);
 *   - PyTorch eager on the stand-in modules of models/tools/loa_modules.py (the benchmark's peer only).
 * Each bundle runs in a child process (bench/engine-measure.ts) so each peak RSS is its own; the
 * machine's fp32 MatMul peak is measured here with ORT, and the UNet step's rate is set against it
 * (FLOPs counted from the checkpoint's UNet config by unet-macs.ts). Results go to BENCHMARKS.md with
 * the machine and date. Not a test: nothing here fails on a slow machine.
 *
 *   npm run bench:engine [-- --built <bundle>] [--checkpoint <dir>] [--today <bundle>] [--skip-today]
 *                        [--skip-torch] [--skip-ddim] [--torch-unet-steps 2] [--torch-python <python>]
 * (`npm run bench` runs this and the other benches.)
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Checkpoint } from '../src/main/engine/builder/checkpoint/checkpoint.ts';
import { unetDims } from '../src/main/engine/builder/components/unet-config.ts';
import { unetMacs } from '../src/main/engine/builder/components/unet-macs.ts';
import { Graph } from '../src/main/engine/builder/onnx/graph.ts';
import { float32, OnnxSession, ortVersion } from '../src/main/engine/onnx/onnx-runtime.ts';
import { engineProcessEnv } from '../src/main/engine/host/engine-process-env.ts';
import { describeMachine, replaceSection } from './machine.ts';

const ROOT = resolve(import.meta.dirname, '..');
const GENERATED = resolve(ROOT, 'models/.generated');
const { values } = parseArgs({
  options: {
    built: { type: 'string', default: join(GENERATED, 'full-built') },
    checkpoint: { type: 'string', default: join(GENERATED, 'full-checkpoint') },
    today: { type: 'string', default: join(GENERATED, 'full') },
    'skip-today': { type: 'boolean', default: false },
    'skip-torch': { type: 'boolean', default: false },
    'skip-ddim': { type: 'boolean', default: false },
    'torch-unet-steps': { type: 'string', default: '2' },
    markdown: { type: 'string', default: resolve(ROOT, 'BENCHMARKS.md') },
    // Debian's python3-torch uses the reference BLAS (several times slower than a normal build);
    // point this at a Python whose torch uses MKL/OpenBLAS for a fair peer figure.
    'torch-python': { type: 'string', default: process.env.LOA_TORCH_PYTHON ?? '/usr/bin/python3' },
  },
});
const SECONDS = 10.24;

function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

function run(command: string, args: string[], env?: NodeJS.ProcessEnv): string {
  return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 16 * 1024 * 1024, env });
}

const checkpointDir = resolve(values.checkpoint!);
const builtDir = resolve(values.built!);
if (!existsSync(join(checkpointDir, 'model_index.json'))) {
  log(`no checkpoint at ${checkpointDir}: writing the full random checkpoint (~4.5 GB, several minutes)…`);
  run('npx', ['tsx', join(ROOT, 'src/main/engine/builder/random-checkpoint/make-random-checkpoint.ts'), '--config', 'audioldm2', '--out', checkpointDir]);
}
if (!existsSync(join(builtDir, 'manifest.json'))) {
  log(`no built bundle at ${builtDir}: building it from ${checkpointDir}…`);
  run('npx', ['tsx', join(ROOT, 'src/main/cli/loa.ts'), 'models', 'build', checkpointDir, '--out', builtDir]);
}
const todayDir = resolve(values.today!);

/** The Python-exported bundle, generated when missing; waits while another generator is writing it (its .export-* folder). */
async function ensureTodayBundle(): Promise<void> {
  const writing = () => existsSync(todayDir) && readdirSync(todayDir).some((f) => f.startsWith('.export-'));
  if (!existsSync(join(todayDir, 'manifest.json')) && writing()) {
    log(`another make_random_bundle.py is writing ${todayDir}: waiting for it…`);
    while (!existsSync(join(todayDir, 'manifest.json')) && writing()) await new Promise((r) => setTimeout(r, 10_000));
  }
  if (!existsSync(join(todayDir, 'manifest.json'))) {
    log(`no Python-exported bundle at ${todayDir}: generating it (several minutes, ~4.4 GB)…`);
    run('/usr/bin/python3', [join(ROOT, 'models/tools/make_random_bundle.py'), '--size', 'full', '--out', todayDir, '--no-ort']);
  }
}

interface Stages {
  textEncoders: number;
  gpt2: number;
  unetStep: number;
  vae: number;
  vocoder: number;
}
interface Take {
  stages: Stages;
  totalMs: number;
  sessionMs: number;
  jsMs: number;
  rtf: number;
}
interface BundleFigures {
  coldLoadMs: number;
  warmLoadMs: number;
  dpm: Take;
  ddim?: Take;
  unetInputDims: Record<string, number[]>;
  weightBytes: number;
  peakRssBytes: number;
}

/** A cold launch then a warm one, each in its own process, sharing one fresh cache folder. */
function measureBundle(dir: string): BundleFigures {
  log(`measuring ${dir} (a process per launch)…`);
  const cacheDir = mkdtempSync(join(tmpdir(), 'loa-bench-cache-'));
  const launch = (phase: 'cold' | 'warm') => {
    const args = [join(ROOT, 'bench/engine-measure.ts'), '--bundle', dir, '--cache', cacheDir, '--phase', phase, '--seconds', String(SECONDS)];
    if (values['skip-ddim']) args.push('--skip-ddim');
    // As the app starts its engine process (engine-process-env.ts), for every bundle alike.
    const out = run('npx', ['tsx', ...args], engineProcessEnv(process.env));
    return JSON.parse(out.slice(out.indexOf('{')));
  };
  try {
    const { coldLoadMs } = launch('cold') as { coldLoadMs: number };
    return { ...(launch('warm') as Omit<BundleFigures, 'coldLoadMs'>), coldLoadMs };
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
}

/** fp32 MatMul rate of ORT on this machine (what the UNet's GEMMs could reach): best of 8 runs of 2048³. */
async function matmulPeakGflops(): Promise<number> {
  const n = 2048;
  const g = new Graph('matmul_peak');
  const a = g.input('a', 'float32', [n, n]);
  const b = g.input('b', 'float32', [n, n]);
  g.output(g.op('MatMul', [a, b]), 'c', 'float32', [n, n]);
  const dir = mkdtempSync(join(tmpdir(), 'loa-peak-'));
  const file = join(dir, 'matmul.onnx');
  writeFileSync(file, g.toBytes());
  const session = await OnnxSession.create('matmul', file, { provider: 'cpu' });
  const data = Float32Array.from({ length: n * n }, (_, i) => Math.sin(i));
  const feeds = { a: float32(data, [n, n]), b: float32(data, [n, n]) };
  let best = Infinity;
  for (let i = 0; i < 10; i++) {
    const t = performance.now();
    await session.run(feeds);
    if (i >= 2) best = Math.min(best, performance.now() - t);
  }
  await session.release();
  rmSync(dir, { recursive: true, force: true });
  return (2 * n ** 3) / (best / 1000) / 1e9;
}

const loadBefore = loadavg()[0];

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

// Measured before and after the bundles; the higher one is taken (a shared machine only lowers it).
const peakBefore = await matmulPeakGflops();
log(`ORT fp32 MatMul peak: ${peakBefore.toFixed(0)} GFLOP/s`);
const built = measureBundle(builtDir);
if (!values['skip-today']) await ensureTodayBundle();
const today = values['skip-today'] ? undefined : measureBundle(todayDir);
const peakAfter = await matmulPeakGflops();
log(`ORT fp32 MatMul peak: ${peakAfter.toFixed(0)} GFLOP/s`);
const peakGflops = Math.max(peakBefore, peakAfter);
const loadAfter = loadavg()[0];

// FLOPs of one guided UNet step: MACs per batch row from the checkpoint's config at the shape the
// engine ran (latent frames and mel bins / 4, LOA and T5 lengths), × 2 FLOPs per MAC × the batch.
const [batch, , frames, freq] = built.unetInputDims.sample;
const unetShape = { frames, freq, loaLen: built.unetInputDims.encoder_hidden_states[1], t5Len: built.unetInputDims.encoder_hidden_states_1[1] };
const macs = unetMacs(unetDims(await Checkpoint.open(checkpointDir)), unetShape);
const stepFlop = 2 * macs.total * batch;
const rate = (ms: number) => stepFlop / (ms / 1000) / 1e9;

const ms = (x: number) => (x >= 10_000 ? `${(x / 1000).toFixed(1)} s` : `${Math.round(x)} ms`);
const gb = (b: number) => `${(b / 2 ** 30).toFixed(2)} GiB`;
/** What the figures rest on (graph forms, session options, the optimized-model cache decision). */
const NOTES = `- What the built graphs do for speed: attention as ORT's fused \`com.microsoft.MultiHeadAttention\` (UNet, CLAP, VAE), \`LayerNormalization\`, \`SimplifiedLayerNormalization\` (T5's RMS norm), \`Gelu\`/\`FastGelu\`; every Linear is one \`com.microsoft.FusedMatMul\` (transB=1) on the checkpoint's own [out, in] weight (no Transpose node, no transposed copy at load: the tiny UNet went from 3141 to 2637 nodes and its session creation from 8.7–9.6 s to 5.2–6.8 s on the loaded machine); residual adds are not fused into \`SkipLayerNormalization\` (2–3× slower than Add + LayerNormalization on ORT CPU in a micro-benchmark). The external weights are memory-mapped from the checkpoint's safetensors (no copy).
- Session options (onnx-runtime.ts), measured on the full UNet at batch 2 × 256 frames: optimization level \`all\` (NCHWc conv layouts) runs a step ~1.7× faster than \`extended\`/\`basic\`; weight prepacking (ORT's default) ~20 % faster per step than \`session.disable_prepacking\`, at about twice the session-creation time (the GEMM packing of the [out, in] weights dominates loading); one intra-op thread per physical core, sequential execution, arena and memory pattern on.
- Per-component session choices (session-tuning.ts): the graphs that run once per take (CLAP text, T5, the projection, GPT-2's prefill) load without weight prepacking (T5's session took 6.2 CPU-seconds to create with it and 0.16 without, for +0.12 s a run), while GPT-2's step, the UNet, the VAE and the vocoder keep their packed weights.
- Memory pattern off for the VAE decoder and the vocoder (session-tuning.ts): with it, their second run allocated a second block of intermediates beside the arena's (+0.21 GB and +0.12 GB, no faster).
- No optimized-model cache: ORT's saved optimized UNet graph (\`optimizedModelFilePath\`, NCHWc layouts, with \`session.save_external_prepacked_constant_initializers\`; 2.3 GB for the full UNet) created its session ~4× faster (2.8 vs 11.4 CPU-seconds) but ran a step 12–15 % slower (median 2.4–2.5 s vs 2.1–2.3 s over 6 steps, same machine, one after the other), and a take pays that on every step; it also costs disk beside the checkpoint's weights.`;

const cell = (x: number | undefined) => (x === undefined ? '—' : ms(x));
const ratio = (ours: number, theirs: number | undefined) => (theirs === undefined ? '—' : `${(theirs / ours).toFixed(2)}×`);
const row = (name: string, pick: (f: BundleFigures) => number | undefined, peer?: number) => {
  const ours = pick(built)!;
  const old = today ? pick(today) : undefined;
  return `| ${name} | ${cell(ours)} | ${cell(old)} | ${cell(peer)} | ${ratio(ours, old)} | ${ratio(ours, peer)} |`;
};
/** The DDIM take as measured, or (--skip-ddim) the DPM take plus 30 more UNet steps: the schedulers differ only in step count here. */
const ddimTotal = (f: BundleFigures) => f.ddim?.totalMs ?? f.dpm.totalMs + 30 * f.dpm.stages.unetStep;
const stageRows: [string, keyof Stages][] = [
  ['CLAP text + T5 encoders', 'textEncoders'],
  ['projection + GPT-2, 8 LOA vectors', 'gpt2'],
  ['UNet, per step (batch 2)', 'unetStep'],
  ['VAE decode', 'vae'],
  ['HiFi-GAN vocoder', 'vocoder'],
];

// Targets of issue 10 item 6, checked on what was measured.
const slower = today ? stageRows.filter(([, k]) => built.dpm.stages[k] > today.dpm.stages[k]).map(([name, k]) => `${name} (${ms(built.dpm.stages[k])} vs ${ms(today.dpm.stages[k])})`) : [];
const vsTorch = torch ? torch.total_dpmpp20_ms / built.dpm.totalMs : undefined;
const unetShare = rate(built.dpm.stages.unetStep) / peakGflops;
const rssRatio = built.peakRssBytes / built.weightBytes;
const mark = (ok: boolean) => (ok ? '**met**' : '**missed**');
const targets = [
  `at least as fast as today's graphs at every stage: ${today ? (slower.length === 0 ? mark(true) : `${mark(false)}: slower at ${slower.join('; ')}`) : 'not measured (--skip-today)'}`,
  `≥ 2× PyTorch eager overall (DPM-Solver++ 20 steps): ${vsTorch === undefined ? 'not measured' : `${vsTorch.toFixed(2)}× — ${mark(vsTorch >= 2)}`}`,
  `UNet step ≥ 50 % of the MatMul peak: ${(unetShare * 100).toFixed(0)} % — ${mark(unetShare >= 0.5)}`,
  `warm load < 10 s: ${ms(built.warmLoadMs)} — ${mark(built.warmLoadMs < 10_000)}`,
  `peak RSS ≤ 1.3× the weights: ${rssRatio.toFixed(2)}× — ${mark(rssRatio <= 1.3)}`,
];

const torchLine = torch
  ? `eager ${String(torch.torch)} (BLAS: ${String(torch.blas)}), ${String(torch.threads)} threads, \`torch.no_grad\`, on the stand-in modules of models/tools/loa_modules.py (same dimensions, random weights; they remain only as this benchmark's peer)${torch.extrapolated ? `; UNet timed over ${values['torch-unet-steps']} steps, totals extrapolated` : ''}`
  : 'skipped';
const unetLine = (name: string, stepMs: number | undefined) => (stepMs === undefined ? '' : `${name} ${rate(stepMs).toFixed(0)} GFLOP/s (${((rate(stepMs) / peakGflops) * 100).toFixed(0)} %)`);

const body = `## Engine: text-to-audio on CPU (issues 2 and 10)

Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${describeMachine()}; onnxruntime-node ${ortVersion()}, CPU provider, default threads (one per physical core).
- **built**: the bundle the TypeScript builder writes from the \`full\` random diffusers checkpoint (\`npm run models:full\`: published cvssp/audioldm2 configs, seeded random weights; weights = the checkpoint's safetensors as external data, ${gb(built.weightBytes)} read by the generation graphs).
- **today**: the previous Python-exported random \`full\` bundle (models/tools/make_random_bundle.py${today ? `, ${gb(today.weightBytes)} of weights` : ', not measured'}).
- **PyTorch**: ${torchLine}.

The machine is shared: its 1-minute load average was ${loadBefore.toFixed(1)} when this run started and ${loadAfter.toFixed(1)} at its end (2 cores), so every figure here is slower than on an idle machine, PyTorch's and the MatMul peak's included.

Work: one ${SECONDS} s take, guidance 3.5 (UNet batch 2), prompt + negative prompt; per-stage times from the DPM-Solver++ 20-step take. Each launch ran in its own process (cold, then warm with the cold launch's cache folder; peak RSS is the warm launch's, generation included), one bundle after the other.

| stage | built | today's graphs | PyTorch eager | built vs today | built vs PyTorch |
|---|---|---|---|---|---|
| load, cold (first launch: sha256 of every file + sessions) | ${cell(built.coldLoadMs)} | ${cell(today?.coldLoadMs)} | — | ${ratio(built.coldLoadMs, today?.coldLoadMs)} | — |
| load, warm (second launch, new process: checksums remembered) | ${cell(built.warmLoadMs)} | ${cell(today?.warmLoadMs)} | ${cell(torch?.loadMs)} | ${ratio(built.warmLoadMs, today?.warmLoadMs)} | ${ratio(built.warmLoadMs, torch?.loadMs)} |
${stageRows.map(([name, k]) => row(name, (f) => f.dpm.stages[k], torch?.stages[k])).join('\n')}
${row('**total, DPM-Solver++ 20 steps**', (f) => f.dpm.totalMs, torch?.total_dpmpp20_ms)}
${row(built.ddim ? '**total, DDIM 50 steps**' : '**total, DDIM 50 steps** (not run: the DPM take + 30 UNet steps)', ddimTotal, torch?.total_ddim50_ms)}
| peak RSS | ${gb(built.peakRssBytes)} (${rssRatio.toFixed(2)}× weights) | ${today ? `${gb(today.peakRssBytes)} (${(today.peakRssBytes / today.weightBytes).toFixed(2)}×)` : '—'} | ${torch ? gb(torch.peakRssMb * 2 ** 20) : '—'} | | |

- UNet compute: one guided step at [${built.unetInputDims.sample.join(', ')}] with ${unetShape.loaLen} LOA and ${unetShape.t5Len} T5 tokens = **${(stepFlop / 1e9).toFixed(0)} GFLOP** (unet-macs.ts from the checkpoint's unet/config.json: every conv Cout·Cin·k²·output pixels, every Linear in·out·tokens, attention Q·Kᵀ and P·V; ${(macs.total / 1e9).toFixed(2)} G MACs per batch row × 2 FLOP per MAC × batch ${batch}; norms, softmax and activations left out, < 1 %). This machine's ORT fp32 MatMul peak (2048³, best of 8) is **${peakGflops.toFixed(0)} GFLOP/s** (the higher of ${peakBefore.toFixed(0)} before and ${peakAfter.toFixed(0)} after the bundles). Rates: ${[unetLine('built', built.dpm.stages.unetStep), unetLine('today', today?.dpm.stages.unetStep), unetLine('PyTorch', torch?.stages.unetStep)].filter(Boolean).join(', ')}.
- Real-time factor (compute ÷ audio length), built: DPM-Solver++ 20 steps **${built.dpm.rtf.toFixed(2)}**${built.ddim ? `, DDIM 50 steps **${built.ddim.rtf.toFixed(2)}**` : ''}. JS-side time (outside \`session.run\`): ${((built.dpm.jsMs / built.dpm.totalMs) * 100).toFixed(2)} % (target < 2 %).
- Targets (issue 10 item 6):
${targets.map((t) => `  - ${t}`).join('\n')}
${NOTES}
`;

const file = resolve(values.markdown!);
const existing = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n\nWritten by `npm run bench`; each section says when and where it was measured.\n';
writeFileSync(file, replaceSection(existing, 'engine', body));
writeFileSync(join(GENERATED, 'bench-engine.json'), JSON.stringify({ peakGflops, stepFlop, built, today, torch }, null, 2));
log(`wrote ${file}`);
process.stdout.write(body);
