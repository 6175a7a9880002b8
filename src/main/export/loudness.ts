// Integrated loudness per ITU-R BS.1770-4 (10/2015), Annex 1: K-weighting (a high-shelf
// "pre-filter" modelling the head, then the RLB high-pass), mean square per channel over 400 ms
// blocks overlapping by 75 %, L = −0.691 + 10·log10(Σ G_i·z_i), an absolute gate at −70 LUFS and a
// relative gate 10 LU below the loudness of the blocks that passed it.
//
// BS.1770 tabulates the two biquads only for 48 kHz. For other rates we re-derive them from the
// analog prototypes (f0, Q, gain) through the bilinear transform with f0 pre-warped, exactly as
// libebur128 (ebur128.c, ebur128_init_filter) and pyloudnorm (IIRfilter) do; at 48 kHz this
// reproduces the BS.1770 table to better than 1e-8.

export interface Biquad {
  /** Numerator b0, b1, b2. */
  b: [number, number, number];
  /** Denominator a0 (= 1), a1, a2. */
  a: [number, number, number];
}

/** Loudness of a block or programme below which it is ignored (BS.1770-4 eq. 3, Γa). */
export const ABSOLUTE_GATE_LUFS = -70;
/** The relative gate sits this far below the absolutely-gated loudness (BS.1770-4 eq. 5, Γr). */
export const RELATIVE_GATE_LU = -10;

// Analog prototype constants, from libebur128 (ebur128.c) — fitted by its author to the BS.1770 table.
const SHELF_F0 = 1681.974450955533;
const SHELF_GAIN_DB = 3.999843853973347;
const SHELF_Q = 0.7071752369554196;
const SHELF_VB_EXPONENT = 0.4996667741545416;
const HIGHPASS_F0 = 38.13547087602444;
const HIGHPASS_Q = 0.5003270373238773;

/** The K-weighting biquads for any sample rate (stage 1: shelf, stage 2: RLB high-pass). */
export function kWeightingFilters(sampleRate: number): { shelf: Biquad; highPass: Biquad } {
  if (!(sampleRate > 0)) throw new RangeError(`kWeightingFilters: sample rate must be positive, got ${sampleRate}`);
  let k = Math.tan((Math.PI * SHELF_F0) / sampleRate);
  const vh = 10 ** (SHELF_GAIN_DB / 20);
  const vb = vh ** SHELF_VB_EXPONENT;
  let a0 = 1 + k / SHELF_Q + k * k;
  const shelf: Biquad = {
    b: [(vh + (vb * k) / SHELF_Q + k * k) / a0, (2 * (k * k - vh)) / a0, (vh - (vb * k) / SHELF_Q + k * k) / a0],
    a: [1, (2 * (k * k - 1)) / a0, (1 - k / SHELF_Q + k * k) / a0],
  };
  k = Math.tan((Math.PI * HIGHPASS_F0) / sampleRate);
  a0 = 1 + k / HIGHPASS_Q + k * k;
  // BS.1770 (and libebur128) keep the RLB numerator at [1, −2, 1] unnormalised; so do we, to match the table.
  const highPass: Biquad = { b: [1, -2, 1], a: [1, (2 * (k * k - 1)) / a0, (1 - k / HIGHPASS_Q + k * k) / a0] };
  return { shelf, highPass };
}

/**
 * K-weights one channel and returns the sum of squares of each 100 ms hop (the trailing partial
 * hop is dropped: BS.1770 only uses complete blocks). Float64 throughout, filters start at rest.
 */
function hopEnergies(x: Float32Array, hop: number, { shelf, highPass }: { shelf: Biquad; highPass: Biquad }): Float64Array {
  const hops = Math.floor(x.length / hop);
  const out = new Float64Array(hops);
  const [sb0, sb1, sb2] = shelf.b;
  const [, sa1, sa2] = shelf.a;
  const [hb0, hb1, hb2] = highPass.b;
  const [, ha1, ha2] = highPass.a;
  // Transposed direct form II, one state pair per stage.
  let s1 = 0,
    s2 = 0,
    h1 = 0,
    h2 = 0;
  for (let j = 0, i = 0; j < hops; j++) {
    let sum = 0;
    for (const end = i + hop; i < end; i++) {
      const v = x[i];
      const y = sb0 * v + s1;
      s1 = sb1 * v - sa1 * y + s2;
      s2 = sb2 * v - sa2 * y;
      const z = hb0 * y + h1;
      h1 = hb1 * y - ha1 * z + h2;
      h2 = hb2 * y - ha2 * z;
      sum += z * z;
    }
    out[j] = sum;
  }
  return out;
}

const loudnessOf = (weightedMeanSquare: number): number => -0.691 + 10 * Math.log10(weightedMeanSquare);

/**
 * BS.1770-4 integrated loudness in LUFS; −Infinity when nothing passes the absolute gate
 * (silence). `weights` are the channel gains G_i (BS.1770-4 table 3: 1.0 for L, R, C; 1.41 for
 * surrounds; LFE excluded); all 1.0 by default, which is right for mono and stereo.
 *
 * A clip shorter than one 400 ms block has no complete block, so the standard gives no value; we
 * measure it as a single block of its whole length instead, so short region drags can still be
 * loudness-normalised (documented deviation; longer clips follow the standard exactly).
 */
export function integratedLoudness(channels: Float32Array[], sampleRate: number, weights?: number[]): number {
  if (channels.length === 0) throw new RangeError('integratedLoudness: need at least one channel');
  const n = channels[0].length;
  if (channels.some((c) => c.length !== n)) throw new RangeError('integratedLoudness: channels differ in length');
  const g = weights ?? channels.map(() => 1);
  if (g.length !== channels.length) throw new RangeError('integratedLoudness: one weight per channel');
  if (n === 0) return -Infinity;

  const filters = kWeightingFilters(sampleRate);
  // 100 ms hop (rounded to whole samples, as libebur128 does); a block is 4 hops = 400 ms, so
  // consecutive blocks overlap by exactly 75 %.
  const shortClip = n < 4 * Math.round(sampleRate / 10);
  const hop = shortClip ? n : Math.round(sampleRate / 10);
  const hopsPerBlock = shortClip ? 1 : 4;
  const energies = channels.map((c) => hopEnergies(c, hop, filters));
  const blocks = energies[0].length - hopsPerBlock + 1;

  // Σ_i G_i·z_ij for each block j, where z_ij is channel i's mean square over block j.
  const power = new Float64Array(blocks);
  for (let i = 0; i < channels.length; i++) {
    const e = energies[i];
    for (let j = 0; j < blocks; j++) {
      let sum = 0;
      for (let k = 0; k < hopsPerBlock; k++) sum += e[j + k];
      power[j] += (g[i] * sum) / (hop * hopsPerBlock);
    }
  }

  const gatedMean = (threshold: number): number => {
    let sum = 0;
    let count = 0;
    for (const p of power) {
      if (loudnessOf(p) > threshold) {
        sum += p;
        count++;
      }
    }
    return count === 0 ? 0 : sum / count;
  };
  const absolute = gatedMean(ABSOLUTE_GATE_LUFS);
  if (absolute === 0) return -Infinity;
  const relativeGate = loudnessOf(absolute) + RELATIVE_GATE_LU;
  return loudnessOf(gatedMean(Math.max(ABSOLUTE_GATE_LUFS, relativeGate)));
}
