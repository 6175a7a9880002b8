import type { BundleConfig } from '../bundle/manifest.ts';
import type { OnnxSession } from '../onnx/onnx-runtime.ts';
import { float32 } from '../onnx/onnx-runtime.ts';
import type { LengthPlan } from './lengths.ts';
import { scale } from './tensor-ops.ts';

/** VAE decode (latents ÷ scaling factor → log-mel), cropped to the frames that were asked for. */
export async function decodeLatents(vae: OnnxSession, latents: Float32Array, plan: LengthPlan, config: BundleConfig): Promise<Float32Array> {
  const { latentChannels, latentFreq, vaeScalingFactor, melBins } = config;
  const result = await vae.run({
    latents: float32(scale(latents, 1 / vaeScalingFactor), [1, latentChannels, plan.latentFrames, latentFreq]),
  });
  const mel = result.mel.data as Float32Array;
  return mel.slice(0, plan.melFrames * melBins);
}

/** HiFi-GAN: log-mel [frames, bins] → waveform, trimmed to the requested length. */
export async function vocode(vocoder: OnnxSession, mel: Float32Array, plan: LengthPlan, config: BundleConfig): Promise<Float32Array> {
  const result = await vocoder.run({ mel: float32(mel, [1, plan.melFrames, config.melBins]) });
  const waveform = result.waveform.data as Float32Array;
  return waveform.slice(0, plan.outputSamples);
}
