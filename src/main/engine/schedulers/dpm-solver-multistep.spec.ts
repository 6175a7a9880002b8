import { describe, expect, it } from 'vitest';
import { DpmSolverMultistepScheduler, sigmaFromAlphaCumprod } from './dpm-solver-multistep.ts';
import { SchedulerConfigError } from './scheduler-config.ts';
import { EPS_MODELS, rel, runSynthetic } from './synthetic-run.fixture.ts';

// cvssp/audioldm2 scheduler/scheduler_config.json — the DDIM config DPM is built from (docs/engine-spec.md §3.3)
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

describe('DpmSolverMultistepScheduler timesteps and sigmas (docs/engine-spec.md §8.3)', () => {
  const s = new DpmSolverMultistepScheduler(HUB);

  it('leading spacing on an n+1 grid', () => {
    s.setTimesteps(10);
    expect(s.timesteps).toEqual([901, 811, 721, 631, 541, 451, 361, 271, 181, 91]);
    s.setTimesteps(20);
    expect(s.timesteps).toEqual([941, 894, 847, 800, 753, 706, 659, 612, 565, 518, 471, 424, 377, 330, 283, 236, 189, 142, 95, 48]);
    s.setTimesteps(25);
    expect(s.timesteps).toEqual([951, 913, 875, 837, 799, 761, 723, 685, 647, 609, 571, 533, 495, 457, 419, 381, 343, 305, 267, 229, 191, 153, 115, 77, 39]);
    s.setTimesteps(50);
    expect(s.timesteps).toEqual(Array.from({ length: 50 }, (_, k) => 951 - 19 * k));
  });

  it('its own default spacing would be linspace (not the pipeline behaviour)', () => {
    const { timestep_spacing: _omit, ...noSpacing } = HUB;
    const d = new DpmSolverMultistepScheduler(noSpacing);
    d.setTimesteps(20);
    expect(d.timesteps[0]).toBe(999);
    expect(d.timesteps[19]).toBe(50);
    d.setTimesteps(7);
    expect(d.timesteps).toEqual([999, 856, 714, 571, 428, 285, 143]);
  });

  it('sigmas n=10 and n=20 end in 0', () => {
    s.setTimesteps(10);
    const s10 = s.sigmas;
    expect(s10.length).toBe(11);
    [34.1278746864, 16.7252850632, 9.0340725923].forEach((v, i) => expect(rel(s10[i], v)).toBeLessThan(1e-6));
    expect(rel(s10[8], 0.7253397647)).toBeLessThan(1e-6);
    expect(rel(s10[9], 0.4353046861)).toBeLessThan(1e-6);
    expect(s10[10]).toBe(0);
    s.setTimesteps(20);
    const s20 = s.sigmas;
    [48.468376926, 32.1663892306, 21.9758532408].forEach((v, i) => expect(rel(s20[i], v)).toBeLessThan(1e-6));
    expect(rel(s20[18], 0.4478803811)).toBeLessThan(1e-6);
    expect(rel(s20[19], 0.2944760575)).toBeLessThan(1e-6);
    expect(s20[20]).toBe(0);
  });

  it('σ(t) is computed like diffusers’ float32 tensors', () => {
    // NumPy float32: sqrt((1 − ᾱ[901]) / ᾱ[901]) = 34.1278839111…
    expect(sigmaFromAlphaCumprod(s.schedule.alphasCumprod32[901])).toBe(Math.fround(34.1278839111));
  });
});

describe('DpmSolverMultistepScheduler step (docs/engine-spec.md §8.4)', () => {
  const TABLE: Array<[number, number, number, number]> = [
    [10, 34.142522324, 4.200455905, -0.948390147],
    [20, 48.478691833, 4.927678024, -1.507919769],
    [25, 53.100378516, 5.149468433, -1.696394739],
    [50, 53.100378516, 5.143009075, -1.672837445],
  ];

  it.each(TABLE)('synthetic run, %i steps, scalar sample', (n, zero, half, halfPlusT) => {
    const s = new DpmSolverMultistepScheduler(HUB);
    expect(rel(runSynthetic(s, n, EPS_MODELS.zero, Float32Array.of(1))[0], zero)).toBeLessThan(1e-4);
    expect(rel(runSynthetic(s, n, EPS_MODELS.half, Float32Array.of(1))[0], half)).toBeLessThan(1e-4);
    expect(rel(runSynthetic(s, n, EPS_MODELS.halfPlusT, Float32Array.of(1))[0], halfPlusT)).toBeLessThan(1e-4);
    // ε = 0 closed form: √(σ(t_first)² + 1)
    const sigma0 = s.sigmas[0];
    expect(rel(zero, Math.sqrt(sigma0 * sigma0 + 1))).toBeLessThan(1e-6);
  });

  it.each(TABLE)('synthetic run, %i steps, elementwise on a length-3 sample', (n, zero, half, halfPlusT) => {
    const s = new DpmSolverMultistepScheduler(HUB);
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

  it('the last step returns x̂0 exactly (final sigma 0)', () => {
    const s = new DpmSolverMultistepScheduler(HUB);
    s.setTimesteps(1);
    expect(s.timesteps).toEqual([501]);
    const eps = 0.25;
    const [out] = s.step(Float32Array.of(eps), 501, Float32Array.of(1));
    const sig = s.sigmas[0];
    const alpha = 1 / Math.sqrt(sig * sig + 1);
    expect(rel(out, (1 - sig * alpha * eps) / alpha)).toBeLessThan(1e-6);
  });

  it('setBeginIndex starts mid-schedule with a first-order step (SDEdit)', () => {
    const s = new DpmSolverMultistepScheduler(HUB);
    s.setTimesteps(10);
    s.setBeginIndex(5);
    let x: Float32Array = Float32Array.of(1);
    for (const t of s.timesteps.slice(5)) x = s.step(Float32Array.of(0), t, x);
    // ε = 0: every step scales x by α_t/α_s, so the run gives √(σ[5]² + 1)
    const sig5 = s.sigmas[5];
    expect(rel(x[0], Math.sqrt(sig5 * sig5 + 1))).toBeLessThan(1e-6);

    // Without a begin index the first timestep locates itself (diffusers index_for_timestep).
    const u = new DpmSolverMultistepScheduler(HUB);
    u.setTimesteps(10);
    let y: Float32Array = Float32Array.of(1);
    for (const t of u.timesteps.slice(5)) y = u.step(Float32Array.of(0.5), t, y);
    s.setTimesteps(10);
    s.setBeginIndex(5);
    let z: Float32Array = Float32Array.of(1);
    for (const t of s.timesteps.slice(5)) z = s.step(Float32Array.of(0.5), t, z);
    expect(z[0]).toBe(y[0]);
  });

  it('addNoise uses √ᾱ_t and √(1−ᾱ_t)', () => {
    const s = new DpmSolverMultistepScheduler(HUB);
    const out = s.addNoise(Float32Array.of(1, 0), Float32Array.of(0, 1), 500);
    expect(out[0]).toBeCloseTo(0.33900136792067287, 7);
    expect(out[1]).toBeCloseTo(Math.sqrt(1 - 0.1149219275), 7);
  });

  it('guards misuse', () => {
    const s = new DpmSolverMultistepScheduler(HUB);
    expect(() => s.step(Float32Array.of(0), 901, Float32Array.of(1))).toThrow(/setTimesteps/);
    s.setTimesteps(2);
    let x: Float32Array = Float32Array.of(1);
    for (const t of s.timesteps) x = s.step(Float32Array.of(0), t, x);
    expect(() => s.step(Float32Array.of(0), 1, x)).toThrow(/all steps/);
    s.setTimesteps(10);
    s.step(Float32Array.of(0), 901, x);
    expect(() => s.step(Float32Array.of(0), 901, x)).toThrow(/step 1 expects timestep 811, got 901/);
    expect(() => s.setTimesteps(1000)).toThrow(RangeError); // leading needs T // (n+1) ≥ 1
    expect(() => s.setBeginIndex(10)).toThrow(RangeError);
  });
});

describe('DpmSolverMultistepScheduler config checks', () => {
  it('ignores DDIM-only keys like diffusers from_config does', () => {
    const s = new DpmSolverMultistepScheduler({ ...HUB, clip_sample: true, set_alpha_to_one: true });
    s.setTimesteps(10);
    expect(s.timesteps[0]).toBe(901);
  });

  const cases: Array<[string, Record<string, unknown>]> = [
    ['prediction_type', { prediction_type: 'sample' }],
    ['thresholding', { thresholding: true }],
    ['timestep_spacing', { timestep_spacing: 'karras' }],
    ['algorithm_type', { algorithm_type: 'sde-dpmsolver++' }],
    ['solver_order', { solver_order: 3 }],
    ['solver_type', { solver_type: 'heun' }],
    ['use_karras_sigmas', { use_karras_sigmas: true }],
    ['final_sigmas_type', { final_sigmas_type: 'sigma_min' }],
    ['variance_type', { variance_type: 'learned_range' }],
  ];
  it.each(cases)('rejects unsupported %s', (key, patch) => {
    expect(() => new DpmSolverMultistepScheduler({ ...HUB, ...patch })).toThrow(SchedulerConfigError);
    expect(() => new DpmSolverMultistepScheduler({ ...HUB, ...patch })).toThrow(key);
  });
});
