import { describe, expect, it } from 'vitest';
import { DdimScheduler } from './ddim-scheduler.ts';
import { SchedulerConfigError } from './scheduler-config.ts';
import { EPS_MODELS, rel, runSynthetic } from './synthetic-run.fixture.ts';

// cvssp/audioldm2 scheduler/scheduler_config.json (docs/engine-spec.md §3.1)
const HUB = {
  num_train_timesteps: 1000,
  beta_start: 0.0015,
  beta_end: 0.0195,
  beta_schedule: 'scaled_linear',
  steps_offset: 1,
  set_alpha_to_one: false,
  clip_sample: false,
  thresholding: false,
  prediction_type: 'epsilon',
  timestep_spacing: 'leading',
};

describe('DdimScheduler timesteps (docs/engine-spec.md §8.2)', () => {
  const s = new DdimScheduler(HUB);
  const grid = (n: number): number[] => {
    s.setTimesteps(n);
    return [...s.timesteps];
  };
  const range = (from: number, step: number, count: number): number[] => Array.from({ length: count }, (_, k) => from - k * step);

  it('leading spacing with steps_offset 1', () => {
    expect(s.timesteps).toEqual([]);
    expect(grid(1)).toEqual([1]);
    expect(grid(2)).toEqual([501, 1]);
    expect(grid(3)).toEqual([667, 334, 1]);
    expect(grid(10)).toEqual([901, 801, 701, 601, 501, 401, 301, 201, 101, 1]);
    expect(grid(20)).toEqual(range(951, 50, 20));
    expect(grid(25)).toEqual([961, 921, 881, 841, 801, 761, 721, 681, 641, 601, 561, 521, 481, 441, 401, 361, 321, 281, 241, 201, 161, 121, 81, 41, 1]);
    expect(grid(50)).toEqual(range(981, 20, 50));
    expect(grid(100)).toEqual(range(991, 10, 100));
    expect(grid(200)).toEqual(range(996, 5, 200));
  });

  it('trailing and linspace spacings match NumPy', () => {
    const trailing = new DdimScheduler({ ...HUB, timestep_spacing: 'trailing' });
    trailing.setTimesteps(7);
    expect(trailing.timesteps).toEqual([999, 856, 713, 570, 428, 285, 142]);
    trailing.setTimesteps(61); // NumPy would give 62 entries ending at −1
    expect(trailing.timesteps.length).toBe(61);
    expect(trailing.timesteps[60]).toBe(15);
    const lin = new DdimScheduler({ ...HUB, timestep_spacing: 'linspace' });
    lin.setTimesteps(3);
    expect(lin.timesteps).toEqual([999, 500, 0]); // 499.5 rounds half to even
    lin.setTimesteps(6);
    expect(lin.timesteps).toEqual([999, 799, 599, 400, 200, 0]);
  });

  it('rejects step counts outside 1..1000', () => {
    expect(() => s.setTimesteps(0)).toThrow(RangeError);
    expect(() => s.setTimesteps(1001)).toThrow(/1\.\.1000/);
    expect(() => s.setTimesteps(2.5)).toThrow(RangeError);
  });
});

describe('DdimScheduler step', () => {
  it('DDIM-10 coefficients (docs/engine-spec.md §8.2)', () => {
    const s = new DdimScheduler(HUB);
    s.setTimesteps(10);
    const c901 = s.coefficients(901);
    expect(c901.prevTimestep).toBe(801);
    expect(rel(c901.alphaProdT, 8.57844944e-4)).toBeLessThan(1e-6);
    expect(rel(c901.alphaProdPrev, 4.120078003e-3)).toBeLessThan(1e-6);
    expect(rel(s.coefficients(801).alphaProdPrev, 1.548292469e-2)).toBeLessThan(1e-6);
    const c1 = s.coefficients(1);
    expect(c1.prevTimestep).toBe(-99);
    expect(rel(c1.alphaProdPrev, 0.9985)).toBeLessThan(1e-6); // set_alpha_to_one false → ᾱ[0]
    expect(rel(c1.alphaProdT, 0.9969944271)).toBeLessThan(1e-6);
  });

  it('set_alpha_to_one true ends on ā_p = 1', () => {
    const s = new DdimScheduler({ ...HUB, set_alpha_to_one: true });
    s.setTimesteps(10);
    expect(s.coefficients(1).alphaProdPrev).toBe(1);
  });

  // docs/engine-spec.md §8.4: x_T = 1, η = 0, no CFG; final value after all steps
  const TABLE: Array<[number, number, number, number]> = [
    [10, 34.116905822, 5.225218086, -1.872702487],
    [20, 53.060538286, 5.98922811, -2.484490925],
    [50, 70.314620329, 6.410278047, -2.835521687],
    [200, 81.330912984, 6.601100162, -2.997118111],
  ];

  it.each(TABLE)('synthetic run, %i steps, scalar sample', (n, zero, half, halfPlusT) => {
    const s = new DdimScheduler(HUB);
    expect(rel(runSynthetic(s, n, EPS_MODELS.zero, Float32Array.of(1))[0], zero)).toBeLessThan(1e-4);
    expect(rel(runSynthetic(s, n, EPS_MODELS.half, Float32Array.of(1))[0], half)).toBeLessThan(1e-4);
    expect(rel(runSynthetic(s, n, EPS_MODELS.halfPlusT, Float32Array.of(1))[0], halfPlusT)).toBeLessThan(1e-4);
    // ε = 0 closed form: √(ᾱ[0] / ᾱ[t_first])
    const ac = s.schedule.alphasCumprod;
    expect(rel(zero, Math.sqrt(ac[0] / ac[s.timesteps[0]]))).toBeLessThan(1e-6);
  });

  it.each(TABLE)('synthetic run, %i steps, elementwise on a length-3 sample', (n, zero, half, halfPlusT) => {
    // The run is linear in x_T for ε = 0 and ε = x/2, and affine for ε = x/2 + t/1000, so each
    // element must land on x·R + offset computed from the scalar table.
    const s = new DdimScheduler(HUB);
    const xT = Float32Array.of(1, -2, 0.5);
    const runs = {
      zero: runSynthetic(s, n, EPS_MODELS.zero, xT),
      half: runSynthetic(s, n, EPS_MODELS.half, xT),
      halfPlusT: runSynthetic(s, n, EPS_MODELS.halfPlusT, xT),
    };
    xT.forEach((x, i) => {
      expect(rel(runs.zero[i], x * zero)).toBeLessThan(1e-4);
      expect(rel(runs.half[i], x * half)).toBeLessThan(1e-4);
      expect(rel(runs.halfPlusT[i], x * half + (halfPlusT - half))).toBeLessThan(1e-4);
    });
  });

  it('returns a new array and leaves its inputs alone', () => {
    const s = new DdimScheduler(HUB);
    s.setTimesteps(10);
    const x = Float32Array.of(1, 2);
    const eps = Float32Array.of(0.1, 0.2);
    const out = s.step(eps, 901, x);
    expect(out).not.toBe(x);
    expect(Array.from(x)).toEqual([1, 2]);
    expect(s.scaleModelInput(x, 901)).toBe(x);
    expect(s.initNoiseSigma).toBe(1);
  });

  it('η = 1 adds σ·z with σ from DDIM eq. 16', () => {
    const s = new DdimScheduler(HUB, { eta: 1 });
    s.setTimesteps(10);
    // float64 reference (NumPy) on diffusers' float32 ᾱ: σ = 0.888371475012858
    const out = s.step(Float32Array.of(0.3), 901, Float32Array.of(1), Float32Array.of(-0.7));
    expect(rel(out[0], 1.048880915653521)).toBeLessThan(1e-6);
    expect(() => s.step(Float32Array.of(0.3), 901, Float32Array.of(1))).toThrow(/noise/);
    expect(() => new DdimScheduler(HUB, { eta: 2 })).toThrow(/eta/);
  });

  it('addNoise is q(x_t | x0) with the float32 ᾱ', () => {
    const s = new DdimScheduler(HUB);
    const out = s.addNoise(Float32Array.of(1, 0, 2), Float32Array.of(0, 1, 0), 999);
    expect(out[0]).toBeCloseTo(0.011929120720567635, 7);
    expect(out[1]).toBeCloseTo(0.9999288455079361, 7);
    expect(out[2]).toBeCloseTo(2 * 0.011929120720567635, 7);
    expect(() => s.addNoise(Float32Array.of(1), Float32Array.of(1), 1000)).toThrow(RangeError);
  });

  it('guards misuse', () => {
    const s = new DdimScheduler(HUB);
    expect(() => s.step(Float32Array.of(0), 901, Float32Array.of(1))).toThrow(/setTimesteps/);
    expect(() => s.setBeginIndex(0)).toThrow(/setTimesteps/);
    s.setTimesteps(10);
    expect(() => s.step(Float32Array.of(0, 0), 901, Float32Array.of(1))).toThrow(/2 values/);
    expect(() => s.step(Float32Array.of(0), 900.5, Float32Array.of(1))).toThrow(RangeError);
    expect(() => s.setBeginIndex(10)).toThrow(RangeError);
    s.setBeginIndex(4);
  });
});

describe('DdimScheduler config checks', () => {
  const cases: Array<[string, Record<string, unknown>]> = [
    ['prediction_type', { prediction_type: 'v_prediction' }],
    ['thresholding', { thresholding: true }],
    ['clip_sample', { clip_sample: true }],
    ['clip_sample', { clip_sample: undefined }],
    ['timestep_spacing', { timestep_spacing: 'karras' }],
    ['steps_offset', { steps_offset: -1 }],
    ['trained_betas', { trained_betas: [0.1, 0.2] }],
    ['rescale_betas_zero_snr', { rescale_betas_zero_snr: true }],
  ];
  it.each(cases)('rejects unsupported %s', (key, patch) => {
    let error: unknown;
    try {
      new DdimScheduler({ ...HUB, ...patch });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SchedulerConfigError);
    expect((error as SchedulerConfigError).key).toBe(key);
    expect((error as Error).message).toContain(key);
  });

  it('rejects an unknown beta_schedule', () => {
    expect(() => new DdimScheduler({ ...HUB, beta_schedule: 'sigmoid' })).toThrow(/beta_schedule/);
  });
});
