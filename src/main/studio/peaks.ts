/**
 * Min/max peaks for drawing a waveform at once, before (or instead of) decoding the audio in the
 * renderer: wavesurfer.js accepts precomputed peaks, and a 10-minute take must draw in < 300 ms.
 */

/** ~2000 pairs: one pair per pixel across a full-width take card on a 2K screen. */
export const PEAK_PAIRS = 2000;

/** 1/1000 of full scale is below a pixel at any card height, and keeps the library index small. */
const GRID = 1000;
/** float32 stores 0.1 as 0.10000000149; without this slack outward rounding would report 0.101. */
const SLACK = 1e-4;

// Outward to the grid; `+ 0` turns -0 into 0 (JSON has no -0).
const down = (x: number) => Math.floor(x * GRID + SLACK) / GRID + 0;
const up = (x: number) => Math.ceil(x * GRID - SLACK) / GRID + 0;

/**
 * Splits the samples into `pairs` equal bins and returns `[min0, max0, min1, max1, …]`.
 * Mins round down and maxes round up, so the drawn envelope never hides a peak. NaNs are skipped;
 * a bin without a number reads 0. Fewer samples than pairs give one pair per sample.
 */
export function computePeaks(samples: Float32Array, pairs = PEAK_PAIRS): number[] {
  if (!Number.isInteger(pairs) || pairs < 1) throw new RangeError(`computePeaks: pairs must be a positive integer, got ${pairs}`);
  const bins = Math.min(pairs, samples.length);
  const peaks = new Array<number>(bins * 2);
  for (let bin = 0; bin < bins; bin++) {
    const from = Math.floor((bin * samples.length) / bins);
    const to = Math.floor(((bin + 1) * samples.length) / bins);
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = from; i < to; i++) {
      const x = samples[i];
      if (x < lo) lo = x;
      if (x > hi) hi = x;
    }
    peaks[2 * bin] = lo === Infinity ? 0 : down(lo);
    peaks[2 * bin + 1] = hi === -Infinity ? 0 : up(hi);
  }
  return peaks;
}

/** Pairs a library row's mini waveform needs: it is about 100 px wide. */
export const ROW_PEAK_PAIRS = 120;

/**
 * Coarser peaks from finer ones (`[min, max, …]` → `pairs` pairs): each new pair is the min of its
 * mins and the max of its maxes, so the envelope still never hides a peak. For library pages,
 * where 50 rows of full peaks would be 1.5 MB of JSON on every scroll step.
 */
export function reducePeaks(peaks: readonly number[], pairs: number): number[] {
  const have = peaks.length / 2;
  if (have <= pairs) return [...peaks];
  const out = new Array<number>(pairs * 2);
  for (let bin = 0; bin < pairs; bin++) {
    const from = Math.floor((bin * have) / pairs);
    const to = Math.floor(((bin + 1) * have) / pairs);
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = from; i < to; i++) {
      lo = Math.min(lo, peaks[2 * i]);
      hi = Math.max(hi, peaks[2 * i + 1]);
    }
    out[2 * bin] = lo;
    out[2 * bin + 1] = hi;
  }
  return out;
}

/**
 * Peaks as the API sends them: rounded outward to 1/1000 like computePeaks' own. Peaks read back
 * from the library are k/127 and print as 18-digit decimals, which made a page of library rows
 * three times larger to send and to parse (on the renderer's main thread, mid-scroll).
 */
export function peaksForWire(peaks: readonly number[]): number[] {
  const out = new Array<number>(peaks.length);
  for (let i = 0; i < peaks.length; i++) out[i] = i % 2 === 0 ? down(peaks[i]) : up(peaks[i]);
  return out;
}
