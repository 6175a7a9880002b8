import { describe, expect, it } from 'vitest';
import { seamMarkers } from '../../../shared/engine/lineage.ts';
import { describeOp, describeTakeOp, fallbackReferenceName, lineageText, trimNumber } from './transform-text.ts';
import { PARAMS, plainTake, transformTake } from './transform-takes.fixture.ts';

describe('wording an audio-to-audio job', () => {
  it('names the operation and its main setting', () => {
    expect(describeOp(PARAMS.continue)).toBe('continue +5 s');
    expect(describeOp(PARAMS.vary)).toBe('vary 0.5');
    expect(describeOp(PARAMS.grid)).toBe('vary 0.25/0.5/0.75 × 2');
    expect(describeOp(PARAMS.inpaint)).toBe('inpaint 1.0–2.0 s');
    expect(describeOp(PARAMS.loop)).toBe('make loop');
    expect(describeOp(plainTake('t', 'j').params)).toBeNull();
  });

  it("names a variation grid's take by its own strength, not the grid's (issue 13)", () => {
    expect(describeTakeOp(transformTake('g1', 'j', PARAMS.grid, 100, 0.25))).toBe('vary 0.25');
    expect(describeTakeOp(transformTake('g2', 'j', PARAMS.grid, 101, 0.75))).toBe('vary 0.75');
    expect(describeTakeOp(transformTake('v', 'j', PARAMS.vary))).toBe('vary 0.5');
    expect(describeTakeOp(transformTake('c', 'j', PARAMS.continue))).toBe('continue +5 s');
    expect(describeTakeOp(plainTake('t', 'j'))).toBeNull();
  });

  it('writes numbers as typed', () => {
    expect(trimNumber(5)).toBe('5');
    expect(trimNumber(1.5)).toBe('1.5');
    expect(trimNumber(0.30000000000000004)).toBe('0.3');
  });

  it('says where a take came from, seed last', () => {
    expect(lineageText(transformTake('a', 'j', PARAMS.continue, 12).lineage!)).toEqual({ verb: 'continued from', details: ['+5 s', 'seed 12'] });
    expect(lineageText(transformTake('b', 'j', PARAMS.grid, 101, 0.75).lineage!)).toEqual({ verb: 'varied from', details: ['strength 0.75', 'seed 101'] });
    expect(lineageText(transformTake('c', 'j', PARAMS.vary).lineage!).details).toEqual(['strength 0.5', 'seed 100']);
    expect(lineageText(transformTake('d', 'j', PARAMS.inpaint).lineage!).details).toEqual(['1.0–2.0 s', 'seed 100']);
    expect(lineageText(transformTake('e', 'j', PARAMS.loop).lineage!)).toEqual({ verb: 'looped from', details: ['seam 1 s', 'seed 100'] });
  });

  it('names a reference the studio no longer lists by its file', () => {
    expect(fallbackReferenceName({ kind: 'file', id: 'C:\\Sounds\\rain.wav', sha256: '', seconds: 1 })).toBe('rain.wav');
    expect(fallbackReferenceName({ kind: 'take', id: 'tk-1', sha256: '', seconds: 1 })).toBe('a take');
  });

  it('puts the seam at the end of the reference, or at the edges of an inpainted region', () => {
    expect(seamMarkers(transformTake('a', 'j', PARAMS.continue).lineage)).toEqual([{ at: 2, label: 'seam' }]);
    expect(seamMarkers(transformTake('b', 'j', PARAMS.inpaint).lineage).map((m) => m.at)).toEqual([1, 2]);
    expect(seamMarkers(transformTake('c', 'j', PARAMS.vary).lineage)).toEqual([]);
    expect(seamMarkers(null)).toEqual([]);
  });
});
