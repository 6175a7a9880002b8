/**
 * GPT-2, the "language of audio" model of AudioLDM 2 (transformers GPT2Model, eager attention, as
 * diffusers' `generate_language_model` runs it): two graphs sharing one set of weights —
 * `gpt2Prefill` over the projected prefix, returning the KV cache, and `gpt2Step` for one new
 * position on top of that cache. GPT-2 only ever sees `inputs_embeds` here, so the token embedding
 * `wte.weight` is never loaded (it stays in the file, unused). Attention runs in ORT's fused
 * MultiHeadAttention with GPT-2's cache layout ([batch, heads, len, headDim]) as its past/present,
 * and transformers' causal and padding masks as one additive bias.
 */
import { ConfigReader } from '../checkpoint/config-reader.ts';
import type { Checkpoint, Config } from '../checkpoint/checkpoint.ts';
import { weightsLocation } from '../bundle-layout.ts';
import { float, Graph, int, MS_DOMAIN } from '../onnx/graph.ts';
import { conv1dLinear, gelu, geluTanh, layerNorm, relu } from '../onnx/layers.ts';
import { Weights } from '../onnx/weights.ts';

/** transformers' ACT2FN names we build, and the layer each is. */
const ACTIVATIONS = {
  // NewGELUActivation / PytorchGELUTanh: the tanh approximation (ORT FastGelu is that formula).
  gelu_new: geluTanh,
  gelu_pytorch_tanh: geluTanh,
  // GELUActivation: exact erf GELU.
  gelu: gelu,
  relu,
} as const;

export type Gpt2Activation = keyof typeof ACTIVATIONS;

/** GPT2Config's defaults (transformers configuration_gpt2.py), for keys a saved config leaves out. */
const GPT2_DEFAULTS: Config = {
  n_positions: 1024,
  n_embd: 768,
  n_layer: 12,
  n_head: 12,
  n_inner: null,
  activation_function: 'gelu_new',
  layer_norm_epsilon: 1e-5,
  scale_attn_weights: true,
  scale_attn_by_inverse_layer_idx: false,
  reorder_and_upcast_attn: false,
  add_cross_attention: false,
};

/** torch.finfo(torch.float32).min: the value transformers fills masked attention scores with. */
const FLOAT32_MIN = -3.4028234663852886e38;

export interface Gpt2Dims {
  llmDim: number;
  heads: number;
  headDim: number;
  layers: number;
  /** The MLP width: n_inner, or 4·n_embd when it is null (GPT2Block). */
  innerDim: number;
  /** Rows of the position table wpe (n_positions). */
  positions: number;
  eps: number;
  activation: Gpt2Activation;
  /** 1/√headDim when scale_attn_weights, else 1. */
  scale: number;
}

export function gpt2Dims(checkpoint: Checkpoint): Gpt2Dims {
  const config = new ConfigReader(checkpoint.components.language_model.configPath, checkpoint.config('language_model'), GPT2_DEFAULTS);
  config.expect('model_type', 'gpt2');
  // Options GPT2Attention / GPT2Block implement that these graphs do not.
  config.expect('scale_attn_by_inverse_layer_idx', false);
  config.expect('reorder_and_upcast_attn', false);
  config.expect('add_cross_attention', false);
  config.expect('pruned_heads', {});
  const llmDim = config.int('n_embd');
  const heads = config.int('n_head');
  if (llmDim % heads !== 0) config.refuse('n_head', heads, `a divisor of n_embd (${llmDim})`);
  const headDim = llmDim / heads;
  const inner = config.raw('n_inner');
  return {
    llmDim,
    heads,
    headDim,
    layers: config.int('n_layer'),
    innerDim: inner === null ? 4 * llmDim : config.int('n_inner'),
    positions: config.int('n_positions'),
    eps: config.number('layer_norm_epsilon', { min: 0 }),
    activation: config.string('activation_function', Object.keys(ACTIVATIONS)) as Gpt2Activation,
    scale: config.bool('scale_attn_weights') ? 1 / Math.sqrt(headDim) : 1,
  };
}

/** Tensors of a GPT-2 checkpoint these graphs leave unused on purpose: the token embedding, and the causal-mask buffers older exports saved. */
export function isUnusedGpt2Tensor(name: string): boolean {
  return name === 'wte.weight' || /^h\.\d+\.attn\.(bias|masked_bias)$/.test(name);
}

interface Gpt2Inputs {
  g: Graph;
  w: Weights;
  dims: Gpt2Dims;
  embeds: string;
  positionIds: string;
  /** Additive attention bias, broadcastable to [batch, heads, queries, keys]. */
  bias: string;
  /** Per layer, the cache the new keys/values are appended to (the step graph). */
  past?: KeyValue[];
}

interface KeyValue {
  key: string;
  value: string;
}

/**
 * GPT2Attention's core on [batch, seq, D] q, k, v through ORT's fused MultiHeadAttention: the
 * new keys/values are appended to `past` ([batch, heads, past_len, headDim], GPT-2's layout) and
 * returned as the present cache; scores are q·kᵀ·scale + `bias`, softmaxed, times v.
 */
function cachedSelfAttention(g: Graph, prefix: string, q: string, k: string, v: string, dims: Gpt2Dims, bias: string, past?: KeyValue): { output: string; present: KeyValue } {
  // Inputs: query, key, value, bias (packed qkv bias), key_padding_mask, attention_bias, past_key, past_value.
  const [output, key, value] = g.opN(
    'MultiHeadAttention',
    [q, k, v, undefined, undefined, bias, past?.key, past?.value],
    { num_heads: int(dims.heads), scale: float(dims.scale) },
    { domain: MS_DOMAIN, outputs: 3, name: `${prefix}.attn.mha` },
  );
  return { output, present: { key, value } };
}

/** wpe(position_ids) + inputs_embeds → blocks → ln_f; returns the last hidden state and each layer's keys/values. */
function gpt2Body({ g, w, dims, embeds, positionIds, bias, past }: Gpt2Inputs): { hidden: string; presents: KeyValue[] } {
  const { llmDim, innerDim, eps } = dims;
  const wpe = w.load(g, 'wpe.weight', [dims.positions, llmDim], 'embedding');
  let h = g.op('Add', [embeds, g.op('Gather', [wpe, positionIds], { axis: int(0) }, { name: 'wpe' })], {}, { name: 'embeds' });
  const presents: KeyValue[] = [];
  for (let i = 0; i < dims.layers; i++) {
    const p = `h.${i}`;
    // Attention: Conv1D c_attn [D, 3D] → q, k, v (GPT2Attention.forward's split), cache, c_proj.
    const qkv = conv1dLinear(g, w, `${p}.attn.c_attn`, layerNorm(g, w, `${p}.ln_1`, h, eps, llmDim), { in: llmDim, out: 3 * llmDim });
    const [q, k, v] = g.opN('Split', [qkv, g.constInt([llmDim, llmDim, llmDim])], { axis: int(-1) }, { outputs: 3, name: `${p}.attn.qkv` });
    const attn = cachedSelfAttention(g, p, q, k, v, dims, bias, past?.[i]);
    presents.push(attn.present);
    h = g.op('Add', [h, conv1dLinear(g, w, `${p}.attn.c_proj`, attn.output, { in: llmDim, out: llmDim })], {}, { name: `${p}.attn.residual` });
    // MLP: c_fc → activation → c_proj (GPT2MLP).
    const fc = conv1dLinear(g, w, `${p}.mlp.c_fc`, layerNorm(g, w, `${p}.ln_2`, h, eps, llmDim), { in: llmDim, out: innerDim });
    const mlp = conv1dLinear(g, w, `${p}.mlp.c_proj`, ACTIVATIONS[dims.activation](g, fc), { in: innerDim, out: llmDim });
    h = g.op('Add', [h, mlp], {}, { name: `${p}.mlp.residual` });
  }
  return { hidden: layerNorm(g, w, 'ln_f', h, eps, llmDim), presents };
}

/**
 * The padding mask as GPT2Model applies it: (1 − m)·finfo(float32).min, [batch, 1, 1, keys], added
 * to the scores after the causal mask.
 */
function paddingBias(g: Graph, mask: string): string {
  const m = g.op('Cast', [mask], { to: int(1) }, { name: 'mask.f32' });
  const masked = g.op('Mul', [g.op('Sub', [g.constFloat(1), m]), g.constFloat(FLOAT32_MIN)], {}, { name: 'mask.bias' });
  return g.op('Unsqueeze', [masked, g.constInt([1, 2])], {}, { name: 'mask.bias4d' });
}

/**
 * GPT2Attention's causal mask for a prefix with no cache: key j is hidden from query i when j > i
 * (the score becomes finfo.min), [seq, seq]. It depends on the index in the sequence, not on position_ids.
 */
function causalBias(g: Graph, mask: string): string {
  const seq = g.op('Gather', [g.op('Shape', [mask]), g.constInt(1)], { axis: int(0) }, { name: 'seq' });
  const index = g.op('Range', [g.constInt(0), seq, g.constInt(1)], {}, { name: 'index' });
  const future = g.op('Greater', [g.op('Unsqueeze', [index, g.constInt([0])]), g.op('Unsqueeze', [index, g.constInt([1])])], {}, { name: 'future' });
  return g.op('Where', [future, g.constFloat(FLOAT32_MIN), g.constFloat(0)], {}, { name: 'causal.bias' });
}

function languageModelWeights(checkpoint: Checkpoint): Weights {
  return new Weights(checkpoint.weights('language_model'), weightsLocation('language_model'));
}

function outputPresents(g: Graph, dims: Gpt2Dims, presents: KeyValue[], len: string): void {
  presents.forEach(({ key, value }, i) => {
    g.output(key, `present.${i}.key`, 'float32', ['batch', dims.heads, len, dims.headDim]);
    g.output(value, `present.${i}.value`, 'float32', ['batch', dims.heads, len, dims.headDim]);
  });
}

/** GPT2Model over the whole prefix: last_hidden_state and the KV cache of every layer. */
export function buildGpt2Prefill(checkpoint: Checkpoint): Graph {
  const dims = gpt2Dims(checkpoint);
  const g = new Graph('gpt2Prefill');
  const embeds = g.input('inputs_embeds', 'float32', ['batch', 'seq', dims.llmDim]);
  const mask = g.input('attention_mask', 'int64', ['batch', 'seq']);
  const positionIds = g.input('position_ids', 'int64', ['batch', 'seq']);
  // transformers puts finfo.min on a future key, then adds the padding term: a key both future and
  // padded scores −inf there. Its softmax weight is exactly 0 either way; the minimum of the two
  // biases keeps that weight 0 while the bias stays finite for the fused kernel (and fp16 copies).
  const bias = g.op('Min', [causalBias(g, mask), paddingBias(g, mask)], {}, { name: 'attn.bias' });
  const { hidden, presents } = gpt2Body({ g, w: languageModelWeights(checkpoint), dims, embeds, positionIds, bias });
  g.output(hidden, 'last_hidden_state', 'float32', ['batch', 'seq', dims.llmDim]);
  outputPresents(g, dims, presents, 'seq');
  return g;
}

/**
 * GPT2Model for `seq` new positions after `past_len` cached ones: the KV-cache step (seq = 1) and,
 * with an empty cache (past_len = 0), the prefill too. One graph means one ORT session holding
 * GPT-2's packed weights once: a second session for the prefill kept a second copy of them
 * resident (0.32 GB of the full checkpoint's RSS) and ran its prefix on unpacked weights. New
 * position i sits at past_len + i, so key j is hidden from it when j > past_len + i (GPT2Attention's
 * causal slice); the padding mask covers all `total_len` = past_len + seq keys. At seq = 1 the
 * causal term hides nothing.
 */
export function buildGpt2Step(checkpoint: Checkpoint): Graph {
  const dims = gpt2Dims(checkpoint);
  const g = new Graph('gpt2Step');
  const embeds = g.input('inputs_embeds', 'float32', ['batch', 'seq', dims.llmDim]);
  const mask = g.input('attention_mask', 'int64', ['batch', 'total_len']);
  const positionIds = g.input('position_ids', 'int64', ['batch', 'seq']);
  const past = Array.from({ length: dims.layers }, (_, i) => ({
    key: g.input(`past.${i}.key`, 'float32', ['batch', dims.heads, 'past_len', dims.headDim]),
    value: g.input(`past.${i}.value`, 'float32', ['batch', dims.heads, 'past_len', dims.headDim]),
  }));
  const bias = g.op('Min', [cachedCausalBias(g, embeds, mask), paddingBias(g, mask)], {}, { name: 'attn.bias' });
  const { hidden, presents } = gpt2Body({ g, w: languageModelWeights(checkpoint), dims, embeds, positionIds, bias, past });
  g.output(hidden, 'last_hidden_state', 'float32', ['batch', 'seq', dims.llmDim]);
  outputPresents(g, dims, presents, 'total_len');
  return g;
}

/** The causal mask of `seq` new queries over `total_len` keys, the last `seq` of which are theirs: [seq, total_len]. */
function cachedCausalBias(g: Graph, embeds: string, mask: string): string {
  const seq = g.op('Gather', [g.op('Shape', [embeds]), g.constInt(1)], { axis: int(0) }, { name: 'seq' });
  const total = g.op('Gather', [g.op('Shape', [mask]), g.constInt(1)], { axis: int(0) }, { name: 'total_len' });
  const queryPosition = g.op('Range', [g.op('Sub', [total, seq], {}, { name: 'past_len' }), total, g.constInt(1)], {}, { name: 'query.position' });
  const keyPosition = g.op('Range', [g.constInt(0), total, g.constInt(1)], {}, { name: 'key.position' });
  const future = g.op('Greater', [g.op('Unsqueeze', [keyPosition, g.constInt([0])]), g.op('Unsqueeze', [queryPosition, g.constInt([1])])], {}, { name: 'future' });
  return g.op('Where', [future, g.constFloat(FLOAT32_MIN), g.constFloat(0)], {}, { name: 'causal.bias' });
}
