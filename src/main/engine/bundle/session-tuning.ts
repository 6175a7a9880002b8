/**
 * Per-component ONNX Runtime session choices that trade load time and memory against run time.
 *
 * Weight prepacking (ORT's default) copies every constant MatMul weight into MLAS's panel layout
 * when the session is created, so each run skips that packing. It pays where a graph runs many
 * times, and costs where a graph runs once per take: measured on the `full` random checkpoint
 * (2 cores, 2026-12-03, CPU seconds under the same load), Flan-T5's session took 6.2 s to create
 * with prepacking and 0.16 s without, while one run at batch 2 × 14 tokens went from 0.18 s to
 * 0.30 s; CLAP text 1.6 s → 0.17 s to load for +30 ms a run; GPT-2 prefill 1.9 s → 0.13 s for
 * +27 ms. GPT-2's step graph runs 8 times a take (and is a built bundle's prefill too) and the UNet
 * 2 × steps times, so both keep their packed weights (a GPT-2 step at batch 2 took 50–70 ms unpacked
 * against 18–35 ms packed; the UNet's step is ~20 % slower unpacked).
 *
 * ORT's memory pattern plans one block for a run's intermediate tensors from the first run and
 * allocates it on the next, while the arena keeps what the first run took: the VAE decoder's
 * memory grew by 0.21 GB and the vocoder's by 0.12 GB on their second run, for no speed gained
 * (3.6 s and 6.3–6.5 s a run either way). The UNet keeps it: a step is ~13 % slower without.
 */
import type { ComponentKey } from './contract.ts';

export interface SessionTuning {
  prepackWeights: boolean;
  memoryPattern: boolean;
}

const RUN_ONCE_PER_TAKE: SessionTuning = { prepackWeights: false, memoryPattern: true };
const RUN_OFTEN: SessionTuning = { prepackWeights: true, memoryPattern: true };
const CONVOLUTIONS_ONCE_PER_TAKE: SessionTuning = { prepackWeights: true, memoryPattern: false };

export const SESSION_TUNING: Readonly<Record<ComponentKey, SessionTuning>> = {
  clapText: RUN_ONCE_PER_TAKE,
  t5Encoder: RUN_ONCE_PER_TAKE,
  projection: RUN_ONCE_PER_TAKE,
  gpt2Prefill: RUN_ONCE_PER_TAKE,
  gpt2Step: RUN_OFTEN,
  unet: RUN_OFTEN,
  vaeDecoder: CONVOLUTIONS_ONCE_PER_TAKE,
  vaeEncoder: RUN_OFTEN,
  vocoder: CONVOLUTIONS_ONCE_PER_TAKE,
  clapAudio: RUN_OFTEN,
};
