import type { BundleConfig } from '../bundle/manifest.ts';

export interface LengthPlan {
  /** Mel frames the pipeline asks for (diffusers `height`). */
  melFrames: number;
  /** Latent frames denoised: exactly what holds `melFrames` (the UNet takes any length). */
  latentFrames: number;
  /** Samples returned to the user. */
  outputSamples: number;
}

/**
 * diffusers AudioLDM2Pipeline step 0: height = int(seconds / (hop/sr)), rounded up to a multiple
 * of the VAE scale factor; the waveform is trimmed to int(seconds·sr). The float division and
 * truncation are kept on purpose (0.29 s gives 28 frames), so lengths match the reference. The
 * latent is never padded: like diffusers, the UNet runs at 63 frames for 2.5 s and interpolates to
 * each skip connection's size on the way up (padding to 64 was measured to change the audio).
 */
export function planLengths(seconds: number, config: Pick<BundleConfig, 'sampleRate' | 'hopLength' | 'vaeScaleFactor'>): LengthPlan {
  const secondsPerFrame = config.hopLength / config.sampleRate;
  let melFrames = Math.trunc(seconds / secondsPerFrame);
  if (melFrames % config.vaeScaleFactor !== 0) {
    melFrames = Math.ceil(melFrames / config.vaeScaleFactor) * config.vaeScaleFactor;
  }
  const latentFrames = melFrames / config.vaeScaleFactor;
  const requested = Math.trunc(seconds * config.sampleRate);
  // The vocoder yields hop·frames + 32 samples; the output is the shorter of that and the request.
  const outputSamples = Math.min(requested, config.hopLength * melFrames + 32);
  return { melFrames, latentFrames, outputSamples };
}
