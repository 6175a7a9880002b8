/**
 * CLAP's text branch as transformers' ClapModel.get_text_features computes it (v4.47,
 * models/clap/modeling_clap.py): a RoBERTa encoder (ClapTextModel) pooled on its first token,
 * the text projection (ClapProjectionLayer: linear1 → activation → linear2), then L2-normalised.
 * AudioLDM 2 feeds the result to the projection model; the ranking step compares it with audio.
 */
import { ConfigReader } from '../checkpoint/config-reader.ts';
import type { Checkpoint, Config } from '../checkpoint/checkpoint.ts';
import { weightsLocation } from '../bundle-layout.ts';
import { float, Graph, int, ints, MS_DOMAIN } from '../onnx/graph.ts';
import { gelu, geluTanh, layerNorm, linear, multiHeadAttention, relu, silu } from '../onnx/layers.ts';
import { Weights } from '../onnx/weights.ts';

/**
 * ClapTextConfig's defaults (configuration_clap.py, v4.47): transformers writes only the keys that
 * differ from these into the nested `text_config`, so the published cvssp/audioldm2 config lists
 * none of the widths. Note hidden_act defaults to "gelu" (the docstring says "relu"; the code wins).
 */
export const CLAP_TEXT_DEFAULTS: Config = {
  vocab_size: 50265,
  hidden_size: 768,
  num_hidden_layers: 12,
  num_attention_heads: 12,
  intermediate_size: 3072,
  hidden_act: 'gelu',
  max_position_embeddings: 514,
  type_vocab_size: 1,
  layer_norm_eps: 1e-12,
  pad_token_id: 1,
  position_embedding_type: 'absolute',
  is_decoder: false,
  add_cross_attention: false,
};

/** ClapConfig's own defaults for the keys it pushes down into text_config (projection_dim, projection_hidden_act). */
export const CLAP_DEFAULTS: Config = {
  projection_dim: 512,
  projection_hidden_act: 'relu',
};

/** transformers' ACT2FN names the builder implements, and the ORT form of each. */
const ACTIVATIONS = ['gelu', 'relu', 'gelu_new', 'gelu_pytorch_tanh', 'silu'] as const;
type Activation = (typeof ACTIVATIONS)[number];

export interface ClapTextDims {
  vocabSize: number;
  hidden: number;
  layers: number;
  heads: number;
  intermediate: number;
  hiddenAct: Activation;
  maxPositions: number;
  typeVocab: number;
  eps: number;
  padTokenId: number;
  projectionDim: number;
  projectionAct: Activation;
}

export function clapTextDims(checkpoint: Checkpoint): ClapTextDims {
  const top = new ConfigReader(checkpoint.components.text_encoder.configPath, checkpoint.config('text_encoder'), CLAP_DEFAULTS);
  const text = top.nested('text_config', CLAP_TEXT_DEFAULTS);
  // Relative position embeddings ("relative_key", "relative_key_query") add per-layer distance
  // tables; the published CLAP checkpoints use absolute ones only.
  text.expect('position_embedding_type', 'absolute');
  text.expect('is_decoder', false);
  text.expect('add_cross_attention', false);
  const hidden = text.int('hidden_size');
  const heads = text.int('num_attention_heads');
  if (hidden % heads !== 0) text.refuse('num_attention_heads', heads, `a divisor of hidden_size ${hidden}`);
  return {
    vocabSize: text.int('vocab_size'),
    hidden,
    layers: text.int('num_hidden_layers'),
    heads,
    intermediate: text.int('intermediate_size'),
    hiddenAct: text.string('hidden_act', ACTIVATIONS) as Activation,
    maxPositions: text.int('max_position_embeddings'),
    typeVocab: text.int('type_vocab_size'),
    eps: text.number('layer_norm_eps', { min: 0, max: 1 }),
    padTokenId: text.int('pad_token_id', { min: 0, max: 1 << 30 }),
    // ClapConfig.__init__ overwrites text_config.projection_dim / projection_hidden_act with its own
    // top-level values, so those are the ones that count.
    projectionDim: top.int('projection_dim'),
    projectionAct: top.string('projection_hidden_act', ACTIVATIONS) as Activation,
  };
}

function activation(g: Graph, name: Activation, x: string): string {
  switch (name) {
    case 'gelu':
      return gelu(g, x);
    case 'gelu_new':
    case 'gelu_pytorch_tanh':
      return geluTanh(g, x);
    case 'relu':
      return relu(g, x);
    case 'silu':
      return silu(g, x);
  }
}

/**
 * LayerNorm(x + residual) — BERT's post-norm residual — as ORT's fused SkipLayerNormalization
 * (one pass instead of an Add and a LayerNormalization).
 */
function addLayerNorm(g: Graph, w: Weights, prefix: string, x: string, residual: string, eps: number, dim: number): string {
  const gamma = w.load(g, `${prefix}.weight`, [dim], 'ones');
  const beta = w.load(g, `${prefix}.bias`, [dim], 'zeros');
  return g.op('SkipLayerNormalization', [x, residual, gamma, beta], { epsilon: float(eps) }, { domain: MS_DOMAIN, name: prefix });
}

/**
 * One ClapTextLayer (= RobertaLayer): self-attention → dense → LayerNorm(+x), intermediate
 * dense → act → dense → LayerNorm(+). `queries` is the rows whose output is wanted: all of `x`,
 * or (last layer) only the first token, which is all the pooler reads.
 */
function encoderLayer(g: Graph, w: Weights, prefix: string, x: string, queries: string, keyPaddingMask: string, d: ClapTextDims): string {
  const D = d.hidden;
  const q = linear(g, w, `${prefix}.attention.self.query`, queries, { in: D, out: D });
  const k = linear(g, w, `${prefix}.attention.self.key`, x, { in: D, out: D });
  const v = linear(g, w, `${prefix}.attention.self.value`, x, { in: D, out: D });
  // Scale 1/√head_dim (ClapTextSelfAttention); padded keys masked, as the extended mask's
  // (1 − m)·finfo.min does.
  const attended = multiHeadAttention(g, q, k, v, d.heads, { keyPaddingMask, name: `${prefix}.attention` });
  const out = linear(g, w, `${prefix}.attention.output.dense`, attended, { in: D, out: D });
  const h = addLayerNorm(g, w, `${prefix}.attention.output.LayerNorm`, out, queries, d.eps, D);
  const inner = activation(g, d.hiddenAct, linear(g, w, `${prefix}.intermediate.dense`, h, { in: D, out: d.intermediate }));
  const ff = linear(g, w, `${prefix}.output.dense`, inner, { in: d.intermediate, out: D });
  return addLayerNorm(g, w, `${prefix}.output.LayerNorm`, ff, h, d.eps, D);
}

export function buildClapText(checkpoint: Checkpoint): Graph {
  const d = clapTextDims(checkpoint);
  const file = new Weights(checkpoint.weights('text_encoder'), weightsLocation('text_encoder'));
  const w = file.scope('text_model.');
  const g = new Graph('clapText');
  const idsIn = g.input('input_ids', 'int64', ['batch', 'text_len']);
  const maskIn = g.input('attention_mask', 'int64', ['batch', 'text_len']);

  // Only the first token's output is used, and it only sees attended keys: the columns after the
  // last attended one (in every row) change nothing. Cutting them makes the engine's 512-padded
  // CLAP tokens cost what the prompt's own length costs, for any padding side.
  const len = g.op('Gather', [g.op('Shape', [idsIn]), g.constInt(1)], {}, { name: 'text_len' });
  const oneBased = g.op('Range', [g.constInt(1), g.op('Add', [len, g.constInt(1)]), g.constInt(1)], {}, { name: 'col_plus_1' });
  const lastAttended = g.op('ReduceMax', [g.op('Mul', [maskIn, oneBased])], { keepdims: int(0) }, { name: 'last_attended' });
  const keep = g.op('Reshape', [g.op('Max', [lastAttended, g.constInt(1)]), g.constInt([1])], {}, { name: 'kept_len' });
  const ids = g.op('Slice', [idsIn, g.constInt([0]), keep, g.constInt([1])], {}, { name: 'ids' });
  const mask = g.op('Slice', [maskIn, g.constInt([0]), keep, g.constInt([1])], {}, { name: 'mask' });

  // RoBERTa position ids (create_position_ids_from_input_ids): non-padding tokens count up from
  // padding_idx + 1, padding tokens sit at padding_idx; padding is found from the ids, not the mask.
  const pad = g.constInt(d.padTokenId);
  const real = g.op('Cast', [g.op('Not', [g.op('Equal', [ids, pad])])], { to: int(7) }, { name: 'non_pad' });
  const positions = g.op('Add', [g.op('Mul', [g.op('CumSum', [real, g.constInt(1)]), real]), pad], {}, { name: 'position_ids' });

  // ClapTextEmbeddings: word + token type (the buffered all-zero token_type_ids → row 0) + position, LayerNorm.
  const word = g.op('Gather', [w.load(g, 'embeddings.word_embeddings.weight', [d.vocabSize, d.hidden], 'embedding'), ids], {}, { name: 'word_embeds' });
  const tokenType = g.op('Gather', [w.load(g, 'embeddings.token_type_embeddings.weight', [d.typeVocab, d.hidden], 'embedding'), g.constInt(0)], {}, { name: 'token_type_embed' });
  const position = g.op('Gather', [w.load(g, 'embeddings.position_embeddings.weight', [d.maxPositions, d.hidden], 'embedding'), positions], {}, { name: 'position_embeds' });
  const summed = g.op('Add', [g.op('Add', [word, tokenType]), position], {}, { name: 'embeds' });
  let h = layerNorm(g, w, 'embeddings.LayerNorm', summed, d.eps, d.hidden);

  const keyPaddingMask = g.op('Cast', [mask], { to: int(6) }, { name: 'key_padding_mask' });
  for (let i = 0; i < d.layers; i++) {
    const last = i === d.layers - 1;
    const queries = last ? g.op('Slice', [h, g.constInt([0]), g.constInt([1]), g.constInt([1])], {}, { name: 'first_token' }) : h;
    h = encoderLayer(g, w, `encoder.layer.${i}`, h, queries, keyPaddingMask, d);
  }

  // ClapTextPooler: first token → dense → tanh.
  const first = g.op('Squeeze', [h, g.constInt([1])], {}, { name: 'first_token_state' });
  const pooled = g.op('Tanh', [linear(g, w, 'pooler.dense', first, { in: d.hidden, out: d.hidden })], {}, { name: 'pooled' });

  const p = file.scope('text_projection.');
  const projected = linear(g, p, 'linear2', activation(g, d.projectionAct, linear(g, p, 'linear1', pooled, { in: d.hidden, out: d.projectionDim })), { in: d.projectionDim, out: d.projectionDim });
  // F.normalize(x, dim=-1): x / max(‖x‖₂, 1e-12).
  const norm = g.op('Max', [g.op('ReduceL2', [projected], { axes: ints([-1]), keepdims: int(1) }), g.constFloat(1e-12)], {}, { name: 'norm' });
  const embeds = g.op('Div', [projected, norm], {}, { name: 'text_embeds_normed' });
  g.output(embeds, 'text_embeds', 'float32', ['batch', d.projectionDim]);
  return g;
}
