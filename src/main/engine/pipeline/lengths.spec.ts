import { describe, expect, it } from 'vitest';
import { planLengths } from './lengths.ts';

const config = { sampleRate: 16000, hopLength: 160, vaeScaleFactor: 4 };

describe('planLengths (docs/engine-spec.md §8.5)', () => {
  it.each([
    // seconds, mel frames, latent frames, returned samples
    [10.24, 1024, 256, 163840],
    [10.0, 1000, 250, 160000],
    [5.12, 512, 128, 81920],
    [5.0, 500, 125, 80000],
    [2.5, 252, 63, 40000],
    [1.0, 100, 25, 16000],
    [0.29, 28, 7, 4512],
    [0.04, 4, 1, 640],
    [30.0, 3000, 750, 480000],
  ])('%s s → %i mel frames, %i latent frames, %i samples', (seconds, mel, latent, samples) => {
    const plan = planLengths(seconds, config);
    expect(plan.melFrames).toBe(mel);
    expect(plan.latentFrames).toBe(latent);
    expect(plan.outputSamples).toBe(samples);
  });

  it('never pads the latent: the default 10 s runs at 250 frames, as diffusers does', () => {
    expect(Object.keys(planLengths(10, config)).sort()).toEqual(['latentFrames', 'melFrames', 'outputSamples']);
    expect(planLengths(10, config).latentFrames).toBe(250);
  });
});
