/**
 * The building blocks of diffusers' AudioLDM 2 UNet (diffusers 0.32.2): ResnetBlock2D and
 * Downsample2D / Upsample2D (models/resnet.py, downsampling.py, upsampling.py), Transformer2DModel
 * with continuous input (models/transformers/transformer_2d.py) and its BasicTransformerBlock
 * (models/attention.py) with AttnProcessor2_0 attention (models/attention_processor.py).
 * Every attention runs on ORT's fused com.microsoft.MultiHeadAttention.
 */
import { int, ints, str, type Graph } from '../onnx/graph.ts';
import { conv, gelu, groupNorm, layerNorm, linear, multiHeadAttention, silu } from '../onnx/layers.ts';
import type { Weights } from '../onnx/weights.ts';
import type { AttnContext, CrossAttnDims } from './unet-config.ts';

/** What every block of one UNet graph shares. */
export interface UnetContext {
  g: Graph;
  w: Weights;
  groups: number;
  eps: number;
  linearProjection: boolean;
  /** SiLU(time embedding) [B, E]: ResnetBlock2D applies the nonlinearity before time_emb_proj. */
  tembAct: string;
  tembDim: number;
  /** [B, loa_len, loaDim] and [B, t5_len, t5Dim], with the T5 key padding mask as int32 [B, t5_len]. */
  loa: string;
  loaDim: number;
  t5: string;
  t5Dim: number;
  t5Mask: string;
}

/**
 * ResnetBlock2D (time_embedding_norm "default"): GroupNorm → SiLU → conv1 → + time_emb_proj(SiLU(temb))
 * → GroupNorm → SiLU → conv2, plus the input (through a 1×1 conv_shortcut when the width changes),
 * divided by output_scale_factor.
 */
export function resnet(u: UnetContext, prefix: string, x: string, inC: number, outC: number, outputScale = 1): string {
  const { g, w } = u;
  let h = silu(g, groupNorm(g, w, `${prefix}.norm1`, x, u.groups, u.eps, inC));
  h = conv(g, w, `${prefix}.conv1`, h, [outC, inC, 3, 3], { padding: 1 });
  const t = linear(g, w, `${prefix}.time_emb_proj`, u.tembAct, { in: u.tembDim, out: outC });
  h = g.op('Add', [h, g.op('Unsqueeze', [t, g.constInt([2, 3])])], {}, { name: `${prefix}.temb` });
  h = silu(g, groupNorm(g, w, `${prefix}.norm2`, h, u.groups, u.eps, outC));
  h = conv(g, w, `${prefix}.conv2`, h, [outC, outC, 3, 3], { padding: 1 });
  const shortcut = inC === outC ? x : conv(g, w, `${prefix}.conv_shortcut`, x, [outC, inC, 1, 1]);
  const sum = g.op('Add', [shortcut, h], {}, { name: `${prefix}.out` });
  return outputScale === 1 ? sum : g.op('Div', [sum, g.constFloat(outputScale)]);
}

/**
 * Downsample2D(use_conv, name="op"): a 3×3 stride-2 conv with `padding`; padding 0 means diffusers
 * first pads one zero row/column at the end (F.pad(0, 1, 0, 1)).
 */
export function downsample(u: UnetContext, prefix: string, x: string, channels: number, padding: number): string {
  const { g, w } = u;
  const input = padding === 0 ? g.op('Pad', [x, g.constInt([0, 0, 0, 0, 0, 0, 1, 1])], { mode: str('constant') }) : x;
  return conv(g, w, `${prefix}.conv`, input, [channels, channels, 3, 3], { stride: 2, padding });
}

/**
 * Upsample2D(use_conv): F.interpolate(mode="nearest") to `upsample_size` (the next skip tensor's
 * spatial size), then a 3×3 conv. The UNet passes upsample_size only when a side is not a multiple
 * of 2^(up-samplers); otherwise the scale is 2, which is that same size. PyTorch's nearest takes
 * source index floor(i · in/out) = ONNX Resize "asymmetric" + "floor"; the sizes here are 2n or
 * 2n − 1 (after ceil-halving) of n, so i · n / out is never near an integer but at 0 and no rounding
 * of the two forms can pick a different source.
 */
export function upsample(u: UnetContext, prefix: string, x: string, skip: string, channels: number): string {
  const { g, w } = u;
  const batchAndChannels = g.op('Slice', [g.op('Shape', [x]), g.constInt([0]), g.constInt([2])]);
  const spatial = g.op('Slice', [g.op('Shape', [skip]), g.constInt([2]), g.constInt([4])]);
  const sizes = g.op('Concat', [batchAndChannels, spatial], { axis: int(0) });
  const resized = g.op(
    'Resize',
    [x, '', '', sizes],
    {
      mode: str('nearest'),
      coordinate_transformation_mode: str('asymmetric'),
      nearest_mode: str('floor'),
    },
    { name: `${prefix}.resize` },
  );
  return conv(g, w, `${prefix}.conv`, resized, [channels, channels, 3, 3], { padding: 1 });
}

/** Attention (AttnProcessor2_0): bias-free to_q/to_k/to_v, scale 1/√head_dim, to_out.0 with bias. */
function attention(u: UnetContext, prefix: string, x: string, dim: number, heads: number, context: AttnContext): string {
  const { g, w } = u;
  const source = context === 'loa' ? { kv: u.loa, dim: u.loaDim } : context === 't5' ? { kv: u.t5, dim: u.t5Dim } : { kv: x, dim };
  const q = linear(g, w, `${prefix}.to_q`, x, { in: dim, out: dim, bias: false });
  const k = linear(g, w, `${prefix}.to_k`, source.kv, { in: source.dim, out: dim, bias: false });
  const v = linear(g, w, `${prefix}.to_v`, source.kv, { in: source.dim, out: dim, bias: false });
  // The UNet turns encoder_attention_mask_1 into the additive bias (1 − m)·(−10000); ORT's key
  // padding mask adds its mask_filter_value, −10000 by default, at the same place (after scaling).
  const mask = context === 't5' ? u.t5Mask : undefined;
  const o = multiHeadAttention(g, q, k, v, heads, { keyPaddingMask: mask, name: `${prefix}.mha` });
  return linear(g, w, `${prefix}.to_out.0`, o, { in: dim, out: dim });
}

/**
 * BasicTransformerBlock (norm_type "layer_norm", eps 1e-5): self-attention, then attn2 — cross-attention
 * to the block's context, or a second self-attention when its cross_attention_dim is null
 * ("double_self_attention") — then the GEGLU feed-forward, each pre-normed and residual.
 * The residual Adds stay separate from the next LayerNormalization: ORT's fused CPU
 * SkipLayerNormalization measured 2–3× slower than Add + Add + LayerNormalization here.
 */
function transformerBlock(u: UnetContext, prefix: string, x: string, dim: number, heads: number, context: AttnContext): string {
  const { g, w } = u;
  const eps = 1e-5;
  let h = g.op('Add', [x, attention(u, `${prefix}.attn1`, layerNorm(g, w, `${prefix}.norm1`, x, eps, dim), dim, heads, 'self')]);
  h = g.op('Add', [h, attention(u, `${prefix}.attn2`, layerNorm(g, w, `${prefix}.norm2`, h, eps, dim), dim, heads, context)]);
  // FeedForward(activation_fn="geglu", mult 4): GEGLU proj → hidden · gelu(gate) (exact erf) → net.2.
  const inner = dim * 4;
  const proj = linear(g, w, `${prefix}.ff.net.0.proj`, layerNorm(g, w, `${prefix}.norm3`, h, eps, dim), { in: dim, out: inner * 2 });
  const [hidden, gate] = g.opN('Split', [proj, g.constInt([inner, inner])], { axis: int(-1) }, { outputs: 2, name: `${prefix}.ff.split` });
  const ff = linear(g, w, `${prefix}.ff.net.2`, g.op('Mul', [hidden, gelu(g, gate)]), { in: inner, out: dim });
  return g.op('Add', [h, ff], {}, { name: `${prefix}.out` });
}

/** [B, C, H, W] → [B, H·W, C]. */
function toTokens(g: Graph, x: string, channels: number): string {
  return g.op('Transpose', [g.op('Reshape', [x, g.constInt([0, channels, -1])])], { perm: ints([0, 2, 1]) });
}

/** [B, H·W, C] → [B, C, H, W], `shape` being that of a [B, C, H, W] tensor. */
function fromTokens(g: Graph, x: string, shape: string): string {
  return g.op('Reshape', [g.op('Transpose', [x], { perm: ints([0, 2, 1]) }), shape]);
}

/**
 * Transformer2DModel on continuous input: GroupNorm (eps 1e-6) → proj_in (1×1 conv, or a Linear on
 * the tokens with use_linear_projection) → BasicTransformerBlocks → proj_out, plus the input.
 */
export function transformer2d(u: UnetContext, prefix: string, x: string, channels: number, dims: CrossAttnDims, context: AttnContext): string {
  const { g, w } = u;
  const inner = dims.innerDim;
  const normed = groupNorm(g, w, `${prefix}.norm`, x, u.groups, 1e-6, channels);
  let tokens: string;
  let projected = '';
  if (u.linearProjection) {
    tokens = linear(g, w, `${prefix}.proj_in`, toTokens(g, normed, channels), { in: channels, out: inner });
  } else {
    projected = conv(g, w, `${prefix}.proj_in`, normed, [inner, channels, 1, 1]);
    tokens = toTokens(g, projected, inner);
  }
  for (let t = 0; t < dims.transformerLayers; t++) {
    tokens = transformerBlock(u, `${prefix}.transformer_blocks.${t}`, tokens, inner, dims.heads, context);
  }
  const out = u.linearProjection
    ? fromTokens(g, linear(g, w, `${prefix}.proj_out`, tokens, { in: inner, out: channels }), g.op('Shape', [x]))
    : conv(g, w, `${prefix}.proj_out`, fromTokens(g, tokens, g.op('Shape', [projected])), [channels, inner, 1, 1]);
  return g.op('Add', [out, x], {}, { name: `${prefix}.out` });
}

/** One attention layer of a CrossAttn block: a Transformer2DModel per context, in config order. */
export function attentionLayer(u: UnetContext, prefix: string, first: number, x: string, channels: number, dims: CrossAttnDims): string {
  let h = x;
  dims.contexts.forEach((context, j) => {
    h = transformer2d(u, `${prefix}.attentions.${first + j}`, h, channels, dims, context);
  });
  return h;
}
