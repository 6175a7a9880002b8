/**
 * Per-component ONNX Runtime session choices that trade load time against run time.
 *
 * Weight prepacking (ORT's default) copies every constant MatMul weight into MLAS's panel layout
 * when the session is created, so each run skips that packing. It pays where a graph runs many
 * times on many rows, and costs where a graph runs once per take: measured on the `full` random
 * checkpoint (2 cores, 2026-12-03, CPU seconds under the same load), Flan-T5's session took 6.2 s
 * to create with prepacking and 0.16 s without, while one run at batch 2 × 14 tokens went from
 * 0.18 s to 0.30 s; CLAP text 1.6 s → 0.17 s to load for +30 ms a run; GPT-2 prefill 1.9 s → 0.13 s
 * for +27 ms. GPT-2's step graph runs 8 times a take and the UNet 2 × steps times, so both keep
 * their packed weights (the UNet's step is ~20 % slower unpacked); the VAE, vocoder and CLAP audio
 * are convolution-bound, where prepacking costs little either way.
 *
 * The UNet's and VAE decoder's optimized graphs are cached per machine (optimized-graph-cache.ts):
 * their sessions spend most of their creation rewriting convolutions into NCHWc layouts and packing
 * weights. The UNet's full session took 11.4 CPU-seconds to create from the bundle and 2.8 from the
 * cache, with steps at the same speed; the cache costs disk (2.3 GB for the full UNet, its packed
 * weights included), so the graphs that load fast without it are not cached.
 */
import type { ComponentKey } from './contract.ts';

export interface SessionTuning {
  prepackWeights: boolean;
  /** Keep ORT's optimized graph (CPU only) so later launches skip the optimization. */
  cacheOptimized: boolean;
}

const RUN_ONCE_PER_TAKE: SessionTuning = { prepackWeights: false, cacheOptimized: false };
const RUN_OFTEN: SessionTuning = { prepackWeights: true, cacheOptimized: false };
const RUN_OFTEN_SLOW_TO_OPTIMIZE: SessionTuning = { prepackWeights: true, cacheOptimized: true };

export const SESSION_TUNING: Readonly<Record<ComponentKey, SessionTuning>> = {
  clapText: RUN_ONCE_PER_TAKE,
  t5Encoder: RUN_ONCE_PER_TAKE,
  projection: RUN_ONCE_PER_TAKE,
  gpt2Prefill: RUN_ONCE_PER_TAKE,
  gpt2Step: RUN_OFTEN,
  unet: RUN_OFTEN_SLOW_TO_OPTIMIZE,
  vaeDecoder: RUN_OFTEN_SLOW_TO_OPTIMIZE,
  vaeEncoder: RUN_OFTEN,
  vocoder: RUN_OFTEN,
  clapAudio: RUN_OFTEN,
};
