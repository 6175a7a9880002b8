// Real-input FFT for power-of-two sizes: the N real samples are packed as N/2 complex values
// (even → real, odd → imaginary), transformed by an iterative radix-2 Cooley–Tukey FFT, and
// split into the N/2+1 non-negative-frequency bins (the standard "two for one" real FFT, e.g.
// Press et al., Numerical Recipes §12.3). Twiddles and the bit-reversal permutation are
// precomputed once per size; `forward` allocates nothing.

export class RealFft {
  readonly size: number;
  private readonly half: number;
  private readonly bitrev: Uint32Array;
  /** cos/sin(2πk/half) for the complex stages. */
  private readonly cosHalf: Float64Array;
  private readonly sinHalf: Float64Array;
  /** cos/sin(2πk/N) for the real split. */
  private readonly cosFull: Float64Array;
  private readonly sinFull: Float64Array;
  private readonly re: Float64Array;
  private readonly im: Float64Array;

  constructor(size: number) {
    if (!Number.isInteger(size) || size < 2 || (size & (size - 1)) !== 0) {
      throw new RangeError(`RealFft: size must be a power of two ≥ 2, got ${size}`);
    }
    this.size = size;
    const m = size / 2;
    this.half = m;
    const bits = Math.log2(m);
    this.bitrev = new Uint32Array(m);
    for (let i = 0; i < m; i++) {
      let r = 0;
      for (let b = 0, v = i; b < bits; b++, v >>= 1) r = (r << 1) | (v & 1);
      this.bitrev[i] = r;
    }
    this.cosHalf = new Float64Array(Math.max(1, m / 2));
    this.sinHalf = new Float64Array(Math.max(1, m / 2));
    for (let k = 0; k < m / 2; k++) {
      this.cosHalf[k] = Math.cos((2 * Math.PI * k) / m);
      this.sinHalf[k] = Math.sin((2 * Math.PI * k) / m);
    }
    this.cosFull = new Float64Array(m + 1);
    this.sinFull = new Float64Array(m + 1);
    for (let k = 0; k <= m; k++) {
      this.cosFull[k] = Math.cos((2 * Math.PI * k) / size);
      this.sinFull[k] = Math.sin((2 * Math.PI * k) / size);
    }
    this.re = new Float64Array(m);
    this.im = new Float64Array(m);
  }

  /** X[k] = Σ_n x[n]·e^{−2πikn/N} for k = 0..N/2, written to outRe/outIm (length ≥ N/2+1). */
  forward(input: ArrayLike<number>, outRe: Float64Array, outIm: Float64Array): void {
    const m = this.half;
    const { re, im, bitrev, cosHalf, sinHalf, cosFull, sinFull } = this;
    for (let i = 0; i < m; i++) {
      const j = bitrev[i];
      re[j] = input[2 * i];
      im[j] = input[2 * i + 1];
    }
    // The first two stages have trivial twiddles (1 and −i): one radix-4 pass instead.
    let firstGeneral = 2;
    if (m >= 4) {
      for (let a = 0; a < m; a += 4) {
        const r0 = re[a] + re[a + 1];
        const i0 = im[a] + im[a + 1];
        const r1 = re[a] - re[a + 1];
        const i1 = im[a] - im[a + 1];
        const r2 = re[a + 2] + re[a + 3];
        const i2 = im[a + 2] + im[a + 3];
        const r3 = re[a + 2] - re[a + 3];
        const i3 = im[a + 2] - im[a + 3];
        re[a] = r0 + r2;
        im[a] = i0 + i2;
        re[a + 2] = r0 - r2;
        im[a + 2] = i0 - i2;
        // (r3 + i·i3)·(−i) = i3 − i·r3
        re[a + 1] = r1 + i3;
        im[a + 1] = i1 - r3;
        re[a + 3] = r1 - i3;
        im[a + 3] = i1 + r3;
      }
      firstGeneral = 8;
    }
    for (let size = firstGeneral; size <= m; size *= 2) {
      const halfSize = size >> 1;
      const stride = (m / size) | 0;
      for (let j = 0; j < halfSize; j++) {
        const wr = cosHalf[j * stride];
        const wi = -sinHalf[j * stride];
        for (let a = j; a < m; a += size) {
          const b = a + halfSize;
          const tr = wr * re[b] - wi * im[b];
          const ti = wr * im[b] + wi * re[b];
          re[b] = re[a] - tr;
          im[b] = im[a] - ti;
          re[a] += tr;
          im[a] += ti;
        }
      }
    }
    // Split: X[k] = E[k] + e^{−2πik/N}·O[k], E/O the spectra of the even/odd samples.
    for (let k = 0; k <= m; k++) {
      const ka = k === m ? 0 : k;
      const kb = k === 0 ? 0 : m - k;
      const ar = re[ka];
      const ai = im[ka];
      const br = re[kb];
      const bi = im[kb];
      const er = 0.5 * (ar + br);
      const ei = 0.5 * (ai - bi);
      const or = 0.5 * (ai + bi);
      const oi = -0.5 * (ar - br);
      const c = cosFull[k];
      const s = sinFull[k];
      outRe[k] = er + c * or + s * oi;
      outIm[k] = ei + c * oi - s * or;
    }
  }
}
