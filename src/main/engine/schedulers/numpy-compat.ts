// Small numeric helpers that reproduce NumPy's exact arithmetic, so timestep grids and schedules
// come out identical to diffusers (which builds them with np.linspace / np.arange / np.round).

/**
 * np.linspace(start, stop, num): `i·step + start` with step = (stop−start)/(num−1); the last point
 * is `stop` exactly.
 */
export function linspace(start: number, stop: number, num: number): Float64Array {
  const out = new Float64Array(num);
  if (num === 1) {
    out[0] = start;
    return out;
  }
  const step = (stop - start) / (num - 1);
  for (let i = 0; i < num; i++) out[i] = i * step + start;
  out[num - 1] = stop;
  return out;
}

/**
 * np.arange(start, stop, step) for floats. NumPy stores start and start+step, then fills
 * `start + i·delta` with delta = (start+step) − start, and the length is ceil((stop−start)/step).
 */
export function arangeFloat(start: number, stop: number, step: number): Float64Array {
  const len = Math.max(0, Math.ceil((stop - start) / step));
  const out = new Float64Array(len);
  if (len === 0) return out;
  out[0] = start;
  if (len === 1) return out;
  const delta = start + step - start;
  out[1] = start + step;
  for (let i = 2; i < len; i++) out[i] = start + i * delta;
  return out;
}

/** np.round: round half to even (499.5 → 500, 498.5 → 498). */
export function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d < 0.5) return f;
  if (d > 0.5) return f + 1;
  return f % 2 === 0 ? f : f + 1;
}
