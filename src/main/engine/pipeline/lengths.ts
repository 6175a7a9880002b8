import type { BundleConfig } from '../bundle/manifest.ts';

export interface LengthPlan {
  /** Mel frames the pipeline asks for (diffusers `height`). */
  melFrames: number;
  /** Latent frames that hold `melFrames`. */
  latentFrames: number;
  /** Latent frames actually denoised: rounded up to what the UNet's three downsamplings accept. */
  paddedLatentFrames: number;
  /** Samples returned to the user. */
  outputSamples: number;
}

/**
 * diffusers AudioLDM2Pipeline step 0: height = int(seconds / (hop/sr)), rounded up to a multiple
 * of the VAE scale factor; the waveform is trimmed to int(seconds·sr). The float division and
 * truncation are kept on purpose (0.29 s gives 28 frames, spec §8.5), so lengths match the reference.
 * We also pad the latent to a multiple of `unetTimeMultiple` (spec §7.7) and crop afterwards.
 */
export function planLengths(seconds: number, config: Pick<BundleConfig, 'sampleRate' | 'hopLength' | 'vaeScaleFactor' | 'unetTimeMultiple'>): LengthPlan {
  const secondsPerFrame = config.hopLength / config.sampleRate;
  let melFrames = Math.trunc(seconds / secondsPerFrame);
  if (melFrames % config.vaeScaleFactor !== 0) {
    melFrames = Math.ceil(melFrames / config.vaeScaleFactor) * config.vaeScaleFactor;
  }
  const latentFrames = melFrames / config.vaeScaleFactor;
  const paddedLatentFrames = Math.ceil(latentFrames / config.unetTimeMultiple) * config.unetTimeMultiple;
  const requested = Math.trunc(seconds * config.sampleRate);
  // The vocoder yields hop·frames + 32 samples; the output is the shorter of that and the request.
  const outputSamples = Math.min(requested, config.hopLength * melFrames + 32);
  return { melFrames, latentFrames, paddedLatentFrames, outputSamples };
}
