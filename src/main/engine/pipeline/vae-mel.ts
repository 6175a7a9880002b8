// The VAE's mel front-end (docs/engine-spec.md §4.1, AudioLDM 2 `utils.py` preprocessing): what the VAE encoder
// reads and the decoder writes. Pure functions; arithmetic in float64, results float32.
import { applyMelFilterBank, logClamp, melFilterBank, stft } from '../../audio/mel.ts';
import type { BundleConfig } from '../bundle/manifest.ts';

/** STFT size of the 16 kHz checkpoints (filter_length = win_length = 1024). */
export const VAE_N_FFT = 1024;
/** dynamic_range_compression's clamp: ln(1e-5) ≈ −11.5129 is silence. */
export const VAE_MEL_FLOOR = 1e-5;

export type VaeMelConfig = Pick<BundleConfig, 'sampleRate' | 'hopLength' | 'melBins'>;

const banks = new Map<string, Float32Array>();
function bankFor(config: VaeMelConfig): Float32Array {
  const key = `${config.sampleRate}/${config.melBins}`;
  let bank = banks.get(key);
  if (!bank) {
    bank = melFilterBank({ sampleRate: config.sampleRate, nFft: VAE_N_FFT, nMels: config.melBins, fMin: 0, fMax: config.sampleRate / 2 });
    banks.set(key, bank);
  }
  return bank;
}

/**
 * Log-mel [frames × melBins] of a waveform at the model rate: periodic Hann, reflect padding of
 * n_fft/2, magnitude STFT, Slaney mel bank, ln(max(x, 1e-5)). floor(n/hop) + 1 frames.
 */
export function vaeLogMel(samples: Float32Array, config: VaeMelConfig): { frames: number; data: Float32Array } {
  const spec = stft(samples, { nFft: VAE_N_FFT, hop: config.hopLength, center: true, padMode: 'reflect', power: 1 });
  const mel = applyMelFilterBank(spec, bankFor(config), config.melBins);
  return { frames: spec.frames, data: logClamp(mel, VAE_MEL_FLOOR) };
}

/** Cuts or pads a log-mel to `frames` rows; padding is silence (the clamp floor), not zeros (= loud). */
export function fitMelFrames(mel: { frames: number; data: Float32Array }, frames: number, melBins: number): Float32Array {
  const out = new Float32Array(frames * melBins).fill(Math.log(VAE_MEL_FLOOR));
  out.set(mel.data.subarray(0, Math.min(mel.frames, frames) * melBins));
  return out;
}

/**
 * The original inference path's level normalisation (docs/engine-spec.md §4.1, `read_wav_file`): remove DC and
 * scale the peak to 0.5. Returns the gain too, so generated audio can be brought back to the
 * reference's level. A silent clip keeps gain 1.
 */
export function normaliseForVae(samples: Float32Array): { samples: Float32Array; gain: number } {
  let mean = 0;
  for (let i = 0; i < samples.length; i++) mean += samples[i];
  mean /= Math.max(1, samples.length);
  let peak = 0;
  for (let i = 0; i < samples.length; i++) peak = Math.max(peak, Math.abs(samples[i] - mean));
  const gain = peak > 1e-8 ? 0.5 / peak : 1;
  const out = new Float32Array(samples.length);
  for (let i = 0; i < samples.length; i++) out[i] = (samples[i] - mean) * gain;
  return { samples: out, gain };
}
