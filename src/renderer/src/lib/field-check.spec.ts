import { describe, expect, it } from 'vitest';
import { GENERATE_RANGES, validateGenerateParams } from '../../../shared/engine/generate-params.ts';
import { optionalRangeProblem, problemsOf, rangeProblem } from './field-check.ts';

describe('rangeProblem', () => {
  it('names the allowed range and the typed value, from the table main validates with', () => {
    expect(rangeProblem('Takes', 1000, GENERATE_RANGES.takes)).toBe('Takes must be a whole number from 1 to 16 (not 1000).');
    expect(rangeProblem('Length', 999, GENERATE_RANGES.seconds)).toBe('Length must be a number from 0.5 to 30 (not 999).');
    expect(rangeProblem('Guidance', -50, GENERATE_RANGES.guidance)).toBe('Guidance must be a number from 1 to 30 (not -50).');
    expect(rangeProblem('Seed', -1, GENERATE_RANGES.seed)).toContain('(not -1)');
    expect(rangeProblem('Steps', 2.5, GENERATE_RANGES.steps)).toBe('Steps must be a whole number from 1 to 999 (not 2.5).');
  });

  it('calls an empty field a problem unless it is optional', () => {
    expect(rangeProblem('Takes', null, GENERATE_RANGES.takes)).toBe('Takes must be a whole number from 1 to 16.');
    expect(rangeProblem('Takes', '', GENERATE_RANGES.takes)).toBe('Takes must be a whole number from 1 to 16.');
    expect(optionalRangeProblem('Seed', '', GENERATE_RANGES.seed)).toBeNull();
    expect(optionalRangeProblem('Seed', '-3', GENERATE_RANGES.seed)).toContain('(not -3)');
  });

  it('accepts exactly what main accepts at both ends of each range', () => {
    for (const [field, range] of Object.entries(GENERATE_RANGES)) {
      if (field === 'seed') continue; // seed + takes has its own sum check in main
      for (const value of [range.min, range.max]) {
        expect(rangeProblem(field, value, range)).toBeNull();
        expect(() => validateGenerateParams({ prompt: 'x', [field]: value }, () => 0)).not.toThrow();
      }
      for (const value of [range.min - 1, range.max + 1]) {
        expect(rangeProblem(field, value, range)).not.toBeNull();
        expect(() => validateGenerateParams({ prompt: 'x', [field]: value }, () => 0)).toThrow(field);
      }
    }
  });
});

describe('problemsOf', () => {
  it('keeps only the fields with a problem', () => {
    expect(problemsOf({ takes: 'bad', steps: null })).toEqual({ takes: 'bad' });
  });
});
