import type { OnnxSession, TensorData } from '../onnx/onnx-runtime.ts';
import { float32, int64 } from '../onnx/onnx-runtime.ts';
import { InferenceError } from '../../../shared/errors.ts';

export interface GptDims {
  llmDim: number;
  layers: number;
}

/**
 * GPT-2 writes the "language of audio": starting from the projected prefix it generates
 * `maxNewTokens` hidden states, each fed back as the next input embedding (diffusers
 * `generate_language_model`). The KV cache makes each new vector cost one position.
 * Position ids are arange over the sequence, not derived from the padding mask (GPT-2 does that).
 * Returns [batch, maxNewTokens, llmDim].
 */
export async function generateLanguageOfAudio(
  prefill: OnnxSession,
  step: OnnxSession,
  inputsEmbeds: Float32Array,
  attentionMask: BigInt64Array,
  batch: number,
  maxNewTokens: number,
  dims: GptDims,
): Promise<Float32Array> {
  const seqLen = attentionMask.length / batch;
  const { llmDim, layers } = dims;
  const out = new Float32Array(batch * maxNewTokens * llmDim);
  const positions = new BigInt64Array(batch * seqLen);
  for (let b = 0; b < batch; b++) for (let s = 0; s < seqLen; s++) positions[b * seqLen + s] = BigInt(s);

  const prefillFeeds: Record<string, TensorData> = {
    inputs_embeds: float32(inputsEmbeds, [batch, seqLen, llmDim]),
    attention_mask: int64(attentionMask, [batch, seqLen]),
    position_ids: int64(positions, [batch, seqLen]),
  };
  // A step graph that takes any number of new positions is its own prefill, over an empty cache.
  if (prefill.inputs.some((v) => v.name === 'past.0.key')) {
    const heads = pastShape(prefill);
    for (let i = 0; i < layers; i++) {
      prefillFeeds[`past.${i}.key`] = float32(new Float32Array(0), [batch, heads.heads, 0, heads.headDim]);
      prefillFeeds[`past.${i}.value`] = float32(new Float32Array(0), [batch, heads.heads, 0, heads.headDim]);
    }
  }
  let result = await prefill.run(prefillFeeds);
  let mask = attentionMask;
  let length = seqLen;
  for (let k = 0; k < maxNewTokens; k++) {
    const hidden = result.last_hidden_state.data as Float32Array;
    const positionsInOutput = hidden.length / (batch * llmDim);
    const next = new Float32Array(batch * llmDim);
    for (let b = 0; b < batch; b++) {
      const last = hidden.subarray((b * positionsInOutput + positionsInOutput - 1) * llmDim, (b * positionsInOutput + positionsInOutput) * llmDim);
      next.set(last, b * llmDim);
      out.set(last, (b * maxNewTokens + k) * llmDim);
    }
    if (k === maxNewTokens - 1) break;

    mask = appendOne(mask, batch, length);
    length += 1;
    const feeds: Record<string, TensorData> = {
      inputs_embeds: float32(next, [batch, 1, llmDim]),
      attention_mask: int64(mask, [batch, length]),
      position_ids: int64(new BigInt64Array(batch).fill(BigInt(length - 1)), [batch, 1]),
    };
    for (let i = 0; i < layers; i++) {
      feeds[`past.${i}.key`] = result[`present.${i}.key`];
      feeds[`past.${i}.value`] = result[`present.${i}.value`];
    }
    result = await step.run(feeds);
  }
  return out;
}

/** Heads and head size of a cache input, as the graph declares them ([batch, heads, past_len, headDim]). */
function pastShape(graph: OnnxSession): { heads: number; headDim: number } {
  const dims = graph.inputs.find((v) => v.name === 'past.0.key')?.dims ?? [];
  const [heads, headDim] = [dims[1], dims[3]];
  if (typeof heads !== 'number' || typeof headDim !== 'number' || heads < 1 || headDim < 1) {
    throw new InferenceError(`${graph.component}: past.0.key must declare its heads and head size, got [${dims.join(', ')}].`);
  }
  return { heads, headDim };
}

function appendOne(mask: BigInt64Array, batch: number, length: number): BigInt64Array {
  const out = new BigInt64Array(batch * (length + 1));
  for (let b = 0; b < batch; b++) {
    out.set(mask.subarray(b * length, (b + 1) * length), b * (length + 1));
    out[b * (length + 1) + length] = 1n;
  }
  return out;
}
