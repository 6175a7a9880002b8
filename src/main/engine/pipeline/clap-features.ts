// CLAP audio features for re-ranking candidates (docs/engine-spec.md §2.11, §4.2), following transformers'
// ClapFeatureExtractor with the cvssp/audioldm2 hub settings ("rand_trunc" + "repeatpad",
// 480000 samples at 48 kHz, periodic Hann 1024, hop 480, power 2, 64 Slaney mels 50–14000 Hz,
// 10·log10(max(x, 1e-10))) — made deterministic: clips longer than maxSamples are cropped at the
// centre instead of at a random offset, and resampling is our own windowed-sinc instead of
// librosa's soxr. Exact parity with Python is therefore not a goal (docs/engine-spec.md §7.8).
import { applyMelFilterBank, melFilterBank, periodicHann, powerToDb, stft } from '../../audio/mel.ts';
import { resample } from '../../audio/resample.ts';
import type { ClapAudioConfig } from '../bundle/manifest.ts';

/** The cvssp/audioldm2 feature_extractor/preprocessor_config.json values. */
export const AUDIOLDM2_CLAP_AUDIO: ClapAudioConfig = {
  sampleRate: 48000,
  nFft: 1024,
  hopLength: 480,
  melBins: 64,
  fMin: 50,
  fMax: 14000,
  maxSamples: 480000,
};

/**
 * Brings a clip to exactly `maxSamples`: longer → the centred window; shorter → "repeatpad"
 * (tile ⌊max/len⌋ whole copies, then zeros), as in ClapFeatureExtractor._get_input_mel.
 */
export function fitClapLength(wave: Float32Array, maxSamples: number): Float32Array {
  const n = wave.length;
  if (n === 0) throw new RangeError('CLAP features: the clip is empty');
  if (n > maxSamples) {
    const start = Math.floor((n - maxSamples) / 2);
    return wave.slice(start, start + maxSamples);
  }
  const out = new Float32Array(maxSamples);
  const copies = Math.floor(maxSamples / n);
  for (let c = 0; c < copies; c++) out.set(wave, c * n);
  return out;
}

/** Log-mel features, frame-major [frames × melBins] (1001 × 64 for the hub config). */
export function clapAudioFeatures(wave: Float32Array, modelRate: number, cfg: ClapAudioConfig): Float32Array {
  const atClapRate = resample(wave, modelRate, cfg.sampleRate);
  const fitted = fitClapLength(atClapRate, cfg.maxSamples);
  const spec = stft(fitted, {
    nFft: cfg.nFft,
    hop: cfg.hopLength,
    window: periodicHann(cfg.nFft),
    center: true,
    padMode: 'reflect',
    power: 2,
  });
  const bank = melFilterBank({
    sampleRate: cfg.sampleRate,
    nFft: cfg.nFft,
    nMels: cfg.melBins,
    fMin: cfg.fMin,
    fMax: cfg.fMax,
  });
  return powerToDb(applyMelFilterBank(spec, bank, cfg.melBins), 1e-10);
}

export interface ClapRank {
  /** Index into the audio embeddings. */
  index: number;
  /** cosine(text, audio) · logitScale */
  score: number;
}

function unit(v: Float32Array, what: string): Float64Array {
  let ss = 0;
  for (const x of v) ss += x * x;
  const norm = Math.sqrt(ss);
  if (!(norm > 0) || !Number.isFinite(norm)) throw new RangeError(`rankByClap: ${what} has zero or non-finite length`);
  return Float64Array.from(v, (x) => x / norm);
}

/**
 * Orders candidate clips by CLAP similarity to the prompt, best first; equal scores keep their
 * input order. `logitScale` is the multiplier exp(logit_scale_t) from the CLAP weights (it only
 * scales the scores). The embeddings are normally already L2-normalised; they are normalised again
 * so an un-normalised export cannot change the order.
 */
export function rankByClap(textEmbed: Float32Array, audioEmbeds: Float32Array[], logitScale: number): ClapRank[] {
  if (!(logitScale > 0) || !Number.isFinite(logitScale)) {
    throw new RangeError(`rankByClap: logitScale must be a positive number, got ${logitScale}`);
  }
  const t = unit(textEmbed, 'the text embedding');
  const ranks = audioEmbeds.map((a, index): ClapRank => {
    if (a.length !== t.length) {
      throw new RangeError(`rankByClap: audio embedding ${index} has ${a.length} values, the text has ${t.length}`);
    }
    const u = unit(a, `audio embedding ${index}`);
    let dot = 0;
    for (let i = 0; i < u.length; i++) dot += t[i] * u[i];
    return { index, score: dot * logitScale };
  });
  return ranks.sort((a, b) => b.score - a.score || a.index - b.index);
}
