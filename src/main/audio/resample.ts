// Band-limited sample-rate conversion for integer and rational ratios: a windowed-sinc
// interpolator evaluated in polyphase form (Smith, "Digital Audio Resampling Home Page";
// Crochiere & Rabiner 1983, ch. 4). For rates reduced to up/down = L/M, output sample m sits at
// input time t_m = m·M/L, i.e. integer part ⌊mM/L⌋ plus one of L fractional phases p/L; each
// phase has its own precomputed tap set. Zero-phase: a tone comes out at the same time instants.
//
// Filter: h(τ) = 2f_c·sinc(2f_c·τ)·kaiser(τ / halfWidth), τ in input samples. The band edge B is
// the lower of the two Nyquist frequencies; the passband runs to ρ·B and the stopband starts AT B,
// so nothing above the target Nyquist aliases (downsampling) and no image leaks (upsampling).
// Kaiser design formulas (Kaiser 1974; Oppenheim & Schafer, Discrete-Time Signal Processing,
// eqs. 7.62–7.63): β = 0.1102(A − 8.7) for A > 50 dB, length N = (A − 7.95)/(2.285·Δω) + 1.
// Each phase's taps are normalised to sum to 1, so DC passes exactly.

export type ResampleQuality = 'medium' | 'high';

interface Design {
  /** Stopband attenuation in dB. */
  attenuationDb: number;
  /** Passband edge as a fraction of the band edge B. */
  passband: number;
}

const DESIGNS: Record<ResampleQuality, Design> = {
  high: { attenuationDb: 100, passband: 0.9 },
  medium: { attenuationDb: 80, passband: 0.85 },
};

/** Precomputed tap tables above this many coefficients are replaced by per-sample evaluation. */
const MAX_TABLE = 1 << 23;

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** Zeroth-order modified Bessel function of the first kind, by its power series. */
function besselI0(x: number): number {
  const q = (x * x) / 4;
  let term = 1;
  let sum = 1;
  for (let k = 1; term > sum * 1e-17; k++) {
    term *= q / (k * k);
    sum += term;
  }
  return sum;
}

/**
 * Number of output samples: ⌈n·to/from⌉ — one for every output instant m·from/to that falls
 * inside the input's time span [0, n). E.g. 16000 samples 16 kHz → 48 kHz: 48000; 10 → 3 at 3:1
 * (instants 0, 3, 6, 9); 1 sample → 1.
 */
export function resampledLength(n: number, fromRate: number, toRate: number): number {
  const g = gcd(fromRate, toRate);
  const up = toRate / g;
  const down = fromRate / g;
  if (!Number.isSafeInteger(n * up)) throw new RangeError('resample: input too long for exact length arithmetic');
  return Math.floor((n * up + down - 1) / down);
}

interface Kernel {
  /** Taps per phase (2K, covering input offsets −K+1..K around ⌊t⌋). */
  width: number;
  /** Fill `out` with the normalised taps for fractional position frac ∈ [0, 1). */
  taps(frac: number, out: Float64Array): void;
}

function designKernel(fromRate: number, toRate: number, quality: ResampleQuality): Kernel {
  const { attenuationDb: a, passband } = DESIGNS[quality];
  const edge = Math.min(fromRate, toRate) / 2 / fromRate; // B in cycles per input sample
  const transition = (1 - passband) * edge;
  const cutoff = ((1 + passband) / 2) * edge;
  const beta = 0.1102 * (a - 8.7);
  const length = (a - 7.95) / (2.285 * 2 * Math.PI * transition) + 1;
  const halfWidth = length / 2;
  const k = Math.ceil(halfWidth);
  const i0Beta = besselI0(beta);
  return {
    width: 2 * k,
    taps(frac, out) {
      let sum = 0;
      for (let j = 0; j < 2 * k; j++) {
        const tau = frac - (j - k + 1); // distance from input sample ⌊t⌋ − K + 1 + j to t
        const r = tau / halfWidth;
        let h = 0;
        if (r * r < 1) {
          const arg = 2 * cutoff * tau;
          const sinc = arg === 0 ? 1 : Math.sin(Math.PI * arg) / (Math.PI * arg);
          h = 2 * cutoff * sinc * (besselI0(beta * Math.sqrt(1 - r * r)) / i0Beta);
        }
        out[j] = h;
        sum += h;
      }
      for (let j = 0; j < 2 * k; j++) out[j] /= sum;
    },
  };
}

/**
 * Resamples `x` from `fromRate` to `toRate` (positive integer rates, any ratio). The signal is
 * taken as zero outside [0, n), so the first and last ~halfWidth output samples taper.
 * Deterministic: same input → same bits.
 */
export function resample(x: Float32Array, fromRate: number, toRate: number, quality: ResampleQuality = 'high'): Float32Array {
  for (const r of [fromRate, toRate]) {
    if (!Number.isSafeInteger(r) || r <= 0) throw new RangeError(`resample: rates must be positive integers, got ${r}`);
  }
  if (DESIGNS[quality] === undefined) throw new RangeError(`resample: unknown quality "${String(quality)}"`);
  if (fromRate === toRate) return x.slice();
  const g = gcd(fromRate, toRate);
  const up = toRate / g;
  const down = fromRate / g;
  const n = x.length;
  const outLength = resampledLength(n, fromRate, toRate);
  const out = new Float32Array(outLength);
  if (n === 0) return out;

  const kernel = designKernel(fromRate, toRate, quality);
  const width = kernel.width;
  const half = width / 2;
  const table = up * width <= MAX_TABLE ? new Float64Array(up * width) : null;
  if (table !== null) {
    for (let p = 0; p < up; p++) kernel.taps(p / up, table.subarray(p * width, (p + 1) * width));
  }
  const scratch = new Float64Array(width);

  let base = 0; // ⌊m·down/up⌋
  let phase = 0; // (m·down) mod up
  for (let m = 0; m < outLength; m++) {
    let h: Float64Array;
    let offset: number;
    if (table !== null) {
      h = table;
      offset = phase * width;
    } else {
      kernel.taps(phase / up, scratch);
      h = scratch;
      offset = 0;
    }
    const first = base - half + 1;
    let acc = 0;
    if (first >= 0 && first + width <= n) {
      for (let j = 0; j < width; j++) acc += h[offset + j] * x[first + j];
    } else {
      const lo = Math.max(0, -first);
      const hi = Math.min(width, n - first);
      for (let j = lo; j < hi; j++) acc += h[offset + j] * x[first + j];
    }
    out[m] = acc;
    phase += down;
    while (phase >= up) {
      phase -= up;
      base++;
    }
  }
  return out;
}
