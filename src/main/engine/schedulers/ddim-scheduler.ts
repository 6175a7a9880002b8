// DDIM sampler (Song et al. 2020, eq. 12 and 16) exactly as diffusers' DDIMScheduler.step with
// prediction_type "epsilon", no clipping/thresholding (docs/engine-spec.md §3.2):
//   x̂0     = (x − √(1−ā_t)·ε) / √ā_t
//   σ      = η·√((1−ā_p)/(1−ā_t)·(1−ā_t/ā_p))
//   x_prev = √ā_p·x̂0 + √(1−ā_p−σ²)·ε + σ·z
// with prev = t − T//n and ā_p = ᾱ[0] (or 1 if set_alpha_to_one) once prev < 0.
// Coefficients are computed in float64 from diffusers' float32 ᾱ; samples stay Float32Array.
import { noiseSchedule, type NoiseSchedule } from './noise-schedule.ts';
import type { Scheduler, SchedulerConfig } from './scheduler.ts';
import { ddimSettings, type CommonSettings } from './scheduler-config.ts';
import { ddimTimesteps } from './timesteps.ts';
import { addNoiseAt, checkSameLength, checkTimestep } from './sample-math.ts';

export interface DdimOptions {
  /** η: 0 = deterministic DDIM (diffusers default); 1 = the original AudioLDM 2 repo's setting. */
  eta?: number;
}

export interface DdimCoefficients {
  prevTimestep: number;
  alphaProdT: number;
  alphaProdPrev: number;
}

export class DdimScheduler implements Scheduler {
  readonly name = 'ddim' as const;
  readonly initNoiseSigma = 1;
  readonly schedule: NoiseSchedule;
  private readonly settings: CommonSettings;
  private readonly finalAlphaCumprod: number;
  private readonly eta: number;
  private steps = 0;
  private grid: readonly number[] = [];

  constructor(config: SchedulerConfig, options: DdimOptions = {}) {
    const settings = ddimSettings(config);
    this.settings = settings;
    this.schedule = noiseSchedule(config);
    this.finalAlphaCumprod = settings.setAlphaToOne ? 1 : this.schedule.alphasCumprod32[0];
    const eta = options.eta ?? 0;
    if (!(eta >= 0 && eta <= 1)) throw new RangeError(`DDIM: eta must lie in [0, 1], got ${eta}`);
    this.eta = eta;
  }

  get timesteps(): readonly number[] {
    return this.grid;
  }

  setTimesteps(steps: number): void {
    const { spacing, stepsOffset } = this.settings;
    this.grid = Object.freeze(ddimTimesteps(steps, this.schedule.numTrainTimesteps, spacing, stepsOffset));
    this.steps = steps;
  }

  scaleModelInput(sample: Float32Array, _t: number): Float32Array {
    return sample;
  }

  /** The ᾱ pair one step uses (exposed for tests and for reading the maths against the paper). */
  coefficients(t: number): DdimCoefficients {
    if (this.steps === 0) throw new Error('DDIM: call setTimesteps before step');
    checkTimestep(t, this.schedule.numTrainTimesteps, 'DDIM');
    const prevTimestep = t - Math.floor(this.schedule.numTrainTimesteps / this.steps);
    const ac = this.schedule.alphasCumprod32;
    return {
      prevTimestep,
      alphaProdT: ac[t],
      alphaProdPrev: prevTimestep >= 0 ? ac[prevTimestep] : this.finalAlphaCumprod,
    };
  }

  step(modelOutput: Float32Array, t: number, sample: Float32Array, noise?: Float32Array): Float32Array {
    checkSameLength(modelOutput, sample, 'DDIM step: modelOutput');
    const { alphaProdT: at, alphaProdPrev: ap } = this.coefficients(t);
    const sigma = this.eta * Math.sqrt(((1 - ap) / (1 - at)) * (1 - at / ap));
    const sqrtAt = Math.sqrt(at);
    const sqrtBt = Math.sqrt(1 - at);
    const sqrtAp = Math.sqrt(ap);
    const dir = Math.sqrt(1 - ap - sigma * sigma);
    const out = new Float32Array(sample.length);
    for (let i = 0; i < sample.length; i++) {
      const eps = modelOutput[i];
      const x0 = (sample[i] - sqrtBt * eps) / sqrtAt;
      out[i] = sqrtAp * x0 + dir * eps;
    }
    if (sigma > 0) {
      if (noise === undefined) throw new Error('DDIM step: eta > 0 needs a noise array');
      checkSameLength(noise, sample, 'DDIM step: noise');
      for (let i = 0; i < out.length; i++) out[i] += sigma * noise[i];
    }
    return out;
  }

  addNoise(x0: Float32Array, noise: Float32Array, t: number): Float32Array {
    checkTimestep(t, this.schedule.numTrainTimesteps, 'DDIM addNoise');
    return addNoiseAt(x0, noise, this.schedule.alphasCumprod32[t]);
  }

  /** DDIM is stateless (each step reads its own t), so a later start needs no bookkeeping. */
  setBeginIndex(begin: number): void {
    if (this.grid.length === 0) throw new Error('DDIM: call setTimesteps before setBeginIndex');
    if (!Number.isInteger(begin) || begin < 0 || begin >= this.grid.length) {
      throw new RangeError(`DDIM: begin index ${begin} outside 0..${this.grid.length - 1}`);
    }
  }
}
