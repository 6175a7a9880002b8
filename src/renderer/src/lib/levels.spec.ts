import { describe, expect, it } from 'vitest';
import { dbToGain, gainToDb, matchGains, meterFraction, meterReading, rmsOfPeaks, rmsOfSamples } from './levels.ts';

describe('levels', () => {
  it('converts dB and gain', () => {
    expect(gainToDb(1)).toBe(0);
    expect(gainToDb(0.5)).toBeCloseTo(-6.0206, 4);
    expect(gainToDb(0)).toBe(-Infinity);
    expect(dbToGain(-6.0206)).toBeCloseTo(0.5, 4);
    expect(dbToGain(-Infinity)).toBe(0);
  });

  it('measures the RMS of a sine as amplitude/√2, from samples and from min/max peaks', () => {
    const sine = Float32Array.from({ length: 16000 }, (_, i) => 0.5 * Math.sin((2 * Math.PI * 440 * i) / 16000));
    expect(rmsOfSamples(sine)).toBeCloseTo(0.5 / Math.SQRT2, 3);
    const peaks = Array.from({ length: 200 }, (_, i) => (i % 2 === 0 ? -0.5 : 0.5));
    expect(rmsOfPeaks(peaks)).toBeCloseTo(0.5 / Math.SQRT2, 6);
    expect(rmsOfSamples([])).toBe(0);
    expect(rmsOfPeaks([])).toBe(0);
  });

  it('matches levels by turning the louder take down, never up', () => {
    const { a, b } = matchGains(0.2, 0.1);
    expect(a).toBeCloseTo(0.5, 10);
    expect(b).toBe(1);
    expect(0.2 * a).toBeCloseTo(0.1 * b, 10);
    expect(matchGains(0, 0.1)).toEqual({ a: 1, b: 1 });
  });

  it('reads a meter block in dBFS', () => {
    const reading = meterReading(Float32Array.from([0.5, -1, 0.25, 0]));
    expect(reading.peakDb).toBe(0);
    expect(reading.rmsDb).toBeCloseTo(gainToDb(Math.sqrt((0.25 + 1 + 0.0625) / 4)), 6);
    expect(meterReading(new Float32Array(8)).peakDb).toBe(-Infinity);
    expect(meterFraction(0)).toBe(1);
    expect(meterFraction(-30)).toBe(0.5);
    expect(meterFraction(-90)).toBe(0);
    expect(meterFraction(-Infinity)).toBe(0);
  });
});
