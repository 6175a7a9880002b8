/**
 * The neural-network layers the AudioLDM 2 components share, written as ONNX nodes in the forms
 * ONNX Runtime's optimizer recognises (LayerNormalization, Gelu, FusedMatMul).
 * Each takes the graph, the component's weights, a tensor-name prefix and the input value.
 */
import { float, int, ints, MS_DOMAIN, type Graph } from './graph.ts';
import type { Weights } from './weights.ts';

/**
 * torch.nn.Linear: weight [out, in] used as stored through com.microsoft.FusedMatMul (transB=1),
 * optional bias. One node instead of Transpose+MatMul: ORT never makes a transposed copy of the
 * weight at load (lower peak RSS, faster session creation) and its MatMul kernel prepacks the
 * weight for the GEMM either way (FusedMatMul is the same CPU kernel with the transpose flag).
 */
export function linear(g: Graph, w: Weights, prefix: string, x: string, shape: { in: number; out: number; bias?: boolean }): string {
  const weight = w.load(g, `${prefix}.weight`, [shape.out, shape.in], 'fanIn');
  const y = g.op('FusedMatMul', [x, weight], { transB: int(1) }, { domain: MS_DOMAIN, name: `${prefix}.mm` });
  if (shape.bias === false) return y;
  return g.op('Add', [y, w.load(g, `${prefix}.bias`, [shape.out], 'bias')], {}, { name: prefix });
}

/** A [in, out] weight used as is (GPT-2's Conv1D). */
export function conv1dLinear(g: Graph, w: Weights, prefix: string, x: string, shape: { in: number; out: number }): string {
  const y = g.op('MatMul', [x, w.load(g, `${prefix}.weight`, [shape.in, shape.out], 'fanInAxis0')], {}, { name: `${prefix}.mm` });
  return g.op('Add', [y, w.load(g, `${prefix}.bias`, [shape.out], 'bias')], {}, { name: prefix });
}

/** torch.nn.LayerNorm over the last axis (with its bias unless `bias` is false). */
export function layerNorm(g: Graph, w: Weights, prefix: string, x: string, eps: number, dim: number, bias = true): string {
  const scale = w.load(g, `${prefix}.weight`, [dim], 'ones');
  const shift = bias ? w.load(g, `${prefix}.bias`, [dim], 'zeros') : g.constFloat(new Array(dim).fill(0));
  return g.op('LayerNormalization', [x, scale, shift], { axis: int(-1), epsilon: float(eps) }, { name: prefix });
}

/** T5's RMS norm (no mean, no bias): x · rsqrt(mean(x²) + eps) · weight. */
export function rmsNorm(g: Graph, w: Weights, prefix: string, x: string, eps: number, dim: number): string {
  const scale = w.load(g, `${prefix}.weight`, [dim], 'ones');
  // SimplifiedLayerNormalization is ORT's RMS-norm kernel (registered in the default domain).
  return g.op('SimplifiedLayerNormalization', [x, scale], { axis: int(-1), epsilon: float(eps) }, { name: prefix });
}

/**
 * torch.nn.GroupNorm on [N, C, ...]: InstanceNormalization over [N, G, rest] (unit scale, zero
 * bias), then the per-channel affine.
 */
export function groupNorm(g: Graph, w: Weights, prefix: string, x: string, groups: number, eps: number, channels: number, rank = 4): string {
  const shape = g.op('Shape', [x], {}, { name: `${prefix}.shape` });
  const grouped = g.op('Reshape', [x, g.constInt([0, groups, -1])], {}, { name: `${prefix}.grouped` });
  const normed = g.op('InstanceNormalization', [grouped, g.constFloat(new Array(groups).fill(1)), g.constFloat(new Array(groups).fill(0))], { epsilon: float(eps) }, { name: `${prefix}.in` });
  const back = g.op('Reshape', [normed, shape], {}, { name: `${prefix}.ungrouped` });
  const affineShape = [channels, ...new Array(rank - 2).fill(1)];
  const scale = g.op('Reshape', [w.load(g, `${prefix}.weight`, [channels], 'ones'), g.constInt(affineShape)], {}, { name: `${prefix}.weight.r` });
  const bias = g.op('Reshape', [w.load(g, `${prefix}.bias`, [channels], 'zeros'), g.constInt(affineShape)], {}, { name: `${prefix}.bias.r` });
  return g.op('Add', [g.op('Mul', [back, scale]), bias], {}, { name: prefix });
}

export interface ConvOptions {
  stride?: number;
  padding?: number;
  dilation?: number;
  groups?: number;
  /** Default true. */
  bias?: boolean;
}

/**
 * torch.nn.Conv1d / Conv2d (square kernels, symmetric padding). `weightShape` is
 * [out, in/groups, k] or [out, in/groups, k, k].
 */
export function conv(g: Graph, w: Weights, prefix: string, x: string, weightShape: readonly number[], options: ConvOptions = {}): string {
  const weight = w.load(g, `${prefix}.weight`, weightShape, 'fanIn');
  const spatial = weightShape.length - 2;
  const { stride = 1, padding = 0, dilation = 1, groups = 1, bias = true } = options;
  const inputs = [x, weight];
  if (bias) inputs.push(w.load(g, `${prefix}.bias`, [weightShape[0]], 'bias'));
  return g.op(
    'Conv',
    inputs,
    {
      strides: ints(new Array(spatial).fill(stride)),
      pads: ints(new Array(spatial * 2).fill(padding)),
      dilations: ints(new Array(spatial).fill(dilation)),
      group: int(groups),
    },
    { name: prefix },
  );
}

/** torch.nn.ConvTranspose1d; `weightShape` is [in, out, k]. */
export function convTranspose1d(g: Graph, w: Weights, prefix: string, x: string, weightShape: readonly [number, number, number], stride: number, padding: number): string {
  const inputs = [x, w.load(g, `${prefix}.weight`, weightShape, 'fanInAxis0'), w.load(g, `${prefix}.bias`, [weightShape[1]], 'bias')];
  return g.op('ConvTranspose', inputs, { strides: ints([stride]), pads: ints([padding, padding]) }, { name: prefix });
}

export function silu(g: Graph, x: string): string {
  return g.op('Mul', [x, g.op('Sigmoid', [x])], {}, { name: 'silu' });
}

/** Exact (erf) GELU, ORT's fused kernel. */
export function gelu(g: Graph, x: string): string {
  return g.op('Gelu', [x], {}, { domain: MS_DOMAIN, name: 'gelu' });
}

/** The tanh approximation ("gelu_new", "gelu_pytorch_tanh"): ORT's FastGelu is exactly this formula. */
export function geluTanh(g: Graph, x: string): string {
  return g.op('FastGelu', [x], {}, { domain: MS_DOMAIN, name: 'gelu_tanh' });
}

export function relu(g: Graph, x: string): string {
  return g.op('Relu', [x]);
}

export function leakyRelu(g: Graph, x: string, slope: number): string {
  return g.op('LeakyRelu', [x], { alpha: float(slope) });
}

/**
 * Multi-head attention on [B, S, D] queries and [B, L, D] keys/values through ORT's fused
 * com.microsoft.MultiHeadAttention kernel. `keyPaddingMask` is an int32 [B, L] (1 = attend);
 * `bias` an additive float [B or 1, heads, S, L]. `scale` defaults to 1/√(D/heads).
 */
export function multiHeadAttention(g: Graph, q: string, k: string, v: string, heads: number, options: { keyPaddingMask?: string; bias?: string; scale?: number; name?: string } = {}): string {
  const attrs: Record<string, ReturnType<typeof int>> = { num_heads: int(heads) };
  if (options.scale !== undefined) attrs.scale = float(options.scale);
  // Inputs: query, key, value, bias (packed qkv bias), key_padding_mask, attention_bias.
  return g.op('MultiHeadAttention', [q, k, v, undefined, options.keyPaddingMask, options.bias], attrs, { domain: MS_DOMAIN, name: options.name ?? 'mha' });
}

/** [B, S, heads·dh] → [B, heads, S, dh]. */
export function splitHeads(g: Graph, x: string, heads: number, headDim: number): string {
  const r = g.op('Reshape', [x, g.constInt([0, 0, heads, headDim])]);
  return g.op('Transpose', [r], { perm: ints([0, 2, 1, 3]) });
}

/** [B, heads, S, dh] → [B, S, heads·dh]. */
export function mergeHeads(g: Graph, x: string, heads: number, headDim: number): string {
  const t = g.op('Transpose', [x], { perm: ints([0, 2, 1, 3]) });
  return g.op('Reshape', [t, g.constInt([0, 0, heads * headDim])]);
}

/**
 * Attention written out (Q·Kᵀ·scale + bias → softmax → ·V) on [B, heads, S, dh] tensors, for
 * the cases the fused kernel does not cover (GPT-2's causal cache, T5's unscaled bias).
 */
export function scaledDotProduct(g: Graph, q: string, k: string, v: string, scale: number, bias?: string): string {
  const kt = g.op('Transpose', [k], { perm: ints([0, 1, 3, 2]) });
  let scores = g.op('MatMul', [q, kt]);
  if (scale !== 1) scores = g.op('Mul', [scores, g.constFloat(scale)]);
  if (bias) scores = g.op('Add', [scores, bias]);
  const probs = g.op('Softmax', [scores], { axis: int(-1) });
  return g.op('MatMul', [probs, v]);
}
