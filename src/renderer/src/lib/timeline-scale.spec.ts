import { describe, expect, it } from 'vitest';
import { formatTimelineLabel, timelineScale } from './timeline-scale.ts';

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
