/**
 * The export's "DC removal / gentle high-pass" option: a 2nd-order Butterworth high-pass
 * (RBJ cookbook biquad, Q = 1/√2) at HIGH_PASS_HZ. Model output often carries a DC offset and
 * sub-audio rumble that eat headroom and thump when a DAW starts the clip; 12 dB/octave from
 * 30 Hz takes those out and leaves everything above ~150 Hz within a hundredth of a dB.
 * Pure: returns a new array.
 */

/** −3 dB point. Low enough to keep a kick's body, high enough to clear DC and sub-audio drift. */
export const HIGH_PASS_HZ = 30;

interface Biquad {
  b0: number;
  b1: number;
  b2: number;
  a1: number;
  a2: number;
}

function butterworthHighPass(cutoffHz: number, sampleRate: number): Biquad {
  const w0 = (2 * Math.PI * cutoffHz) / sampleRate;
  const alpha = Math.sin(w0) / (2 * Math.SQRT1_2);
  const cos = Math.cos(w0);
  const a0 = 1 + alpha;
  return {
    b0: (1 + cos) / 2 / a0,
    b1: -(1 + cos) / a0,
    b2: (1 + cos) / 2 / a0,
    a1: (-2 * cos) / a0,
    a2: (1 - alpha) / a0,
  };
}

/** Runs the biquad (transposed direct form II) over `x` from state [s1, s2]; returns the end state. */
function run(f: Biquad, x: Float32Array, out: Float32Array, state: [number, number]): [number, number] {
  let [s1, s2] = state;
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    const y = f.b0 * v + s1;
    s1 = f.b1 * v - f.a1 * y + s2;
    s2 = f.b2 * v - f.a2 * y;
    out[i] = y;
  }
  return [s1, s2];
}

/**
 * `x` high-passed at `cutoffHz`. The filter starts as if `x[0]` had always been there (so a DC
 * offset does not turn into a thump at the start). `periodic`: `x` is one period of a loop; the
 * filter runs over it once to settle and the second pass is kept, so the loop still wraps cleanly.
 */
export function highPass(x: Float32Array, sampleRate: number, options: { cutoffHz?: number; periodic?: boolean } = {}): Float32Array {
  const cutoffHz = options.cutoffHz ?? HIGH_PASS_HZ;
  if (!(sampleRate > 0) || !(cutoffHz > 0) || cutoffHz >= sampleRate / 2) throw new RangeError(`highPass: cutoff ${cutoffHz} Hz does not fit a ${sampleRate} Hz signal`);
  const out = new Float32Array(x.length);
  if (x.length === 0) return out;
  const f = butterworthHighPass(cutoffHz, sampleRate);
  // Steady state for a constant input c (output 0): s2 = b2·c, s1 = b1·c + s2.
  const c = x[0];
  let state: [number, number] = [f.b1 * c + f.b2 * c, f.b2 * c];
  if (options.periodic) state = run(f, x, out, [0, 0]);
  run(f, x, out, state);
  return out;
}
