/** Min/max peak pairs (`[min0, max0, min1, max1, …]`, main's peaks.ts) squeezed into a few pixel columns, for the grid's mini waveforms; pure. */
export function peakColumns(peaks: readonly number[], columns: number): Float32Array {
  const pairs = Math.floor(peaks.length / 2);
  const out = new Float32Array(Math.max(0, columns) * 2);
  if (pairs === 0) return out;
  for (let c = 0; c < columns; c++) {
    const from = Math.floor((c * pairs) / columns);
    const to = Math.max(from + 1, Math.floor(((c + 1) * pairs) / columns));
    let lo = Infinity;
    let hi = -Infinity;
    for (let p = from; p < to && p < pairs; p++) {
      lo = Math.min(lo, peaks[2 * p]);
      hi = Math.max(hi, peaks[2 * p + 1]);
    }
    out[2 * c] = lo === Infinity ? 0 : lo;
    out[2 * c + 1] = hi === -Infinity ? 0 : hi;
  }
  return out;
}
