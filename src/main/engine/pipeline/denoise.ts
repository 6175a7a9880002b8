import { CancelledError } from '../../../shared/errors.ts';
import type { OnnxSession } from '../onnx/onnx-runtime.ts';
import { float32, int64 } from '../onnx/onnx-runtime.ts';
import type { Scheduler } from '../schedulers/scheduler.ts';
import type { PromptEmbeddings } from './encode-prompt.ts';
import { applyGuidance, concatRows } from './tensor-ops.ts';

export interface LatentShape {
  channels: number;
  frames: number;
  freq: number;
}

export interface DenoiseHooks {
  signal?: AbortSignal;
  /** Called after each step with the 1-based step number. */
  onStep?: (step: number, total: number) => void;
  /** Start at this index of the scheduler's timesteps (SDEdit); the earlier ones are skipped. */
  begin?: number;
  /** Rewrites the latents before each UNet call (inpainting pastes the known part, noised to t). */
  beforeStep?: (latents: Float32Array, t: number) => Float32Array;
  /**
   * RePaint resampling: after stepping from t, diffuse back to t and step again, `extra` more
   * times, so the generated part can settle against the pasted one.
   */
  resample?: { extra: number; renoise: (latents: Float32Array, t: number) => Float32Array };
}

/** Lets queued messages (cancel, shutdown) in between native runs, which block the thread. */
export const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new CancelledError();
}

/**
 * The diffusers denoising loop for one take: double the latents for guidance, predict the noise,
 * guide (negative half first), and let the scheduler step. Cancellation is checked before every
 * UNet call, so a cancel lands within one step's time.
 */
export async function denoise(
  unet: OnnxSession,
  scheduler: Scheduler,
  initialLatents: Float32Array,
  shape: LatentShape,
  conditioning: PromptEmbeddings,
  guidance: number,
  llmDim: number,
  t5Dim: number,
  hooks: DenoiseHooks = {},
): Promise<Float32Array> {
  const { batch, loa, t5Hidden, t5Mask, t5Length } = conditioning;
  const loaLength = loa.length / (batch * llmDim);
  const dims = [batch, shape.channels, shape.frames, shape.freq];
  const step = async (latents: Float32Array, t: number): Promise<Float32Array> => {
    await yieldToEventLoop();
    throwIfCancelled(hooks.signal);
    const input = hooks.beforeStep ? hooks.beforeStep(latents, t) : latents;
    const scaled = scheduler.scaleModelInput(input, t);
    const modelInput = batch === 2 ? concatRows([scaled, scaled]) : scaled;
    const result = await unet.run({
      sample: float32(modelInput, dims),
      timestep: float32(new Float32Array(batch).fill(t), [batch]),
      encoder_hidden_states: float32(loa, [batch, loaLength, llmDim]),
      encoder_hidden_states_1: float32(t5Hidden, [batch, t5Length, t5Dim]),
      encoder_attention_mask_1: int64(t5Mask, [batch, t5Length]),
    });
    const prediction = result.noise_pred.data as Float32Array;
    const noise = batch === 2 ? applyGuidance(prediction, guidance) : prediction;
    return scheduler.step(noise, t, input);
  };

  let latents = initialLatents;
  const timesteps = scheduler.timesteps;
  const begin = hooks.begin ?? 0;
  const extra = hooks.resample?.extra ?? 0;
  for (let i = begin; i < timesteps.length; i++) {
    const t = timesteps[i];
    latents = await step(latents, t);
    // RePaint's last timestep is never resampled: there is nothing below it to settle towards.
    for (let r = 0; r < extra && i < timesteps.length - 1; r++) latents = await step(hooks.resample!.renoise(latents, t), t);
    hooks.onStep?.(i - begin + 1, timesteps.length - begin);
  }
  return latents;
}
