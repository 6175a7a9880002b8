import { describe, expect, it } from 'vitest';
import { InvalidRequestError } from '../../../shared/errors.ts';
import type { GenerateRequest } from '../../../shared/studio/studio-api.ts';
import { DEFAULT_LANE, gridSize, laneProblems, parseStrengths, rerunRequest, transformRequest } from './transform-request.ts';
import { PARAMS, plainTake, transformTake } from './transform-takes.fixture.ts';

const editor: GenerateRequest = { prompt: 'rain', negativePrompt: 'hiss', seconds: 10, steps: 3, scheduler: 'dpmpp', guidance: 2.5, takes: 2 };

describe('lane → TransformRequest', () => {
  it('continues with the lane’s own steps, guidance, takes and seconds, on DDIM; only the prompt comes from the editor', () => {
    const lane = { ...DEFAULT_LANE, continueSeconds: 1, crossfadeMs: 80, steps: 3, guidance: 2.5, takes: 2 };
    expect(transformRequest('continue', 'ref-1', lane, editor, null)).toEqual({
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

  it('ignores the editor’s takes, steps and seed (issue 13: they are not on screen beside the lane)', () => {
    const wholeEditor: GenerateRequest = { ...editor, seed: 7, takes: 4, steps: 99 };
    const request = transformRequest('continue', 'r', DEFAULT_LANE, wholeEditor, null);
    expect(request).toMatchObject({ takes: 1, steps: DEFAULT_LANE.steps, guidance: DEFAULT_LANE.guidance });
    expect(request.seed).toBeUndefined();
  });

  it('varies with one strength × the lane takes, or a grid of strengths × seeds', () => {
    const one = transformRequest('vary', 'r', { ...DEFAULT_LANE, takes: 2, seed: '9' }, editor, null);
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
    expect(gridSize({ ...DEFAULT_LANE, gridSeeds: 0 })).toBeNull();
  });

  it('names each out-of-range lane field with its range, and never clamps it', () => {
    expect(laneProblems(DEFAULT_LANE)).toEqual({});
    const problems = laneProblems({ ...DEFAULT_LANE, takes: 1000, seed: '-1', continueSeconds: 999, steps: 0 });
    expect(problems.takes).toBe('Takes must be a whole number from 1 to 16 (not 1000).');
    expect(problems.seed).toBe(`Seed must be a whole number from 0 to ${Number.MAX_SAFE_INTEGER} (not -1).`);
    expect(problems.continueSeconds).toBe('Continue length must be a number from 0.5 to 60 (not 999).');
    expect(problems.steps).toBe('Steps must be a whole number from 1 to 999 (not 0).');
    expect(transformRequest('continue', 'r', { ...DEFAULT_LANE, takes: 1000 }, editor, null).takes).toBe(1000);
    // A grid over main's 32-take limit is refused before it is sent.
    expect(laneProblems({ ...DEFAULT_LANE, grid: true, gridStrengths: '0.1 0.2 0.3', gridSeeds: 16 }).gridSeeds).toBe('A grid makes at most 32 takes (not 3 × 16 = 48).');
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
