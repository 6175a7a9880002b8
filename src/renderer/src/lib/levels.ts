/**
 * Level maths for the meter and the level-matched A/B: RMS from peaks or samples, dB ↔ gain.
 * Pure functions over typed arrays.
 */

export function gainToDb(gain: number): number {
  return gain > 0 ? 20 * Math.log10(gain) : -Infinity;
}

export function dbToGain(db: number): number {
  return Number.isFinite(db) ? 10 ** (db / 20) : 0;
}

/** RMS of samples (the decoded audio): the loudness proxy A/B matching uses. */
export function rmsOfSamples(samples: ArrayLike<number>): number {
  if (samples.length === 0) return 0;
  let sum = 0;
  for (let i = 0; i < samples.length; i++) sum += samples[i] * samples[i];
  return Math.sqrt(sum / samples.length);
}

/**
 * RMS estimated from min/max peak pairs: each pair's half-range is the local amplitude, and a
 * sinusoid of amplitude a has RMS a/√2. Biased high for noise, but the bias is the same for both
 * takes of an A/B, so the gain ratio holds until the decoded audio replaces it.
 */
export function rmsOfPeaks(peaks: ArrayLike<number>): number {
  const pairs = Math.floor(peaks.length / 2);
  if (pairs === 0) return 0;
  let sum = 0;
  for (let i = 0; i < pairs; i++) {
    const amplitude = (Math.abs(peaks[2 * i]) + Math.abs(peaks[2 * i + 1])) / 2;
    sum += amplitude * amplitude;
  }
  return Math.sqrt(sum / pairs) / Math.SQRT2;
}

/**
 * Gains that make two takes equally loud by RMS, attenuating the louder one (never boosting,
 * so matching can't clip). A silent take keeps unity gain.
 */
export function matchGains(rmsA: number, rmsB: number): { a: number; b: number } {
  if (!(rmsA > 0) || !(rmsB > 0)) return { a: 1, b: 1 };
  const target = Math.min(rmsA, rmsB);
  return { a: target / rmsA, b: target / rmsB };
}

export interface MeterReading {
  /** dBFS of the largest absolute sample in the block. */
  peakDb: number;
  rmsDb: number;
}

/** One meter block from an AnalyserNode's time-domain data. */
export function meterReading(block: ArrayLike<number>): MeterReading {
  let peak = 0;
  let sum = 0;
  for (let i = 0; i < block.length; i++) {
    const v = block[i];
    const a = Math.abs(v);
    if (a > peak) peak = a;
    sum += v * v;
  }
  const rms = block.length ? Math.sqrt(sum / block.length) : 0;
  return { peakDb: gainToDb(peak), rmsDb: gainToDb(rms) };
}

/** Meter scale: −60 dBFS … 0 dBFS → 0 … 1. */
export function meterFraction(db: number, floorDb = -60): number {
  if (!Number.isFinite(db)) return 0;
  return Math.min(1, Math.max(0, (db - floorDb) / -floorDb));
}
