// DPM-Solver++ 2M (Lu et al. 2022, "DPM-Solver++", Alg. 2, midpoint variant) as diffusers'
// DPMSolverMultistepScheduler runs it for AudioLDM 2 when built with `from_config(ddim.config)`:
// data prediction, solver_order 2, lower_order_final, final_sigmas_type "zero" (docs/engine-spec.md §3.3).
//
// For a noise level s: α_s = 1/√(s²+1), σ_s = s·α_s, λ_s = ln α_s − ln σ_s.
// Step i (s = sigma[i], t = sigma[i+1], h = λ_t − λ_s), with x̂0_i = (x − σ_s·ε)/α_s:
//   first order (first step, and the last step where t = 0):  x ← (σ_t/σ_s)·x − α_t(e^{−h}−1)·x̂0_i
//   second order otherwise: r0 = (λ_s − λ_{i−1})/h, D1 = (x̂0_i − x̂0_{i−1})/r0,
//                           x ← (σ_t/σ_s)·x − α_t(e^{−h}−1)·(x̂0_i + ½·D1)
// The sigmas are diffusers' float32 values; the update runs in float64 on them.
import { noiseSchedule, type NoiseSchedule } from './noise-schedule.ts';
import type { Scheduler, SchedulerConfig } from './scheduler.ts';
import { dpmSettings, type CommonSettings } from './scheduler-config.ts';
import { dpmTimesteps } from './timesteps.ts';
import { addNoiseAt, checkSameLength, checkTimestep } from './sample-math.ts';

const f32 = Math.fround;

/** σ(t) = √((1−ᾱ_t)/ᾱ_t), each operation rounded to float32 as in diffusers' torch tensors. */
export function sigmaFromAlphaCumprod(alphaCumprod32: number): number {
  return f32(Math.sqrt(f32(f32(1 - alphaCumprod32) / alphaCumprod32)));
}

interface NoiseLevel {
  alpha: number;
  sigma: number;
  lambda: number;
}

function noiseLevel(s: number): NoiseLevel {
  const alpha = 1 / Math.sqrt(s * s + 1);
  const sigma = s * alpha;
  return { alpha, sigma, lambda: Math.log(alpha) - Math.log(sigma) };
}

export class DpmSolverMultistepScheduler implements Scheduler {
  readonly name = 'dpmpp' as const;
  readonly initNoiseSigma = 1;
  readonly schedule: NoiseSchedule;
  private readonly settings: CommonSettings;
  private grid: readonly number[] = [];
  /** sigma per timestep plus the final 0 (float32 values). */
  private sigmaGrid: Float32Array = new Float32Array(0);
  private stepIndex: number | null = null;
  private beginIndex: number | null = null;
  /** x̂0 of the previous step (for the 2M correction); null before the first step. */
  private prevX0: Float64Array | null = null;

  constructor(config: SchedulerConfig) {
    this.settings = dpmSettings(config);
    this.schedule = noiseSchedule(config);
  }

  get timesteps(): readonly number[] {
    return this.grid;
  }

  /** The solver's noise levels: one per timestep, then 0. */
  get sigmas(): Float32Array {
    return this.sigmaGrid.slice();
  }

  setTimesteps(steps: number): void {
    const { spacing, stepsOffset } = this.settings;
    const ts = dpmTimesteps(steps, this.schedule.numTrainTimesteps, spacing, stepsOffset);
    const sig = new Float32Array(ts.length + 1);
    ts.forEach((t, i) => (sig[i] = sigmaFromAlphaCumprod(this.schedule.alphasCumprod32[t])));
    sig[ts.length] = 0; // final_sigmas_type "zero": the last step returns x̂0
    this.grid = Object.freeze(ts);
    this.sigmaGrid = sig;
    this.stepIndex = null;
    this.beginIndex = null;
    this.prevX0 = null;
  }

  scaleModelInput(sample: Float32Array, _t: number): Float32Array {
    return sample;
  }

  setBeginIndex(begin: number): void {
    if (this.grid.length === 0) throw new Error('DPM-Solver++: call setTimesteps before setBeginIndex');
    if (!Number.isInteger(begin) || begin < 0 || begin >= this.grid.length) {
      throw new RangeError(`DPM-Solver++: begin index ${begin} outside 0..${this.grid.length - 1}`);
    }
    this.beginIndex = begin;
  }

  /** diffusers index_for_timestep: the second match if t repeats, the last index if absent. */
  private indexFor(t: number): number {
    const first = this.grid.indexOf(t);
    if (first < 0) return this.grid.length - 1;
    const second = this.grid.indexOf(t, first + 1);
    return second >= 0 ? second : first;
  }

  step(modelOutput: Float32Array, t: number, sample: Float32Array): Float32Array {
    if (this.grid.length === 0) throw new Error('DPM-Solver++: call setTimesteps before step');
    checkSameLength(modelOutput, sample, 'DPM-Solver++ step: modelOutput');
    if (this.stepIndex === null) this.stepIndex = this.beginIndex ?? this.indexFor(t);
    const i = this.stepIndex;
    if (i >= this.grid.length) throw new Error('DPM-Solver++: all steps already taken; call setTimesteps again');
    // diffusers silently follows its own counter; a different t here means the caller's loop is off.
    if (t !== this.grid[i]) throw new Error(`DPM-Solver++: step ${i} expects timestep ${this.grid[i]}, got ${t}`);

    const s0 = noiseLevel(this.sigmaGrid[i]);
    const x0 = new Float64Array(sample.length);
    for (let k = 0; k < x0.length; k++) x0[k] = (sample[k] - s0.sigma * modelOutput[k]) / s0.alpha;

    const out = new Float32Array(sample.length);
    const last = i === this.grid.length - 1;
    if (last) {
      // σ_t = 0 ⇒ α_t = 1, h = ∞: the update is exactly x̂0.
      for (let k = 0; k < out.length; k++) out[k] = x0[k];
    } else {
      const tl = noiseLevel(this.sigmaGrid[i + 1]);
      const h = tl.lambda - s0.lambda;
      const ratio = tl.sigma / s0.sigma;
      const c = tl.alpha * (Math.exp(-h) - 1);
      const prev = this.prevX0;
      if (prev === null) {
        for (let k = 0; k < out.length; k++) out[k] = ratio * sample[k] - c * x0[k];
      } else {
        const s1 = noiseLevel(this.sigmaGrid[i - 1]);
        const r0 = (s0.lambda - s1.lambda) / h;
        for (let k = 0; k < out.length; k++) {
          const d1 = (x0[k] - prev[k]) / r0;
          out[k] = ratio * sample[k] - c * x0[k] - 0.5 * c * d1;
        }
      }
    }
    this.prevX0 = x0;
    this.stepIndex = i + 1;
    return out;
  }

  /**
   * q_sample with ᾱ[t] directly. diffusers looks up the solver sigma of t instead, which is the
   * same quantity (α = 1/√(σ²+1) = √ᾱ) up to float32 rounding, and also works for any t.
   */
  addNoise(x0: Float32Array, noise: Float32Array, t: number): Float32Array {
    checkTimestep(t, this.schedule.numTrainTimesteps, 'DPM-Solver++ addNoise');
    return addNoiseAt(x0, noise, this.schedule.alphasCumprod32[t]);
  }
}
