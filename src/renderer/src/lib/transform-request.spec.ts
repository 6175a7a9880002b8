import { describe, expect, it } from 'vitest';
import { InvalidRequestError } from '../../../shared/errors.ts';
import type { GenerateRequest } from '../../../shared/studio/studio-api.ts';
import { DEFAULT_LANE, gridSize, parseStrengths, rerunRequest, transformRequest } from './transform-request.ts';
import { PARAMS, plainTake, transformTake } from './transform-takes.fixture.ts';

const editor: GenerateRequest = { prompt: 'rain', negativePrompt: 'hiss', seconds: 10, steps: 3, scheduler: 'dpmpp', guidance: 2.5, takes: 2 };

describe('lane → TransformRequest', () => {
  it('continues with the lane seconds and crossfade, on DDIM, with the editor prompt and steps', () => {
    expect(transformRequest('continue', 'ref-1', { ...DEFAULT_LANE, continueSeconds: 1, crossfadeMs: 80 }, editor, null)).toEqual({
      referenceId: 'ref-1',
      op: 'continue',
      prompt: 'rain',
      negativePrompt: 'hiss',
      steps: 3,
      guidance: 2.5,
      scheduler: 'ddim',
      takes: 2,
      seconds: 1,
      crossfadeMs: 80,
    });
  });

  it('varies with one strength × the editor takes, or a grid of strengths × seeds', () => {
    const one = transformRequest('vary', 'r', DEFAULT_LANE, { ...editor, seed: 9 }, null);
    expect(one).toMatchObject({ op: 'vary', scheduler: 'dpmpp', strengths: [0.5], takes: 2, seed: 9 });
    const grid = transformRequest('vary', 'r', { ...DEFAULT_LANE, grid: true, gridStrengths: '0.25, 0.5 0.75', gridSeeds: 2 }, editor, null);
    expect(grid).toMatchObject({ strengths: [0.25, 0.5, 0.75], takes: 2 });
    expect(grid.seed).toBeUndefined();
  });

  it('regenerates the selected region, and refuses without one', () => {
    expect(transformRequest('inpaint', 'r', DEFAULT_LANE, editor, { start: 0.5, end: 1.25 })).toMatchObject({ op: 'inpaint', from: 0.5, to: 1.25, crossfadeMs: 50, scheduler: 'ddim' });
    expect(() => transformRequest('inpaint', 'r', DEFAULT_LANE, editor, null)).toThrow(InvalidRequestError);
  });

  it('loops with the seam length', () => {
    expect(transformRequest('loop', 'r', { ...DEFAULT_LANE, loopSeam: 0.5 }, editor, null)).toMatchObject({ op: 'loop', seamSeconds: 0.5, crossfadeMs: 50 });
  });

  it('reads the strengths text, and names a typo', () => {
    expect(parseStrengths('0.25,0.5; 1')).toEqual([0.25, 0.5, 1]);
    expect(() => parseStrengths('0.2, lots')).toThrow(/“lots” is not a strength/);
    expect(() => parseStrengths('1.5')).toThrow(/from 0 to 1/);
    expect(() => parseStrengths('  ')).toThrow(InvalidRequestError);
    expect(() => parseStrengths('0.1 0.2 0.3 0.4 0.5 0.6 0.7 0.8 0.9')).toThrow(/at most 8/);
    expect(gridSize({ ...DEFAULT_LANE, gridSeeds: 4 })).toEqual({ strengths: 3, seeds: 4 });
    expect(gridSize({ ...DEFAULT_LANE, gridStrengths: 'x' })).toBeNull();
  });
});

describe('R: the same request with a new seed', () => {
  it('regenerates a text-to-audio take through generate', () => {
    const rerun = rerunRequest(plainTake('t', 'j'));
    expect(rerun.kind).toBe('generate');
    expect(rerun.request).not.toHaveProperty('seed');
    expect(rerun.request).toMatchObject({ prompt: 'glass', seconds: 2 });
  });

  it('re-runs a transform take on its reference, the whole grid included', () => {
    const rerun = rerunRequest(transformTake('g', 'j', PARAMS.grid, 101, 0.5));
    const { seed: _seed, ...rest } = PARAMS.grid;
    expect(rerun).toEqual({ kind: 'transform', request: { referenceId: 'ref-1', ...rest } });
    expect(rerun.request).not.toHaveProperty('seed');
  });

  it('explains when the reference is gone', () => {
    const take = transformTake('c', 'j', PARAMS.continue);
    delete take.lineage!.reference.referenceId;
    expect(() => rerunRequest(take)).toThrow(/reference is not in the studio/);
  });
});
