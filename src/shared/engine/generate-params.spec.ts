import { describe, expect, it } from 'vitest';
import { InvalidRequestError } from '../errors.ts';
import { DEFAULT_GENERATE, validateDevice, validateGenerateParams, validateSeed } from './generate-params.ts';

const seed = () => 42;

function fieldOf(input: unknown): string {
  try {
    validateGenerateParams(input, seed);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidRequestError);
    return (error as InvalidRequestError).field;
  }
  throw new Error('expected a validation error');
}

describe('validateGenerateParams', () => {
  it('fills the documented defaults (DPM-Solver++ 25 steps, guidance 3.5, "Low quality.", 10 s)', () => {
    const p = validateGenerateParams({ prompt: 'rain on a tin roof' }, seed);
    expect(p).toEqual({ prompt: 'rain on a tin roof', negativePrompt: 'Low quality.', seconds: 10, steps: 25, scheduler: 'dpmpp', guidance: 3.5, seed: 42, takes: 1 });
    expect(DEFAULT_GENERATE.scheduler).toBe('dpmpp');
  });

  it('accepts numeric strings from the command line', () => {
    const p = validateGenerateParams({ prompt: 'x', seconds: '2.5', steps: '10', guidance: '1', seed: '7', takes: '3', scheduler: 'ddim' }, seed);
    expect([p.seconds, p.steps, p.guidance, p.seed, p.takes, p.scheduler]).toEqual([2.5, 10, 1, 7, 3, 'ddim']);
  });

  it.each([
    [{ prompt: '' }, 'prompt'],
    [{ prompt: '   ' }, 'prompt'],
    [{ prompt: 'x'.repeat(20_001) }, 'prompt'],
    [{ prompt: 'x', steps: 0 }, 'steps'],
    [{ prompt: 'x', steps: 1000 }, 'steps'],
    [{ prompt: 'x', steps: 2.5 }, 'steps'],
    [{ prompt: 'x', guidance: 0.99 }, 'guidance'],
    [{ prompt: 'x', guidance: 'loud' }, 'guidance'],
    [{ prompt: 'x', guidance: Number.NaN }, 'guidance'],
    [{ prompt: 'x', seconds: 0.49 }, 'seconds'],
    [{ prompt: 'x', seconds: 30.01 }, 'seconds'],
    [{ prompt: 'x', seed: -1 }, 'seed'],
    [{ prompt: 'x', seed: 1.5 }, 'seed'],
    [{ prompt: 'x', seed: 'abc' }, 'seed'],
    [{ prompt: 'x', seed: 2 ** 53 }, 'seed'],
    [{ prompt: 'x', takes: 0 }, 'takes'],
    [{ prompt: 'x', takes: 17 }, 'takes'],
    [{ prompt: 'x', scheduler: 'euler' }, 'scheduler'],
    [{ prompt: 'x', extra: 1 }, 'extra'],
    [null, 'request'],
  ])('rejects %j on field %s', (input, field) => {
    expect(fieldOf(input)).toBe(field);
  });

  it('accepts the range limits', () => {
    expect(validateGenerateParams({ prompt: 'x', seconds: 0.5, steps: 1, guidance: 1, takes: 16, seed: 0 }, seed).seconds).toBe(0.5);
    expect(validateGenerateParams({ prompt: 'x', seconds: 30, steps: 999 }, seed).steps).toBe(999);
  });

  it('names the bad value in the message', () => {
    expect(() => validateGenerateParams({ prompt: 'x', steps: 5000 }, seed)).toThrow(/steps must be a whole number from 1 to 999, got 5000/);
  });
});

describe('validateSeed / validateDevice', () => {
  it('takes decimal strings and safe integers only', () => {
    expect(validateSeed('123')).toBe(123);
    expect(validateSeed(0)).toBe(0);
    expect(() => validateSeed('12e3')).toThrow(InvalidRequestError);
  });
  it('knows the devices', () => {
    expect(validateDevice(undefined)).toBe('auto');
    expect(validateDevice('cuda')).toBe('cuda');
    expect(() => validateDevice('tpu')).toThrow(/device must be one of auto, cpu, cuda, dml, coreml, webgpu/);
  });
});
