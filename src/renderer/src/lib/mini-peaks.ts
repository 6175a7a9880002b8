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

/**
 * The waveform as one closed SVG path in a `width`×`height` box (y down, 0 in the middle): the max
 * envelope left to right, then the min envelope back, never thinner than `minThickness` so silence
 * still shows as a line. `columns` sets the detail (two per CSS px looks sharp on HiDPI screens).
 * A path, not a canvas: a list of canvases costs a GPU-or-raster resource per row per frame, which
 * made a fast scroll through the library stutter.
 */
export function miniWavePath(peaks: readonly number[], width: number, height: number, columns = Math.round(width * 2), minThickness = 1): string {
  const n = Math.max(1, Math.floor(columns));
  const cols = peakColumns(peaks, n);
  const mid = height / 2;
  const step = width / n;
  const clamp = (v: number) => Math.max(-1, Math.min(1, v));
  const top: string[] = [];
  const bottom: string[] = [];
  for (let c = 0; c < n; c++) {
    let y0 = mid - clamp(cols[2 * c + 1]) * mid;
    let y1 = mid - clamp(cols[2 * c]) * mid;
    if (y1 - y0 < minThickness) {
      const centre = (y0 + y1) / 2;
      y0 = centre - minThickness / 2;
      y1 = centre + minThickness / 2;
    }
    const x0 = round(c * step);
    const x1 = round((c + 1) * step);
    top.push(`${x0} ${round(y0)}L${x1} ${round(y0)}`);
    bottom.push(`${x1} ${round(y1)}L${x0} ${round(y1)}`);
  }
  return `M${top.join('L')}L${bottom.reverse().join('L')}Z`;
}

const round = (v: number) => Math.round(v * 100) / 100;

/**
 * miniWavePath, kept per peaks array and size: a row that scrolls back in, or a list that mounts
 * again (Library ↔ Workspace), reuses its path instead of walking ~4000 peaks again. Keyed by the
 * array itself, so a take's path goes with its TakeInfo.
 */
const paths = new WeakMap<readonly number[], Map<string, string>>();

export function cachedMiniWavePath(peaks: readonly number[], width: number, height: number): string {
  let sizes = paths.get(peaks);
  if (!sizes) paths.set(peaks, (sizes = new Map()));
  const key = `${width}x${height}`;
  let d = sizes.get(key);
  if (d === undefined) sizes.set(key, (d = miniWavePath(peaks, width, height)));
  return d;
}
