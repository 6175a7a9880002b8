// Spectrogram building blocks shared by the VAE mel (docs/engine-spec.md §4.1) and the CLAP features (§4.2):
// a periodic Hann window, librosa's Slaney mel filter bank, and a centred STFT. Pure functions on
// typed arrays; arithmetic in float64, results stored as Float32Array.
import { RealFft } from './fft.ts';

/** Periodic Hann (scipy get_window('hann', n, fftbins=True), torch.hann_window): 0.5 − 0.5·cos(2πi/n). */
export function periodicHann(n: number): Float64Array {
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) w[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n);
  return w;
}

// Slaney's Auditory Toolbox mel scale (librosa hz_to_mel/mel_to_hz, htk=False): linear at
// 200/3 Hz per mel below 1 kHz, logarithmic above with 27 mels per factor 6.4.
const F_SP = 200 / 3;
const MIN_LOG_HZ = 1000;
const MIN_LOG_MEL = MIN_LOG_HZ / F_SP;
const LOGSTEP = Math.log(6.4) / 27;

export function hzToMelSlaney(hz: number): number {
  return hz >= MIN_LOG_HZ ? MIN_LOG_MEL + Math.log(hz / MIN_LOG_HZ) / LOGSTEP : hz / F_SP;
}

export function melToHzSlaney(mel: number): number {
  return mel >= MIN_LOG_MEL ? MIN_LOG_HZ * Math.exp(LOGSTEP * (mel - MIN_LOG_MEL)) : F_SP * mel;
}

/** librosa.mel_frequencies(n, fmin, fmax): n points evenly spaced in Slaney mel (np.linspace arithmetic). */
export function melFrequencies(n: number, fMin: number, fMax: number): Float64Array {
  const lo = hzToMelSlaney(fMin);
  const hi = hzToMelSlaney(fMax);
  const out = new Float64Array(n);
  const step = n > 1 ? (hi - lo) / (n - 1) : 0;
  for (let i = 0; i < n; i++) out[i] = melToHzSlaney(i === n - 1 && n > 1 ? hi : i * step + lo);
  return out;
}

export interface MelFilterBankOptions {
  sampleRate: number;
  nFft: number;
  nMels: number;
  fMin: number;
  fMax: number;
}

/**
 * librosa.filters.mel(sr, n_fft, n_mels, fmin, fmax) with its defaults htk=False, norm="slaney",
 * dtype float32: triangles between consecutive mel points, each scaled to unit area
 * (2 / (f[i+2] − f[i])). Row-major [nMels × (nFft/2+1)]. Values are rounded to float32 twice,
 * like librosa (once when the triangle is stored, once after the area scaling).
 */
export function melFilterBank(o: MelFilterBankOptions): Float32Array {
  const bins = Math.floor(o.nFft / 2) + 1;
  if (!(o.fMin >= 0 && o.fMax > o.fMin && o.fMax <= o.sampleRate / 2 + 1e-9) || o.nMels < 1) {
    throw new RangeError(`melFilterBank: need 0 ≤ fMin < fMax ≤ sampleRate/2 and nMels ≥ 1`);
  }
  const binHz = 1 / (o.nFft * (1 / o.sampleRate)); // np.fft.rfftfreq arithmetic
  const melF = melFrequencies(o.nMels + 2, o.fMin, o.fMax);
  const out = new Float32Array(o.nMels * bins);
  for (let m = 0; m < o.nMels; m++) {
    const lowerWidth = melF[m + 1] - melF[m];
    const upperWidth = melF[m + 2] - melF[m + 1];
    const enorm = 2 / (melF[m + 2] - melF[m]);
    for (let k = 0; k < bins; k++) {
      const f = k * binHz;
      const lower = -(melF[m] - f) / lowerWidth;
      const upper = (melF[m + 2] - f) / upperWidth;
      const tri = Math.fround(Math.max(0, Math.min(lower, upper)));
      out[m * bins + k] = tri * enorm;
    }
  }
  return out;
}

export interface StftOptions {
  nFft: number;
  hop: number;
  /** Length nFft; defaults to periodicHann(nFft). */
  window?: ArrayLike<number>;
  /** Pad nFft/2 on both sides so frame t is centred on sample t·hop (librosa/torch default). */
  center?: boolean;
  padMode?: 'reflect' | 'constant';
  /** 1 = magnitude, 2 = power. */
  power: 1 | 2;
}

/** Frame-major spectrogram: data[frame·bins + bin]. */
export interface Spectrogram {
  frames: number;
  bins: number;
  data: Float32Array;
}

/** np.pad(mode="reflect") index: mirror without repeating the edge sample (period 2(n−1)). */
function reflectIndex(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * (n - 1);
  let j = Math.abs(i) % period;
  if (j >= n) j = period - j;
  return j;
}

/**
 * Short-time Fourier transform |X|^power. With center=true there are 1 + ⌊n/hop⌋ frames
 * (16000 samples, hop 160 → 101); without it 1 + ⌊(n − nFft)/hop⌋.
 */
export function stft(x: Float32Array, o: StftOptions): Spectrogram {
  const { nFft, hop } = o;
  if (!Number.isInteger(hop) || hop < 1) throw new RangeError(`stft: hop must be a positive integer, got ${hop}`);
  const window = o.window ?? periodicHann(nFft);
  if (window.length !== nFft) throw new RangeError(`stft: window has ${window.length} points, nFft is ${nFft}`);
  const center = o.center ?? true;
  const reflect = (o.padMode ?? 'reflect') === 'reflect';
  const n = x.length;
  const pad = center ? Math.floor(nFft / 2) : 0;
  if (n === 0 || (!center && n < nFft)) throw new RangeError(`stft: input of ${n} samples is too short`);
  const frames = 1 + Math.floor((n + 2 * pad - nFft) / hop);
  const bins = nFft / 2 + 1;

  const fft = new RealFft(nFft);
  const win = Float64Array.from(window);
  const frame = new Float64Array(nFft);
  const re = new Float64Array(bins);
  const im = new Float64Array(bins);
  const data = new Float32Array(frames * bins);
  for (let f = 0; f < frames; f++) {
    const start = f * hop - pad;
    if (start >= 0 && start + nFft <= n) {
      for (let k = 0; k < nFft; k++) frame[k] = x[start + k] * win[k];
    } else {
      for (let k = 0; k < nFft; k++) {
        const s = start + k;
        const v = s >= 0 && s < n ? x[s] : reflect ? x[reflectIndex(s, n)] : 0;
        frame[k] = v * win[k];
      }
    }
    fft.forward(frame, re, im);
    const row = f * bins;
    if (o.power === 2) {
      for (let k = 0; k < bins; k++) data[row + k] = re[k] * re[k] + im[k] * im[k];
    } else {
      for (let k = 0; k < bins; k++) data[row + k] = Math.sqrt(re[k] * re[k] + im[k] * im[k]);
    }
  }
  return { frames, bins, data };
}

/** mel[frame, m] = Σ_k bank[m, k]·spec[frame, k] → frame-major [frames × nMels]. */
export function applyMelFilterBank(spec: Spectrogram, bank: Float32Array, nMels: number): Float32Array {
  const { frames, bins, data } = spec;
  if (bank.length !== nMels * bins) {
    throw new RangeError(`applyMelFilterBank: bank is ${bank.length} values, expected ${nMels}×${bins}`);
  }
  // Each triangle covers a few bins; visit only its non-zero span.
  const first = new Int32Array(nMels);
  const end = new Int32Array(nMels);
  for (let m = 0; m < nMels; m++) {
    let a = 0;
    while (a < bins && bank[m * bins + a] === 0) a++;
    let b = bins;
    while (b > a && bank[m * bins + b - 1] === 0) b--;
    first[m] = a;
    end[m] = b;
  }
  const out = new Float32Array(frames * nMels);
  for (let f = 0; f < frames; f++) {
    const row = f * bins;
    for (let m = 0; m < nMels; m++) {
      let acc = 0;
      const w = m * bins;
      for (let k = first[m]; k < end[m]; k++) acc += bank[w + k] * data[row + k];
      out[f * nMels + m] = acc;
    }
  }
  return out;
}

/** ln(max(x, floor)) — AudioLDM's dynamic_range_compression with C = 1 uses floor 1e-5. */
export function logClamp(x: Float32Array, floor: number): Float32Array {
  return Float32Array.from(x, (v) => Math.log(Math.max(v, floor)));
}

/** 10·log10(max(x, floor)) — transformers' spectrogram(log_mel="dB") with mel_floor 1e-10. */
export function powerToDb(x: Float32Array, floor = 1e-10): Float32Array {
  return Float32Array.from(x, (v) => 10 * Math.log10(Math.max(v, floor)));
}
