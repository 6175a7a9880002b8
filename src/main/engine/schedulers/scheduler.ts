// The one small interface every sampler implements (diffusers' SchedulerMixin surface that the
// AudioLDM 2 pipeline touches: set_timesteps, init_noise_sigma, scale_model_input, step,
// add_noise, set_begin_index). Samples are flat Float32Arrays; the update is elementwise, so the
// tensor shape does not matter here.
import type { SchedulerName } from '../../../shared/engine/schedulers.ts';

export type { SchedulerName };

export interface Scheduler {
  readonly name: SchedulerName;
  /** Descending integer timesteps; empty until `setTimesteps` has been called. */
  readonly timesteps: readonly number[];
  readonly initNoiseSigma: number;
  setTimesteps(steps: number): void;
  /** Identity for DDIM and DPM-Solver++ (kept so LMS-like schedulers can slot in later). */
  scaleModelInput(sample: Float32Array, t: number): Float32Array;
  /**
   * One update; returns the new sample (a new array). `noise` is only read by DDIM with η > 0
   * (a standard-normal draw of the sample's size); deterministic samplers ignore it.
   */
  step(modelOutput: Float32Array, t: number, sample: Float32Array, noise?: Float32Array): Float32Array;
  /** q_sample: sqrt(ᾱ_t)·x0 + sqrt(1−ᾱ_t)·noise (for SDEdit/inpainting). */
  addNoise(x0: Float32Array, noise: Float32Array, t: number): Float32Array;
  /** Start the solver at index `begin` of timesteps (diffusers set_begin_index; for SDEdit). */
  setBeginIndex(begin: number): void;
}

/** A diffusers scheduler_config.json (snake_case keys as on the hub). */
export interface SchedulerConfig {
  num_train_timesteps: number;
  beta_start: number;
  beta_end: number;
  beta_schedule: string;
  steps_offset?: number;
  set_alpha_to_one?: boolean;
  timestep_spacing?: string;
  prediction_type?: string;
  clip_sample?: boolean;
  thresholding?: boolean;
  [k: string]: unknown;
}
