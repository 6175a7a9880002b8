// The training noise schedule β_i, ᾱ_i = ∏_{j≤i}(1 − β_j) shared by every AudioLDM 2 scheduler
// (docs/engine-spec.md §3.1). Two versions are kept:
//  - float64: the formula in exact-as-possible arithmetic (original LDM `make_beta_schedule`);
//  - float32: what diffusers actually holds (`torch.linspace(..., dtype=float32)`, `1 − β` and the
//    cumulative product in float32). The steppers use the float32 ᾱ because the reference outputs
//    were produced with it. Our float32 values reproduce docs/engine-spec.md §8.1 bit for bit.
import { linspace } from './numpy-compat.ts';
import type { SchedulerConfig } from './scheduler.ts';

export interface NoiseSchedule {
  readonly numTrainTimesteps: number;
  /** β in float64. */
  readonly betas: Float64Array;
  /** ᾱ in float64. */
  readonly alphasCumprod: Float64Array;
  /** β as diffusers stores it (float32). */
  readonly betas32: Float32Array;
  /** ᾱ as diffusers computes it (float32 cumulative product) — used by the steppers. */
  readonly alphasCumprod32: Float32Array;
}

export type NoiseScheduleConfig = Pick<SchedulerConfig, 'num_train_timesteps' | 'beta_start' | 'beta_end' | 'beta_schedule'>;

const f32 = Math.fround;

export function noiseSchedule(config: NoiseScheduleConfig): NoiseSchedule {
  const n = config.num_train_timesteps;
  if (!Number.isInteger(n) || n < 2) {
    throw new Error(`Scheduler config: num_train_timesteps must be an integer ≥ 2, got ${String(n)}`);
  }
  const { beta_start: b0, beta_end: b1 } = config;
  if (!(b0 > 0 && b1 > 0 && b0 < 1 && b1 < 1)) {
    throw new Error(`Scheduler config: beta_start/beta_end must lie in (0, 1), got ${b0}, ${b1}`);
  }

  const betas = new Float64Array(n);
  const betas32 = new Float32Array(n);
  switch (config.beta_schedule) {
    case 'scaled_linear': {
      // diffusers: torch.linspace(beta_start**0.5, beta_end**0.5, n, dtype=float32) ** 2
      const r = linspace(Math.sqrt(b0), Math.sqrt(b1), n);
      for (let i = 0; i < n; i++) {
        betas[i] = r[i] * r[i];
        const r32 = f32(r[i]);
        betas32[i] = r32 * r32;
      }
      break;
    }
    case 'linear': {
      // diffusers: torch.linspace(beta_start, beta_end, n, dtype=float32)
      const b = linspace(b0, b1, n);
      betas.set(b);
      betas32.set(b);
      break;
    }
    default:
      throw new Error(`Scheduler config: beta_schedule "${String(config.beta_schedule)}" is not supported ` + `(supported: "scaled_linear", "linear")`);
  }

  const alphasCumprod = new Float64Array(n);
  const alphasCumprod32 = new Float32Array(n);
  let acc = 1;
  let acc32 = 1;
  for (let i = 0; i < n; i++) {
    acc *= 1 - betas[i];
    alphasCumprod[i] = acc;
    // Each float32 operation rounded separately, as torch does in float32 tensors.
    acc32 = f32(acc32 * f32(1 - betas32[i]));
    alphasCumprod32[i] = acc32;
  }
  return { numTrainTimesteps: n, betas, alphasCumprod, betas32, alphasCumprod32 };
}
