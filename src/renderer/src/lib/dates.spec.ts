import { describe, expect, it } from 'vitest';
import { fullWhen, runWhen, shortWhen } from './dates.ts';

// Local times: the formatters print in the machine's zone, so the inputs are built in it too.
const local = (y: number, m: number, d: number, h: number, min: number) => new Date(y, m, d, h, min).toISOString();
const now = new Date(2026, 10, 25, 18, 30);

describe('shortWhen', () => {
  it('shows the time for a take made today', () => {
    expect(shortWhen(local(2026, 10, 25, 9, 5), now)).toBe('09:05');
  });

  it('shows day and month for an earlier day this year, with the year before that', () => {
    expect(shortWhen(local(2026, 2, 3, 23, 59), now)).toBe('3 Mar');
    expect(shortWhen(local(2025, 2, 3, 0, 0), now)).toBe('3 Mar 2025');
  });

  it('says nothing for a date that does not parse', () => {
    expect(shortWhen('yesterday-ish', now)).toBe('');
  });
});

describe('fullWhen', () => {
  it('shows date and time, and keeps unparseable text as it is', () => {
    expect(fullWhen(local(2026, 0, 7, 14, 2))).toBe('7 Jan 2026 14:02');
    expect(fullWhen('not a date')).toBe('not a date');
  });
});

describe('runWhen', () => {
  it('shows the time of a run made today, day, month and time for another day', () => {
    expect(runWhen(local(2026, 10, 25, 7, 45), now)).toBe('07:45');
    expect(runWhen(local(2026, 10, 24, 23, 59), now)).toBe('24 Nov 23:59');
    expect(runWhen('', now)).toBe('');
  });
});
