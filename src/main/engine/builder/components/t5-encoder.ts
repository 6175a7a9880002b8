/**
 * transformers' T5EncoderModel (v4.47, models/t5/modeling_t5.py) as AudioLDM 2 uses it (Flan-T5
 * large, `text_encoder_2/`): shared token embedding, pre-norm blocks of unscaled self-attention
 * with a relative-position bias (computed once from layer 0's table, shared by every layer) and a
 * gated-GELU feed-forward, final RMS norm. float32 only: T5's activations overflow fp16.
 */
import { ConfigReader } from '../checkpoint/config-reader.ts';
import type { Checkpoint, Config } from '../checkpoint/checkpoint.ts';
import { weightsLocation } from '../bundle-layout.ts';
import { float, Graph, int, ints, MS_DOMAIN } from '../onnx/graph.ts';
import { geluTanh, linear, rmsNorm } from '../onnx/layers.ts';
import { Weights } from '../onnx/weights.ts';

/** T5Config's defaults (configuration_t5.py) for keys an older config may leave out. */
export const T5_DEFAULTS: Config = {
  relative_attention_num_buckets: 32,
  relative_attention_max_distance: 128,
  layer_norm_epsilon: 1e-6,
  feed_forward_proj: 'relu',
};

/** torch.finfo(torch.float32).min. */
const FLOAT32_MIN = -3.4028234663852886e38;

export interface T5Dims {
  vocabSize: number;
  dModel: number;
  heads: number;
  headDim: number;
  ff: number;
  layers: number;
  eps: number;
  buckets: number;
  maxDistance: number;
}

export function t5Dims(checkpoint: Checkpoint): T5Dims {
  const config = new ConfigReader(checkpoint.components.text_encoder_2.configPath, checkpoint.config('text_encoder_2'), T5_DEFAULTS);
  // T5DenseGatedActDense with gelu_new is Flan-T5's ("gated-gelu" maps to gelu_new for backwards
  // compatibility in T5Config); the original T5's "relu" DenseReluDense is not built.
  config.string('feed_forward_proj', ['gated-gelu']);
  // save_pretrained also writes the derived attributes, and PretrainedConfig lets them override.
  config.expect('dense_act_fn', 'gelu_new');
  config.expect('is_gated_act', true);
  const buckets = config.int('relative_attention_num_buckets', { min: 4, max: 1 << 10 });
  if (buckets % 2 !== 0) config.refuse('relative_attention_num_buckets', buckets, 'an even number (half per direction)');
  return {
    vocabSize: config.int('vocab_size'),
    dModel: config.int('d_model'),
    heads: config.int('num_heads'),
    headDim: config.int('d_kv'),
    ff: config.int('d_ff'),
    // num_layers is the encoder's depth (num_decoder_layers is the decoder's).
    layers: config.int('num_layers'),
    eps: config.number('layer_norm_epsilon', { min: 0, max: 1 }),
    buckets,
    maxDistance: config.int('relative_attention_max_distance', { min: 1, max: 1 << 16 }),
  };
}

/**
 * T5Attention._relative_position_bucket (bidirectional) for every relative position
 * r = key − query in [−maxDistance, maxDistance]; beyond that the bucket no longer changes (the
 * log branch is clamped to the last bucket). Half the buckets per direction (r > 0 in the upper
 * half); |r| below a quarter of the buckets is exact, above it log-spaced up to maxDistance.
 *
 * Computed here in float32 exactly as torch does (Math.fround after each op) rather than with
 * ONNX Log: |r| = 16, 32, 64 land exactly on bucket boundaries (8·log(r/8)/log(16) = 2, 4, 6),
 * where a Log one ulp low (ORT's vectorised log is not correctly rounded) would pick the bucket below.
 */
export function relativeBucketTable(buckets: number, maxDistance: number): number[] {
  const half = buckets / 2;
  const maxExact = Math.floor(half / 2);
  const logRange = Math.fround(Math.log(maxDistance / maxExact));
  const table: number[] = [];
  for (let r = -maxDistance; r <= maxDistance; r++) {
    const n = Math.abs(r);
    let bucket = n;
    if (n >= maxExact) {
      const scaled = Math.fround(Math.fround(Math.fround(Math.log(Math.fround(n / maxExact))) / logRange) * (half - maxExact));
      bucket = Math.min(maxExact + Math.trunc(scaled), half - 1);
    }
    table.push(bucket + (r > 0 ? half : 0));
  }
  return table;
}

/**
 * The position bias [1, heads, L, L] for the input's length L: r[i][j] = j − i from Range ops,
 * clipped to ±maxDistance, looked up in (bucket table ∘ relative_attention_bias) — a
 * [2·maxDistance+1, heads] gather of two initializers that ORT folds to a constant at load.
 */
function positionBias(g: Graph, w: Weights, ids: string, d: T5Dims): string {
  const table = relativeBucketTable(d.buckets, d.maxDistance);
  const biasTable = w.load(g, 'encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight', [d.buckets, d.heads], 'embedding');
  const byDistance = g.op('Gather', [biasTable, g.constInt(table)], {}, { name: 'bias_by_distance' });
  const len = g.op('Gather', [g.op('Shape', [ids]), g.constInt(1)], {}, { name: 't5_len' });
  const positions = g.op('Range', [g.constInt(0), len, g.constInt(1)], {}, { name: 'positions' });
  const relative = g.op('Sub', [g.op('Unsqueeze', [positions, g.constInt([0])]), g.op('Unsqueeze', [positions, g.constInt([1])])], {}, { name: 'relative_position' });
  const clipped = g.op('Min', [g.op('Max', [relative, g.constInt(-d.maxDistance)]), g.constInt(d.maxDistance)], {}, { name: 'relative_clipped' });
  const index = g.op('Add', [clipped, g.constInt(d.maxDistance)], {}, { name: 'distance_index' });
  const values = g.op('Gather', [byDistance, index], {}, { name: 'bias_values' });
  return g.op('Unsqueeze', [g.op('Transpose', [values], { perm: ints([2, 0, 1]) }), g.constInt([0])], {}, { name: 'position_bias' });
}

/**
 * RMSNorm(residual + delta) and the sum itself, as ORT's fused SkipSimplifiedLayerNormalization
 * (one pass instead of an Add and a SimplifiedLayerNormalization; ORT does not fuse them on CPU).
 */
function addRmsNorm(g: Graph, w: Weights, prefix: string, residual: string, delta: string, d: T5Dims): { normed: string; sum: string } {
  const gamma = w.load(g, `${prefix}.weight`, [d.dModel], 'ones');
  const [normed, , , sum] = g.opN('SkipSimplifiedLayerNormalization', [residual, delta, gamma], { epsilon: float(d.eps) }, { domain: MS_DOMAIN, outputs: 4, name: prefix });
  return { normed, sum };
}

/** A hidden state not yet summed: `residual + delta` (delta absent before the first block). */
interface Stream {
  residual: string;
  delta?: string;
}

/** RMS norm of the stream's sum, and the stream collapsed to that sum. */
function normOf(g: Graph, w: Weights, prefix: string, x: Stream, d: T5Dims): { normed: string; sum: string } {
  if (!x.delta) return { normed: rmsNorm(g, w, prefix, x.residual, d.eps, d.dModel), sum: x.residual };
  return addRmsNorm(g, w, prefix, x.residual, x.delta, d);
}

/** T5Block (encoder): x + SelfAttention(norm(x)), then + DenseGatedActDense(norm(·)). */
function block(g: Graph, w: Weights, i: number, x: Stream, bias: string, keyPaddingMask: string, d: T5Dims): Stream {
  const p = `encoder.block.${i}.layer`;
  const inner = d.heads * d.headDim;
  const attnIn = normOf(g, w, `${p}.0.layer_norm`, x, d);
  const q = linear(g, w, `${p}.0.SelfAttention.q`, attnIn.normed, { in: d.dModel, out: inner, bias: false });
  const k = linear(g, w, `${p}.0.SelfAttention.k`, attnIn.normed, { in: d.dModel, out: inner, bias: false });
  const v = linear(g, w, `${p}.0.SelfAttention.v`, attnIn.normed, { in: d.dModel, out: inner, bias: false });
  // No 1/√d_kv: T5 folds it into the initialisation of q. Padded keys get finfo(float32).min, as
  // T5Stack's (1 − m)·finfo.min does (ORT's default −10000 is not "never" for unscaled logits).
  // Inputs: query, key, value, packed qkv bias (none), key_padding_mask, attention_bias.
  const attended = g.op(
    'MultiHeadAttention',
    [q, k, v, undefined, keyPaddingMask, bias],
    {
      num_heads: int(d.heads),
      scale: float(1),
      mask_filter_value: float(FLOAT32_MIN),
    },
    { domain: MS_DOMAIN, name: `${p}.0.SelfAttention` },
  );
  const attnOut = linear(g, w, `${p}.0.SelfAttention.o`, attended, { in: inner, out: d.dModel, bias: false });

  // T5DenseGatedActDense: wo(gelu_new(wi_0(x)) · wi_1(x)).
  const ffIn = normOf(g, w, `${p}.1.layer_norm`, { residual: attnIn.sum, delta: attnOut }, d);
  const gate = geluTanh(g, linear(g, w, `${p}.1.DenseReluDense.wi_0`, ffIn.normed, { in: d.dModel, out: d.ff, bias: false }));
  const up = linear(g, w, `${p}.1.DenseReluDense.wi_1`, ffIn.normed, { in: d.dModel, out: d.ff, bias: false });
  const ff = linear(g, w, `${p}.1.DenseReluDense.wo`, g.op('Mul', [gate, up]), { in: d.ff, out: d.dModel, bias: false });
  return { residual: ffIn.sum, delta: ff };
}

export function buildT5Encoder(checkpoint: Checkpoint): Graph {
  const d = t5Dims(checkpoint);
  const w = new Weights(checkpoint.weights('text_encoder_2'), weightsLocation('text_encoder_2'));
  const g = new Graph('t5Encoder');
  const ids = g.input('input_ids', 'int64', ['batch', 't5_len']);
  const mask = g.input('attention_mask', 'int64', ['batch', 't5_len']);

  // T5EncoderModel's token table is `shared`; encoder.embed_tokens is the same module, so
  // save_pretrained writes it once, as shared.weight (_tied_weights_keys). No √d_model scaling.
  const embeds = g.op('Gather', [w.load(g, 'shared.weight', [d.vocabSize, d.dModel], 'embedding'), ids], {}, { name: 'embeds' });
  const bias = positionBias(g, w, ids, d);
  const keyPaddingMask = g.op('Cast', [mask], { to: int(6) }, { name: 'key_padding_mask' });
  let h: Stream = { residual: embeds };
  for (let i = 0; i < d.layers; i++) h = block(g, w, i, h, bias, keyPaddingMask, d);
  const out = normOf(g, w, 'encoder.final_layer_norm', h, d).normed;
  g.output(out, 'last_hidden_state', 'float32', ['batch', 't5_len', d.dModel]);
  return g;
}
