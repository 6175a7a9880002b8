import { describe, expect, it } from 'vitest';
import { LIMITS } from '../../../shared/engine/generate-params.ts';
import { createScheduler } from './create-scheduler.ts';
import type { SchedulerName } from './scheduler.ts';

// cvssp/audioldm2 scheduler/scheduler_config.json as published (diffusers 0.20.0.dev0)
const HUB = {
  _class_name: 'DDIMScheduler',
  _diffusers_version: '0.20.0.dev0',
  beta_end: 0.0195,
  beta_schedule: 'scaled_linear',
  beta_start: 0.0015,
  clip_sample: false,
  clip_sample_range: 1.0,
  dynamic_thresholding_ratio: 0.995,
  num_train_timesteps: 1000,
  prediction_type: 'epsilon',
  rescale_betas_zero_snr: false,
  sample_max_value: 1.0,
  set_alpha_to_one: false,
  steps_offset: 1,
  thresholding: false,
  timestep_spacing: 'leading',
  trained_betas: null,
};

describe('createScheduler', () => {
  it('takes every step count the request validator accepts, with either sampler (LIMITS.maxSteps)', () => {
    for (const name of ['ddim', 'dpmpp'] as const) {
      const scheduler = createScheduler(name, HUB);
      for (const steps of [LIMITS.minSteps, LIMITS.maxSteps]) {
        scheduler.setTimesteps(steps);
        expect(scheduler.timesteps).toHaveLength(steps);
      }
    }
  });

  it('builds both samplers from the same hub (DDIM) config', () => {
    const ddim = createScheduler('ddim', HUB);
    const dpm = createScheduler('dpmpp', HUB);
    expect(ddim.name).toBe('ddim');
    expect(dpm.name).toBe('dpmpp');
    ddim.setTimesteps(20);
    dpm.setTimesteps(20);
    expect(ddim.timesteps[0]).toBe(951);
    expect(dpm.timesteps[0]).toBe(941);
    for (const s of [ddim, dpm]) {
      expect(s.initNoiseSigma).toBe(1);
      const x = Float32Array.of(0.5);
      expect(s.scaleModelInput(x, s.timesteps[0])).toBe(x);
    }
  });

  it('DPM inherits DDIM’s "leading" default when the JSON predates timestep_spacing', () => {
    const { timestep_spacing: _omit, ...older } = HUB;
    const dpm = createScheduler('dpmpp', older);
    dpm.setTimesteps(20);
    expect(dpm.timesteps[0]).toBe(941);
  });

  it('names the offending key for unsupported values', () => {
    expect(() => createScheduler('ddim', { ...HUB, prediction_type: 'v_prediction' })).toThrow(/prediction_type/);
    expect(() => createScheduler('dpmpp', { ...HUB, beta_schedule: 'squaredcos_cap_v2' })).toThrow(/beta_schedule/);
    expect(() => createScheduler('ddim', { ...HUB, timestep_spacing: 'karras' })).toThrow(/timestep_spacing/);
    expect(() => createScheduler('lms' as SchedulerName, HUB)).toThrow(/Unknown scheduler "lms"/);
  });
});
