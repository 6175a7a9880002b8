// Reads a diffusers scheduler config into the few settings our steppers implement, and refuses
// every value that would make diffusers compute something we don't (better a clear error than a
// silently different sample). Defaults are diffusers' constructor defaults.
import type { SchedulerConfig } from './scheduler.ts';

export type TimestepSpacing = 'leading' | 'trailing' | 'linspace';

export class SchedulerConfigError extends Error {
  readonly key: string;
  constructor(key: string, message: string) {
    super(`Scheduler config "${key}": ${message}`);
    this.name = 'SchedulerConfigError';
    this.key = key;
  }
}

export interface CommonSettings {
  stepsOffset: number;
  spacing: TimestepSpacing;
}

function isSet(config: SchedulerConfig, key: string): boolean {
  return config[key] !== undefined && config[key] !== null;
}

/** Checks shared by both samplers; `defaultSpacing` differs (DDIM "leading", DPM "linspace"). */
export function commonSettings(config: SchedulerConfig, defaultSpacing: TimestepSpacing): CommonSettings {
  const prediction = config.prediction_type ?? 'epsilon';
  if (prediction !== 'epsilon') {
    throw new SchedulerConfigError('prediction_type', `"${String(prediction)}" is not supported (only "epsilon")`);
  }
  if (config.thresholding === true) {
    throw new SchedulerConfigError('thresholding', 'dynamic thresholding is not supported');
  }
  if (isSet(config, 'trained_betas')) {
    throw new SchedulerConfigError('trained_betas', 'explicit beta tables are not supported');
  }
  if (config.rescale_betas_zero_snr === true) {
    throw new SchedulerConfigError('rescale_betas_zero_snr', 'zero-terminal-SNR rescaling is not supported');
  }
  const spacing = config.timestep_spacing ?? defaultSpacing;
  if (spacing !== 'leading' && spacing !== 'trailing' && spacing !== 'linspace') {
    throw new SchedulerConfigError('timestep_spacing', `"${String(spacing)}" is not supported (use "leading", "trailing" or "linspace")`);
  }
  const stepsOffset = config.steps_offset ?? 0;
  if (!Number.isInteger(stepsOffset) || stepsOffset < 0) {
    throw new SchedulerConfigError('steps_offset', `must be a non-negative integer, got ${String(stepsOffset)}`);
  }
  return { stepsOffset, spacing };
}

/** DDIM: clip_sample defaults to true in diffusers' DDIMScheduler, so it must be explicitly false. */
export function ddimSettings(config: SchedulerConfig): CommonSettings & { setAlphaToOne: boolean } {
  const common = commonSettings(config, 'leading');
  if (config.clip_sample !== false) {
    throw new SchedulerConfigError(
      'clip_sample',
      config.clip_sample === undefined ? 'missing; diffusers DDIMScheduler then clips x̂0 to [-1, 1], which is not supported — set it to false' : 'clipping x̂0 is not supported (must be false)',
    );
  }
  return { ...common, setAlphaToOne: config.set_alpha_to_one ?? true };
}

/**
 * DPM-Solver++ 2M as `DPMSolverMultistepScheduler.from_config(ddim.config)` builds it: DDIM-only
 * keys (clip_sample, set_alpha_to_one) are ignored like diffusers ignores them; DPM keys, if
 * present, must have the values we implement. (lower_order_final / euler_at_final need no check:
 * with final_sigmas_type "zero" the last step is first order either way, and order 2 has no other
 * lower-order case.)
 */
export function dpmSettings(config: SchedulerConfig): CommonSettings {
  const common = commonSettings(config, 'linspace');
  const expected: Record<string, unknown> = {
    algorithm_type: 'dpmsolver++',
    solver_order: 2,
    solver_type: 'midpoint',
    final_sigmas_type: 'zero',
    use_karras_sigmas: false,
    use_exponential_sigmas: false,
    use_beta_sigmas: false,
    use_lu_lambdas: false,
    use_flow_sigmas: false,
    variance_type: null,
  };
  for (const [key, value] of Object.entries(expected)) {
    if (config[key] === undefined || config[key] === value) continue;
    const got = JSON.stringify(config[key]);
    throw new SchedulerConfigError(key, `${got} is not supported (only ${JSON.stringify(value)})`);
  }
  const clipped = config.lambda_min_clipped;
  if (clipped !== undefined && clipped !== null && clipped !== -Infinity && clipped !== '-inf') {
    throw new SchedulerConfigError('lambda_min_clipped', 'clipping λ is not supported');
  }
  return common;
}
