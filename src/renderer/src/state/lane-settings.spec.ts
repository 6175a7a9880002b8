import { describe, expect, it } from 'vitest';
import { LIMITS } from '../../../shared/engine/generate-params.ts';
import { DEFAULT_LANE } from '../lib/transform-request.ts';
import { LaneSettingsState } from './lane-settings.svelte.ts';

describe('LaneSettingsState', () => {
  it('starts from the lane defaults with nothing to correct', () => {
    const lane = new LaneSettingsState();
    expect(lane.values()).toEqual(DEFAULT_LANE);
    expect(lane.problems).toEqual({});
    expect(lane.size).toEqual({ strengths: 3, seeds: 4 });
  });

  it('holds back only the operations that read a field out of range', () => {
    const lane = new LaneSettingsState();
    lane.loopSeam = 0;
    expect(lane.problemFor('loop')).toMatch(/^Loop seam must be a number from /);
    expect(['continue', 'vary', 'inpaint'].map((op) => lane.problemFor(op as 'continue'))).toEqual([null, null, null]);
    lane.steps = 0;
    expect(lane.problemFor('vary')).toBe(`Steps must be a whole number from 1 to ${LIMITS.maxSteps} (not 0).`);
    lane.steps = 20;
    lane.loopSeam = 1;
    expect(lane.problems).toEqual({});
  });

  it('sizes the grid as the strengths change, and refuses one past the take limit', () => {
    const lane = new LaneSettingsState();
    lane.grid = true;
    lane.gridStrengths = '0.2 0.4';
    lane.gridSeeds = 3;
    expect(lane.size).toEqual({ strengths: 2, seeds: 3 });
    lane.gridSeeds = 16;
    lane.gridStrengths = '0.1, 0.2, 0.3, 0.4, 0.5';
    expect(lane.problemFor('vary')).toMatch(/^A grid makes at most \d+ takes \(not 5 × 16 = 80\)\.$/);
    lane.gridStrengths = '0.2, lots';
    expect(lane.size).toBeNull();
    expect(lane.problems.gridSeeds).toBeTruthy();
  });
});
