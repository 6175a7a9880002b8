import { describe, expect, it } from 'vitest';
import { DEFAULT_GENERATE, validateGenerateParams } from '../../../shared/engine/generate-params.ts';
import { PARAMS } from '../lib/transform-takes.fixture.ts';
import { PromptState } from './prompt.svelte.ts';

describe('PromptState', () => {
  it('starts from main’s defaults, and what it sends main accepts unchanged', () => {
    const prompt = new PromptState();
    prompt.prompt = '  glass shattering on concrete ';
    const request = prompt.toRequest();
    expect(request).toEqual({ prompt: 'glass shattering on concrete', negativePrompt: DEFAULT_GENERATE.negativePrompt, seconds: 10, steps: 25, scheduler: 'dpmpp', guidance: 3.5, takes: 1 });
    expect(validateGenerateParams(request, () => 9)).toEqual({ ...request, seed: 9 });
  });

  it('runs nothing for an empty prompt, one job per line in batch mode', () => {
    const prompt = new PromptState();
    prompt.prompt = '  \n ';
    expect(prompt.canGenerate).toBe(false);
    prompt.prompt = 'rain\n\n thunder \n';
    expect(prompt.prompts).toEqual(['rain\n\n thunder']);
    prompt.toggleBatch();
    expect(prompt.toRequests().map((r) => r.prompt)).toEqual(['rain', 'thunder']);
    expect(prompt.toRequest().prompt).toBe('rain');
  });

  it('names each out-of-range field with main’s range, never clamps it, and clears when corrected', () => {
    const prompt = new PromptState();
    prompt.prompt = 'wind';
    prompt.takes = 40;
    prompt.guidance = 0.5;
    expect(prompt.problems).toEqual({
      takes: 'Takes must be a whole number from 1 to 16 (not 40).',
      guidance: 'Guidance must be a number from 1 to 30 (not 0.5).',
    });
    expect(prompt.valid).toBe(false);
    expect(prompt.toRequest()).toMatchObject({ takes: 40, guidance: 0.5 });
    expect(() => validateGenerateParams(prompt.toRequest(), () => 1)).toThrow(/guidance must be from 1 to 30/);
    prompt.takes = 16;
    prompt.guidance = 1;
    expect({ problems: prompt.problems, valid: prompt.valid }).toEqual({ problems: {}, valid: true });
  });

  it('checks and sends the seed only while it is locked, and shows the one main picked', () => {
    const prompt = new PromptState();
    prompt.prompt = 'hum';
    prompt.seed = -3;
    expect(prompt.problems).toEqual({});
    expect('seed' in prompt.toRequest()).toBe(false);
    // main picks the seed of an unlocked run
    prompt.accepted(validateGenerateParams(prompt.toRequest(), () => 1234));
    expect({ seed: prompt.seed, lastSeed: prompt.lastSeed }).toEqual({ seed: 1234, lastSeed: 1234 });
    prompt.toggleSeedLock();
    expect(prompt.toRequest().seed).toBe(1234);
    prompt.accepted({ ...validateGenerateParams(prompt.toRequest(), () => 0), seed: 99 });
    expect({ seed: prompt.seed, lastSeed: prompt.lastSeed }).toEqual({ seed: 1234, lastSeed: 99 });
    prompt.seed = Number.NaN;
    expect(prompt.problems.seed).toMatch(/^Seed must be a whole number from 0 to /);
  });

  it('recalls a take’s recipe with its own seed locked; an audio-to-audio take keeps the length', () => {
    const prompt = new PromptState();
    prompt.seconds = 7;
    prompt.takes = 4;
    prompt.recall(PARAMS.continue, 123);
    expect({ prompt: prompt.prompt, seconds: prompt.seconds, steps: prompt.steps, scheduler: prompt.scheduler, takes: prompt.takes, seed: prompt.seed, locked: prompt.seedLocked }).toEqual({
      prompt: 'rain on a tin roof',
      seconds: 7,
      steps: 10,
      scheduler: 'ddim',
      takes: 1,
      seed: 123,
      locked: true,
    });
    prompt.recall({ prompt: 'glass', negativePrompt: '', seconds: 2, steps: 8, scheduler: 'dpmpp', guidance: 2, seed: 5, takes: 3 }, 6);
    expect(prompt.toRequest()).toEqual({ prompt: 'glass', negativePrompt: '', seconds: 2, steps: 8, scheduler: 'dpmpp', guidance: 2, takes: 1, seed: 6 });
  });
});
