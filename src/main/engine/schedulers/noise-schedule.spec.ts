import { describe, expect, it } from 'vitest';
import { noiseSchedule } from './noise-schedule.ts';

// cvssp/audioldm2 scheduler/scheduler_config.json (docs/engine-spec.md §3.1)
const AUDIOLDM2 = { num_train_timesteps: 1000, beta_start: 0.0015, beta_end: 0.0195, beta_schedule: 'scaled_linear' };

const rel = (a: number, b: number): number => Math.abs(a - b) / Math.abs(b);

describe('noiseSchedule (docs/engine-spec.md §8.1)', () => {
  const s = noiseSchedule(AUDIOLDM2);

  it('β in float64', () => {
    expect(s.betas.length).toBe(1000);
    expect(rel(s.betas[0], 0.0015)).toBeLessThan(1e-15);
    expect(rel(s.betas[1], 0.0015078346820481532)).toBeLessThan(1e-15);
    expect(rel(s.betas[999], 0.0195)).toBeLessThan(1e-15);
  });

  it('ᾱ in float64', () => {
    const want: Array<[number, number]> = [
      [0, 0.9985],
      [1, 0.9969944271],
      [2, 0.9954832928],
      [500, 0.1149220009],
      [999, 1.423039752e-4],
    ];
    for (const [i, v] of want) expect(rel(s.alphasCumprod[i], v)).toBeLessThan(1e-9);
    expect(Math.sqrt(s.alphasCumprod[999])).toBeCloseTo(0.011929122985, 11);
    expect(Math.sqrt(1 - s.alphasCumprod[999])).toBeCloseTo(0.999928845481, 11);
  });

  it('ᾱ in float32 is bit-identical to the spec’s diffusers values', () => {
    const want: Array<[number, number]> = [
      [0, 0.9984999895],
      [1, 0.9969944358],
      [2, 0.9954832792],
      [500, 0.1149219275],
      [999, 1.423039212e-4],
    ];
    for (const [i, v] of want) expect(s.alphasCumprod32[i]).toBe(Math.fround(v));
  });

  it('linear schedule is np.linspace(beta_start, beta_end) (diffusers defaults 1e-4 → 0.02)', () => {
    const l = noiseSchedule({ num_train_timesteps: 1000, beta_start: 0.0001, beta_end: 0.02, beta_schedule: 'linear' });
    expect(l.betas[0]).toBe(0.0001);
    expect(l.betas[999]).toBe(0.02);
    expect(l.betas[1]).toBeCloseTo(0.0001 + 0.0199 / 999, 17);
    expect(l.betas32[999]).toBe(Math.fround(0.02));
    expect(rel(l.alphasCumprod[0], 0.9999)).toBeLessThan(1e-15);
  });

  it('rejects unknown schedules naming the key', () => {
    expect(() => noiseSchedule({ ...AUDIOLDM2, beta_schedule: 'squaredcos_cap_v2' })).toThrow(/beta_schedule/);
    expect(() => noiseSchedule({ ...AUDIOLDM2, num_train_timesteps: 1.5 })).toThrow(/num_train_timesteps/);
  });
});
