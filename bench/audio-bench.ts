/**
 * `npm run bench:audio`: the audio front-ends (issue 4 item 11).
 *   1. the VAE log-mel of docs/engine-spec.md §4.1 against PyTorch's torch.stft path (bench/mel_torch.py) on the
 *      same 60 s clip: speed and how closely the two agree;
 *   2. the band-limited resamplers: libsamplerate's medium sinc (imports references), its best sinc
 *      (exports) and our own `resample`, 44.1 → 16 kHz and 48 → 16 kHz: stopband, sweep aliasing,
 *      passband ripple, speed; and the time a 10-minute 8 kHz reference takes to resample to 16 kHz.
 * Results go to BENCHMARKS.md (section `audio`) with the machine and date. Not a test: nothing here
 * fails on a slow machine. `LOA_TORCH_PYTHON` overrides the Python that runs torch.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { applyMelFilterBank, logClamp, melFilterBank, periodicHann, stft } from '../src/main/audio/mel.ts';
import { resample } from '../src/main/audio/resample.ts';
import { resampleSinc, type SincQuality } from '../src/main/audio/resample-best.ts';
import { encodeWav } from '../src/main/audio/wav.ts';
import { SeededRandom } from '../src/main/engine/random.ts';
import { describeMachine, replaceSection } from './machine.ts';

const ROOT = resolve(import.meta.dirname, '..');
const PYTHON = process.env.LOA_TORCH_PYTHON ?? '/usr/bin/python3';
const RUNS = 5;

function log(message: string): void {
  process.stderr.write(`[bench:audio] ${message}\n`);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const db = (ratio: number) => 20 * Math.log10(ratio);

function timeMedian<T>(runs: number, work: () => T): { ms: number; result: T } {
  let result = work(); // warm-up: JIT and first-touch allocation
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    result = work();
    times.push(performance.now() - t0);
  }
  return { ms: median(times), result };
}

// ---- Part 1: VAE log-mel vs torch.stft ---------------------------------------------------------
// docs/engine-spec.md §4.1: 16 kHz, n_fft 1024, hop 160, periodic Hann, reflect pad 512, |STFT|, 64 Slaney mels 0–8 kHz.
const SR = 16_000;
const MEL = { sampleRate: SR, nFft: 1024, hop: 160, nMels: 64, fMin: 0, fMax: 8000 };
const LOG_FLOOR = 1e-5;

/**
 * 60 s of tones + a repeating linear chirp + seeded noise, with one second of digital silence at
 * 30 s so the comparison also covers the log clamp and its surroundings.
 */
function makeClip(): Float32Array {
  const n = 60 * SR;
  const rng = new SeededRandom(11);
  const x = new Float32Array(n);
  const chirpSeconds = 10;
  for (let i = 0; i < n; i++) {
    const t = i / SR;
    const tc = t % chirpSeconds; // chirp 50 Hz → 7.9 kHz every 10 s
    const chirp = 0.1 * Math.sin(2 * Math.PI * (50 * tc + ((7900 - 50) / (2 * chirpSeconds)) * tc * tc));
    const tones = 0.15 * Math.sin(2 * Math.PI * 220 * t) * (0.6 + 0.4 * Math.sin(2 * Math.PI * 0.25 * t)) + 0.1 * Math.sin(2 * Math.PI * 1000 * t) + 0.05 * Math.sin(2 * Math.PI * 3500 * t);
    const noise = 0.03 * (rng.nextFloat64() * 2 - 1);
    x[i] = t >= 30 && t < 31 ? 0 : tones + chirp + noise;
  }
  return x;
}

/** A `vaeLogMel` module, once the engine has one, is what the VAE encoder is really fed; prefer it. */
async function loadLogMel(): Promise<{ source: string; logMel: (x: Float32Array) => Float32Array }> {
  const file = join(ROOT, 'src/main/engine/pipeline/vae-mel.ts');
  if (existsSync(file)) {
    const mod = (await import(pathToFileURL(file).href)) as { vaeLogMel?: (x: Float32Array, config: unknown) => unknown };
    if (typeof mod.vaeLogMel === 'function') {
      const fn = mod.vaeLogMel;
      return {
        source: '`vaeLogMel` (src/main/engine/pipeline/vae-mel.ts)',
        logMel: (x) => {
          // Its config is the bundle's (BundleConfig: sampleRate, hopLength, melBins).
          const out = fn(x, { sampleRate: MEL.sampleRate, hopLength: MEL.hop, melBins: MEL.nMels }) as Float32Array | { data: Float32Array };
          return out instanceof Float32Array ? out : out.data;
        },
      };
    }
  }
  const window = periodicHann(MEL.nFft);
  const bank = melFilterBank(MEL);
  return {
    source: '`stft` → `applyMelFilterBank` → `logClamp` (src/main/audio/mel.ts)',
    logMel: (x) => logClamp(applyMelFilterBank(stft(x, { nFft: MEL.nFft, hop: MEL.hop, window, center: true, padMode: 'reflect', power: 1 }), bank, MEL.nMels), LOG_FLOOR),
  };
}

interface TorchResult {
  torch: string;
  blas: string;
  fft: string;
  threads: number;
  frames: number;
  mels: number;
  medianMs: number;
  stftMedianMs: number;
}

async function benchMel() {
  const temp = mkdtempSync(join(tmpdir(), 'loa-bench-audio-'));
  try {
    const clip = makeClip();
    const wavPath = join(temp, 'clip.wav');
    const melPath = join(temp, 'mel-torch.f32');
    const mel64Path = join(temp, 'mel-torch.f64');
    writeFileSync(wavPath, encodeWav([clip], SR, 'float32'));

    const { source, logMel } = await loadLogMel();
    const ts = timeMedian(RUNS, () => logMel(clip));
    const window = periodicHann(MEL.nFft);
    const tsStft = timeMedian(RUNS, () => stft(clip, { nFft: MEL.nFft, hop: MEL.hop, window, center: true, padMode: 'reflect', power: 1 }));
    log(`TS log-mel (${source}): ${ts.ms.toFixed(1)} ms, of which |STFT| ${tsStft.ms.toFixed(1)} ms`);

    const stdout = execFileSync(PYTHON, [join(ROOT, 'bench/mel_torch.py'), wavPath, melPath, '--f64-out', mel64Path, '--runs', String(RUNS), '--threads', '2'], { encoding: 'utf8' });
    const torch = JSON.parse(stdout.trim().split('\n').at(-1)!) as TorchResult;
    log(`torch ${torch.torch} log-mel: ${torch.medianMs.toFixed(1)} ms, of which |STFT| ${torch.stftMedianMs.toFixed(1)} ms (${torch.threads} threads)`);

    const bytes = (path: string) => {
      const b = readFileSync(path);
      return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength); // own, aligned copy
    };
    const theirs = new Float32Array(bytes(melPath));
    const reference = new Float64Array(bytes(mel64Path));
    const ours = ts.result;
    const tsFrames = ours.length / MEL.nMels;
    const maxDiff = (a: Float32Array, b: Float64Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
    // The largest error in the log domain, and the largest where both mels sit ≥ 10× above the
    // clamp: small mels are where float32 rounding (window, FFT, sums) weighs most relative to the value.
    const awayFromClamp = Math.log(10 * LOG_FLOOR);
    let maxAbs = 0;
    let atValue = 0;
    let maxAbsAway = 0;
    let maxRel = 0;
    const n = Math.min(ours.length, theirs.length);
    for (let i = 0; i < n; i++) {
      const d = Math.abs(ours[i] - theirs[i]);
      if (d > maxAbs) [maxAbs, atValue] = [d, theirs[i]];
      if (ours[i] > awayFromClamp && theirs[i] > awayFromClamp) maxAbsAway = Math.max(maxAbsAway, d);
      // Relative to the log value itself; entries within 0.01 of ln 1 = 0 would divide by ~0.
      if (Math.abs(theirs[i]) >= 0.01) maxRel = Math.max(maxRel, d / Math.abs(theirs[i]));
    }
    const oursVs64 = ours.length === reference.length ? maxDiff(ours, reference) : NaN;
    const torchVs64 = maxDiff(theirs, reference);
    return { source, tsMs: ts.ms, tsStftMs: tsStft.ms, torch, tsFrames, torchFrames: torch.frames, maxAbs, atValue, maxAbsAway, maxRel, oursVs64, torchVs64, samples: clip.length };
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
}

// ---- Part 2: resampler quality -----------------------------------------------------------------
type Resample = (x: Float32Array, fromRate: number, toRate: number) => Float32Array | Promise<Float32Array>;

const SINC_MODULE = 'src/main/audio/resample-best.ts';
const sincAt =
  (quality: SincQuality): Resample =>
  (x, fromRate, toRate) =>
    resampleSinc(x, fromRate, toRate, { quality });

/**
 * A 10-minute 8 kHz clip (a voice memo, a phone recording: the slow case of issue 12) resampled to
 * 16 kHz, as reference import does it: median wall time of 3 runs after a warm-up, and the CPU time.
 */
async function tenMinuteImport(quality: SincQuality): Promise<{ wallS: number; cpuS: number; load: number }> {
  const x = Float32Array.from({ length: 8000 * 600 }, (_, i) => AMP * Math.sin((2 * Math.PI * 440 * i) / 8000));
  await resampleSinc(x.subarray(0, 80_000), 8000, OUT_RATE, { quality });
  const walls: number[] = [];
  const cpuTimes: number[] = [];
  for (let i = 0; i < 3; i++) {
    const cpu = process.cpuUsage();
    const t0 = performance.now();
    await resampleSinc(x, 8000, OUT_RATE, { quality });
    walls.push((performance.now() - t0) / 1000);
    const used = process.cpuUsage(cpu);
    cpuTimes.push((used.user + used.system) / 1e6);
  }
  return { wallS: median(walls), cpuS: median(cpuTimes), load: loadavg()[0] };
}

const OUT_RATE = 16_000;
const STOP_HZ = [8500, 10_000, 12_000, 16_000, 20_000];
const RIPPLE_HZ = Array.from({ length: 25 }, (_, i) => 100 * Math.pow(70, i / 24)); // 0.1–7 kHz, log-spaced
const AMP = 0.5;
/** Output seconds dropped at each end: both filters' onset ringing is over well within this. */
const TRIM = 0.1;

/**
 * Starting phase π/4: a 16 kHz sine with phase 0 is zero at every 16 kHz output instant, so its DC
 * alias would vanish whatever the filter; at π/4 that alias has the same RMS as a tone (amp/√2).
 */
const sine = (hz: number, seconds: number, rate: number) => Float32Array.from({ length: Math.round(seconds * rate) }, (_, i) => AMP * Math.sin((2 * Math.PI * hz * i) / rate + Math.PI / 4));

function rms(y: Float32Array, from: number, to: number): number {
  let s = 0;
  for (let i = from; i < to; i++) s += y[i] * y[i];
  return Math.sqrt(s / (to - from));
}

/** Least-squares amplitude of a tone at `hz` (sin and cos fitted together, so phase and a non-whole number of periods don't matter). */
function toneAmplitude(y: Float32Array, hz: number, from: number, to: number): number {
  let ss = 0,
    sc = 0,
    cc = 0,
    ys = 0,
    yc = 0;
  for (let i = from; i < to; i++) {
    const s = Math.sin((2 * Math.PI * hz * i) / OUT_RATE);
    const c = Math.cos((2 * Math.PI * hz * i) / OUT_RATE);
    ss += s * s;
    sc += s * c;
    cc += c * c;
    ys += y[i] * s;
    yc += y[i] * c;
  }
  const det = ss * cc - sc * sc;
  return Math.hypot((ys * cc - yc * sc) / det, (yc * ss - ys * sc) / det);
}

/** Where a tone at `hz` lands after sampling at 16 kHz. */
const aliasOf = (hz: number) => Math.abs(hz - OUT_RATE * Math.round(hz / OUT_RATE));

/**
 * RMS of the single component at `hz` (Hann-windowed DFT; at 0 Hz the windowed mean), so the alias
 * tone can be told apart from broadband rounding noise.
 */
function componentRms(y: Float32Array, hz: number, from: number, to: number): number {
  let re = 0,
    im = 0,
    wsum = 0;
  for (let i = from; i < to; i++) {
    const w = 0.5 - 0.5 * Math.cos((2 * Math.PI * (i - from)) / (to - from));
    re += y[i] * w * Math.cos((2 * Math.PI * hz * i) / OUT_RATE);
    im += y[i] * w * Math.sin((2 * Math.PI * hz * i) / OUT_RATE);
    wsum += w;
  }
  const magnitude = Math.hypot(re, im) / wsum; // a sinusoid's amplitude/2, or |DC|
  return hz === 0 ? magnitude : magnitude * Math.SQRT2;
}

/** 20 Hz → 20 kHz exponential sweep (Farina), with 10 ms raised-cosine fades so its ends don't splatter. */
const SWEEP = { f1: 20, f2: 20_000, seconds: 10, fade: 0.01 };
function sweep(rate: number): Float32Array {
  const k = Math.log(SWEEP.f2 / SWEEP.f1) / SWEEP.seconds;
  const n = SWEEP.seconds * rate;
  return Float32Array.from({ length: n }, (_, i) => {
    const t = i / rate;
    const edge = Math.min(t, SWEEP.seconds - t) / SWEEP.fade;
    const gain = edge >= 1 ? 1 : 0.5 - 0.5 * Math.cos(Math.PI * edge);
    return gain * AMP * Math.sin(((2 * Math.PI * SWEEP.f1) / k) * (Math.exp(k * t) - 1));
  });
}

/**
 * Output energy while the sweep is above 8 kHz (all of it alias or leakage: nothing up there belongs
 * at 16 kHz) over the output energy while it is below, each window 20 ms clear of the 8 kHz crossing
 * and of the fades.
 */
function sweepAliasDb(y: Float32Array): number {
  const guard = 0.02;
  const cross = (SWEEP.seconds * Math.log(8000 / SWEEP.f1)) / Math.log(SWEEP.f2 / SWEEP.f1);
  const at = (t: number) => Math.round(t * OUT_RATE);
  const energy = (a: number, b: number) => rms(y, a, b) ** 2 * (b - a);
  const inBand = energy(at(guard), at(cross - guard));
  const above = energy(at(cross + guard), at(SWEEP.seconds - guard));
  return 10 * Math.log10(above / inBand);
}

interface ResamplerFigures {
  /** Everything in the output, relative to the 1 kHz reference. */
  stopDb: number[];
  /** Only the alias tone. */
  aliasToneDb: number[];
  sweepDb: number;
  rippleDb: { min: number; max: number };
  speed: number;
}

async function measureResampler(fn: Resample, fromRate: number): Promise<ResamplerFigures> {
  const window = (y: Float32Array): [number, number] => [Math.round(TRIM * OUT_RATE), y.length - Math.round(TRIM * OUT_RATE)];
  const through = async (hz: number) => {
    const y = await fn(sine(hz, 1, fromRate), fromRate, OUT_RATE);
    return { y, range: window(y) };
  };
  const ref = await through(1000);
  const reference = rms(ref.y, ...ref.range);
  const stopDb: number[] = [];
  const aliasToneDb: number[] = [];
  for (const hz of STOP_HZ) {
    const { y, range } = await through(hz);
    stopDb.push(db(rms(y, ...range) / reference));
    aliasToneDb.push(db(componentRms(y, aliasOf(hz), ...range) / reference));
  }

  const gains: number[] = [];
  for (const hz of RIPPLE_HZ) {
    const y = await fn(sine(hz, 0.5, fromRate), fromRate, OUT_RATE);
    gains.push(db(toneAmplitude(y, hz, ...window(y)) / AMP));
  }

  const x = sweep(fromRate);
  const times: number[] = [];
  let y = await fn(x, fromRate, OUT_RATE);
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    y = await fn(x, fromRate, OUT_RATE);
    times.push(performance.now() - t0);
  }
  return {
    stopDb,
    aliasToneDb,
    sweepDb: sweepAliasDb(y),
    rippleDb: { min: Math.min(...gains), max: Math.max(...gains) },
    speed: SWEEP.seconds / (median(times) / 1000),
  };
}

// ---- run ----------------------------------------------------------------------------------------
const started = performance.now();
const mel = await benchMel();
const resamplers: { name: string; fn: Resample }[] = [
  { name: `libsamplerate SRC_SINC_MEDIUM_QUALITY (\`resampleSinc\`, ${SINC_MODULE}): **reference import**`, fn: sincAt('medium') },
  { name: `libsamplerate SRC_SINC_BEST_QUALITY (\`resampleBest\`, ${SINC_MODULE}): exports`, fn: sincAt('best') },
  { name: '`resample` (ours, quality `high`)', fn: resample },
];
const exp = (x: number) => x.toExponential(1);
const rows: string[] = [];
for (const { name, fn } of resamplers) {
  for (const fromRate of [44_100, 48_000]) {
    const f = await measureResampler(fn, fromRate);
    log(
      `${name} ${fromRate}→${OUT_RATE}: stopband ${f.stopDb.map((d) => d.toFixed(1)).join(' / ')} dB, sweep alias ${f.sweepDb.toFixed(1)} dB, ripple ${exp(f.rippleDb.min)}…${exp(f.rippleDb.max)} dB, ${f.speed.toFixed(0)}× real time`,
    );
    const stop = f.stopDb.map((d, i) => `${d.toFixed(1)} (${f.aliasToneDb[i].toFixed(1)})`).join(' | ');
    const ripple = `${exp(f.rippleDb.max - f.rippleDb.min)} (${exp(f.rippleDb.min)} … ${exp(f.rippleDb.max)})`;
    rows.push(`| ${name} | ${fromRate / 1000} → 16 | ${stop} | ${Math.max(...f.stopDb).toFixed(1)} | ${f.sweepDb.toFixed(1)} | ${ripple} | ${f.speed.toFixed(0)} |`);
  }
}
const tenMinutes = { medium: await tenMinuteImport('medium'), best: await tenMinuteImport('best') };
log(
  `10 min 8 kHz → 16 kHz: medium ${tenMinutes.medium.wallS.toFixed(2)} s (CPU ${tenMinutes.medium.cpuS.toFixed(2)} s), best ${tenMinutes.best.wallS.toFixed(2)} s (CPU ${tenMinutes.best.cpuS.toFixed(2)} s)`,
);
const totalSeconds = (performance.now() - started) / 1000;
log(`done in ${totalSeconds.toFixed(0)} s`);

// ---- BENCHMARKS.md ------------------------------------------------------------------------------
const aboveShare = Math.log(SWEEP.f2 / 8000) / Math.log(SWEEP.f2 / SWEEP.f1); // an exponential sweep spends equal time per octave
const body = `## Audio front-ends: VAE mel and resampling (issue 4)

Measured ${new Date().toISOString().slice(0, 10)} on ${describeMachine()}; PyTorch ${mel.torch.torch} (${PYTHON}, BLAS: ${mel.torch.blas}), ${mel.torch.threads} threads. The whole bench took ${totalSeconds.toFixed(0)} s. The quality figures are deterministic; the timings are one run's and move by tens of percent between runs when the machine is busy.

### VAE log-mel (docs/engine-spec.md §4.1) vs \`torch.stft\`

One 60 s clip at 16 kHz (${mel.samples.toLocaleString('en')} samples; tones at 220 Hz (amplitude-modulated), 1 kHz and 3.5 kHz, a 50 Hz → 7.9 kHz linear chirp every 10 s, seeded uniform noise, and 1 s of digital silence at 30 s), written as a float32 WAV that both sides read.
Ours: ${mel.source}, single-threaded. PyTorch (\`bench/mel_torch.py\`): \`torch.stft(x, 1024, 160, 1024, window=hann_window(1024, periodic=True), center=True, pad_mode='reflect', return_complex=True).abs()\`, a 64×513 Slaney mel bank built in numpy (librosa's \`filters.mel\` algorithm, checked against docs/engine-spec.md §8.6) applied as a float32 matmul, \`log(clamp(·, 1e-5))\`. Times are the median of ${RUNS} runs after a warm-up, the mel bank and window built beforehand on both sides.

| | ours (TypeScript) | PyTorch | ratio (ours ÷ torch) |
| --- | --- | --- | --- |
| log-mel of 60 s | ${mel.tsMs.toFixed(1)} ms | ${mel.torch.medianMs.toFixed(1)} ms | ${(mel.tsMs / mel.torch.medianMs).toFixed(2)}× |
| of which the magnitude STFT alone | ${mel.tsStftMs.toFixed(1)} ms | ${mel.torch.stftMedianMs.toFixed(1)} ms | ${(mel.tsStftMs / mel.torch.stftMedianMs).toFixed(2)}× |
| frames × mels | ${mel.tsFrames} × ${MEL.nMels} | ${mel.torchFrames} × ${mel.torch.mels} | ${mel.tsFrames === mel.torchFrames ? 'equal' : '**differ**'} |

Agreement of the two log-mels (natural log, so an absolute difference d is a relative difference of about d in the linear mel):
- max |ours − torch|: **${exp(mel.maxAbs)}** (at a torch value of ${mel.atValue.toFixed(2)}; the clamp is ${Math.log(LOG_FLOOR).toFixed(2)});
- max |ours − torch| where both mels are at least 10× the clamp floor (log-mel > ${Math.log(10 * LOG_FLOOR).toFixed(2)}): **${exp(mel.maxAbsAway)}**;
- max |ours − torch| ÷ |torch| (entries with |torch| ≥ 0.01): **${exp(mel.maxRel)}**.

Against the same torch chain run in float64 (window, STFT, bank and log): ours differs by at most **${exp(mel.oursVs64)}**, torch's float32 path by **${exp(mel.torchVs64)}**. Ours does the FFT and the filter-bank sums in float64 and stores float32; torch stays in float32 throughout (its float32 Hann window included), so what separates the two is torch's float32 rounding, largest where the mel is small.${mel.torch.blas === 'generic' ? ` This torch uses the generic (reference) BLAS, so the 64×513 mel matmul takes most of its time; the STFT-only row compares the FFT paths (torch: ${mel.torch.fft}, ${mel.torch.threads} threads; ours: one thread).` : ''}

### Resamplers: quality and speed

Each resampler from 44.1 kHz and 48 kHz to 16 kHz (the VAE's rate); all test signals have amplitude 0.5 and the first and last ${TRIM} s of every output are dropped (filter onset ringing).
- **Stopband** (dB, per input frequency above the 8 kHz target Nyquist): a 1 s sine (starting phase π/4) → RMS of the whole remaining output (whatever lands anywhere: the alias tone at |f − 16k·round(f/16k)| plus rounding noise and any other leakage), relative to the RMS of a 1 kHz sine through the same resampler. In brackets: the alias tone alone (Hann-windowed DFT at its frequency, as an RMS; 16 kHz aliases to DC). Lower is better; where the two differ, the total is the resampler's noise floor, not aliasing.
- **Sweep alias** (dB): a 10 s 20 Hz → 20 kHz exponential sine sweep with 10 ms fades; output energy during the part of the sweep above 8 kHz (everything there is aliasing or leakage) relative to output energy during the part below, each window 20 ms clear of the 8 kHz crossing. The part above 8 kHz is ${(100 * aboveShare).toFixed(0)} % of the sweep, so a level (mean power) ratio would read ${(10 * Math.log10((1 - aboveShare) / aboveShare)).toFixed(1)} dB higher than this energy ratio.
- **Ripple** (dB): gain at 25 log-spaced sine frequencies from 0.1 to 7 kHz (0.5 s each; amplitude from a least-squares sine+cosine fit at the known frequency); max − min, with (min … max).
- **Speed**: seconds of audio per second of wall time on the 10 s sweep, median of 3 calls after a warm-up (for libsamplerate this includes creating the converter, as every call does).

| resampler | kHz | 8.5 kHz | 10 kHz | 12 kHz | 16 kHz | 20 kHz | worst stopband | sweep alias | ripple 0.1–7 kHz | × real time |
| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
${rows.join('\n')}

References are imported with libsamplerate's medium sinc (issue 12): its stopband stays below −100 dB while it runs about three times as fast as the best sinc, which exports keep (a take is at most 30 s). A **10-minute 8 kHz reference** resampled to 16 kHz (a 440 Hz sine; median of 3 after a warm-up): medium sinc **${tenMinutes.medium.cpuS.toFixed(2)} s of CPU** (${tenMinutes.medium.wallS.toFixed(2)} s wall), best sinc ${tenMinutes.best.cpuS.toFixed(2)} s of CPU (${tenMinutes.best.wallS.toFixed(2)} s wall). The CPU time is what the conversion costs a free machine; the wall time is what it took here with a load average of ${tenMinutes.medium.load.toFixed(1)} on ${cpus().length} cores (other work on the machine). Import runs on its own worker thread and reports progress per 64 k-sample chunk. The price of medium: its passband ends at 90 % of the target Nyquist (7.2 kHz at 16 kHz), which the ripple column shows as a roll-off of a few tenths of a dB by 7 kHz; the best sinc is flat to 97 %.

Reproduce: \`npm run bench:audio\` (PyTorch from \`/usr/bin/python3\`; set \`LOA_TORCH_PYTHON\` to use another).
`;

const file = join(ROOT, 'BENCHMARKS.md');
writeFileSync(file, replaceSection(readFileSync(file, 'utf8'), 'audio', body));
log(`wrote the audio section of ${file}`);
