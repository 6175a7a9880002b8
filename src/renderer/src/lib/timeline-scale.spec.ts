import { describe, expect, it } from 'vitest';
import { formatTimelineLabel, timelineScale, timelineTicks } from './timeline-scale.ts';

describe('timelineScale', () => {
  it('labels a 2.5 s take across ~1000 px every 0.2 s', () => {
    expect(timelineScale(400)).toEqual({ tick: 0.04, label: 0.2 });
  });

  it('labels a 10-minute take every 30 s or more', () => {
    const { label, tick } = timelineScale(1000 / 600);
    expect(label).toBeGreaterThanOrEqual(30);
    expect(tick * (1000 / 600)).toBeGreaterThanOrEqual(12);
  });

  it('keeps labels at least 64 px apart at every zoom', () => {
    for (const px of [1, 7, 33, 100, 250, 999, 4000]) expect(timelineScale(px).label * px).toBeGreaterThanOrEqual(64);
  });

  it('formats labels for their spacing', () => {
    expect(formatTimelineLabel(0, 0.2)).toBe('0');
    expect(formatTimelineLabel(0.4, 0.2)).toBe('0.4s');
    expect(formatTimelineLabel(0.05, 0.05)).toBe('0.05s');
    expect(formatTimelineLabel(12, 2)).toBe('12s');
    expect(formatTimelineLabel(65, 5)).toBe('1:05');
  });
});

describe('timeline ticks', () => {
  it("places a tick every `tick` seconds up to the clip's end, labelled on multiples of `label`", () => {
    const ticks = timelineTicks(1.5, { tick: 0.1, label: 0.5 });
    expect(ticks).toHaveLength(15);
    expect(ticks.map((t) => t.at)).toEqual(Array.from({ length: 15 }, (_, i) => Math.round(i * 0.1 * 1e6) / 1e6));
    expect(ticks.filter((t) => t.label !== null).map((t) => [t.at, t.label])).toEqual([
      [0, '0'],
      [0.5, '0.5s'],
      [1, '1.0s'],
    ]);
  });

  it('has no ticks for an empty clip or a broken scale', () => {
    expect(timelineTicks(0, { tick: 0.1, label: 0.5 })).toEqual([]);
    expect(timelineTicks(2, { tick: 0, label: 0.5 })).toEqual([]);
  });
});
