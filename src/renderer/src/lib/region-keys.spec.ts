import { describe, expect, it } from 'vitest';
import { regionWithEdge } from './region-keys.ts';

describe('regions from the keyboard (I / O at the play cursor)', () => {
  it('I sets the in point, to the end of the take or the current out point', () => {
    expect(regionWithEdge(null, 'in', 0.5, 2.5)).toEqual({ start: 0.5, end: 2.5 });
    expect(regionWithEdge({ start: 0.2, end: 1.5 }, 'in', 0.5, 2.5)).toEqual({ start: 0.5, end: 1.5 });
    // Past the current out point: from the cursor to the end.
    expect(regionWithEdge({ start: 0.2, end: 1.5 }, 'in', 2, 2.5)).toEqual({ start: 2, end: 2.5 });
  });

  it('O sets the out point, from the start of the take or the current in point', () => {
    expect(regionWithEdge(null, 'out', 1.25, 2.5)).toEqual({ start: 0, end: 1.25 });
    expect(regionWithEdge({ start: 0.5, end: 2.5 }, 'out', 1.25, 2.5)).toEqual({ start: 0.5, end: 1.25 });
    expect(regionWithEdge({ start: 1.5, end: 2.5 }, 'out', 1, 2.5)).toEqual({ start: 0, end: 1 });
  });

  it('clamps the cursor to the take and gives no region for nothing', () => {
    expect(regionWithEdge(null, 'in', 9, 2.5)).toBeNull();
    expect(regionWithEdge(null, 'out', 0, 2.5)).toBeNull();
    expect(regionWithEdge(null, 'in', -1, 2.5)).toEqual({ start: 0, end: 2.5 });
  });
});
