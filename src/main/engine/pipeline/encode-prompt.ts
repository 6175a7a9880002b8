import type { ModelBundle } from '../bundle/model-bundle.ts';
import { float32, int64 } from '../onnx/onnx-runtime.ts';
import type { PromptTokenizers } from '../tokenizers/text-tokenizers.ts';
import { generateLanguageOfAudio } from './language-of-audio.ts';
import { concatRows, onesInt64, row } from './tensor-ops.ts';

/** Conditioning for the UNet, batch-major; with guidance the batch is [negative, positive]. */
export interface PromptEmbeddings {
  batch: 1 | 2;
  t5Hidden: Float32Array;
  t5Mask: BigInt64Array;
  t5Length: number;
  /** GPT-2 "language of audio" vectors [batch, maxNewTokens, llmDim]. */
  loa: Float32Array;
  /** The positive prompt's L2-normalised CLAP text embedding, for ranking takes. */
  clapText: Float32Array;
  notices: string[];
}

/**
 * diffusers `encode_prompt`: CLAP text features and Flan-T5 hidden states → projection →
 * GPT-2 LOA. With guidance (> 1) the negative prompt is encoded in the same batch, first, and its
 * T5 tokens are padded or cut to the positive prompt's length (docs/engine-spec.md §2.1–§2.7).
 */
export async function encodePrompt(bundle: ModelBundle, tokenizers: PromptTokenizers, prompt: string, negativePrompt: string, guided: boolean): Promise<PromptEmbeddings> {
  const { clapDim, t5Dim, llmDim, gpt2Layers, maxNewTokens, clapMaxLength, t5MaxLength } = bundle.config;
  const batch = guided ? 2 : 1;
  const texts = guided ? [negativePrompt, prompt] : [prompt];
  const notices: string[] = [];

  const clapTokens = tokenizers.clap(texts);
  if (clapTokens.truncated.at(-1)) notices.push(`The prompt is longer than CLAP's ${clapMaxLength} tokens; the end was ignored by CLAP.`);
  const clapSession = await bundle.session('clapText');
  const clap = await clapSession.run({
    input_ids: int64(clapTokens.ids, [batch, clapTokens.length]),
    attention_mask: int64(clapTokens.mask, [batch, clapTokens.length]),
  });
  const clapEmbeds = clap.text_embeds.data as Float32Array;

  const positive = tokenizers.t5([prompt]);
  if (positive.truncated[0]) notices.push(`The prompt is longer than T5's ${t5MaxLength} tokens; only the first ${t5MaxLength} were used.`);
  const t5Length = positive.length;
  let ids = positive.ids;
  let t5Mask = positive.mask;
  if (guided) {
    const negative = tokenizers.t5([negativePrompt], t5Length);
    if (negative.truncated[0]) notices.push(`The negative prompt was cut to the prompt's length of ${t5Length} T5 tokens (as diffusers does).`);
    ids = concatRows([negative.ids, positive.ids]);
    t5Mask = concatRows([negative.mask, positive.mask]);
  }
  const t5 = await (
    await bundle.session('t5Encoder')
  ).run({
    input_ids: int64(ids, [batch, t5Length]),
    attention_mask: int64(t5Mask, [batch, t5Length]),
  });
  const t5Hidden = t5.last_hidden_state.data as Float32Array;

  const projected = await (
    await bundle.session('projection')
  ).run({
    clap_embeds: float32(clapEmbeds, [batch, 1, clapDim]),
    clap_mask: int64(onesInt64(batch), [batch, 1]),
    t5_hidden: float32(t5Hidden, [batch, t5Length, t5Dim]),
    t5_mask: int64(t5Mask, [batch, t5Length]),
  });

  const loa = await generateLanguageOfAudio(
    await bundle.gpt2PrefillSession(),
    await bundle.session('gpt2Step'),
    projected.inputs_embeds.data as Float32Array,
    projected.attention_mask.data as BigInt64Array,
    batch,
    maxNewTokens,
    { llmDim, layers: gpt2Layers },
  );

  return { batch, t5Hidden, t5Mask, t5Length, loa, clapText: row(clapEmbeds, batch, batch - 1), notices };
}
