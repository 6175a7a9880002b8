/**
 * The blocks of diffusers' AutoencoderKL (v0.32.2) that its Encoder and Decoder share, without the
 * time embedding the UNet's versions take (the VAE builds them with temb_channels=None):
 * ResnetBlock2D (models/resnet.py), the mid block's attention (UNetMidBlock2D in
 * unets/unet_2d_blocks.py with Attention + AttnProcessor2_0 in attention_processor.py),
 * Upsample2D (upsampling.py) and Downsample2D (downsampling.py).
 */
import { int, ints, str, type Graph } from '../onnx/graph.ts';
import { conv, groupNorm, linear, multiHeadAttention, silu } from '../onnx/layers.ts';
import type { Weights } from '../onnx/weights.ts';

/** Group-norm settings every VAE block uses. */
export interface VaeNorm {
  groups: number;
  /** diffusers hard-codes resnet_eps=1e-6 in Encoder/Decoder (autoencoders/vae.py). */
  eps: number;
}

/** A 3×3 convolution with stride 1 and padding 1: every spatial conv of the VAE but the downsampler's. */
export function conv3x3(g: Graph, w: Weights, prefix: string, x: string, inC: number, outC: number): string {
  return conv(g, w, prefix, x, [outC, inC, 3, 3], { padding: 1 });
}

/**
 * ResnetBlock2D with temb=None, pre-norm, output_scale_factor 1 (what Encoder/Decoder pass):
 * x + conv2(silu(norm2(conv1(silu(norm1(x)))))), the skip through a 1×1 `conv_shortcut` when the
 * width changes (use_in_shortcut = in != out). Dropout is 0 at inference.
 */
export function resnetBlock(g: Graph, w: Weights, prefix: string, x: string, inC: number, outC: number, norm: VaeNorm): string {
  let h = silu(g, groupNorm(g, w, `${prefix}.norm1`, x, norm.groups, norm.eps, inC));
  h = conv3x3(g, w, `${prefix}.conv1`, h, inC, outC);
  h = silu(g, groupNorm(g, w, `${prefix}.norm2`, h, norm.groups, norm.eps, outC));
  h = conv3x3(g, w, `${prefix}.conv2`, h, outC, outC);
  const skip = inC === outC ? x : conv(g, w, `${prefix}.conv_shortcut`, x, [outC, inC, 1, 1]);
  return g.op('Add', [skip, h], {}, { name: prefix });
}

/**
 * The mid block's attention: group norm, then attention over the H·W positions with channels as
 * the feature axis, to_out, plus the residual. UNetMidBlock2D builds it with
 * heads = in_channels // attention_head_dim and Encoder/Decoder pass attention_head_dim =
 * block_out_channels[-1] = in_channels: one head of width C, scale 1/√C (Attention.scale =
 * dim_head**-0.5). rescale_output_factor is output_scale_factor = 1: no division.
 */
export function vaeAttention(g: Graph, w: Weights, prefix: string, x: string, channels: number, norm: VaeNorm): string {
  const shape = g.op('Shape', [x], {}, { name: `${prefix}.shape` });
  const normed = groupNorm(g, w, `${prefix}.group_norm`, x, norm.groups, norm.eps, channels);
  // [B, C, H, W] → [B, H·W, C]: the processor's view(B, C, H·W).transpose(1, 2).
  const flat = g.op('Reshape', [normed, g.constInt([0, channels, -1])], {}, { name: `${prefix}.flat` });
  const tokens = g.op('Transpose', [flat], { perm: ints([0, 2, 1]) }, { name: `${prefix}.tokens` });
  const q = linear(g, w, `${prefix}.to_q`, tokens, { in: channels, out: channels });
  const k = linear(g, w, `${prefix}.to_k`, tokens, { in: channels, out: channels });
  const v = linear(g, w, `${prefix}.to_v`, tokens, { in: channels, out: channels });
  const attended = multiHeadAttention(g, q, k, v, 1, { scale: 1 / Math.sqrt(channels), name: `${prefix}.mha` });
  const out = linear(g, w, `${prefix}.to_out.0`, attended, { in: channels, out: channels });
  const back = g.op('Reshape', [g.op('Transpose', [out], { perm: ints([0, 2, 1]) }), shape], {}, { name: `${prefix}.unflat` });
  return g.op('Add', [back, x], {}, { name: prefix });
}

/** UNetMidBlock2D (num_layers 1): resnet, [attention when mid_block_add_attention], resnet. */
export function midBlock(g: Graph, w: Weights, prefix: string, x: string, channels: number, norm: VaeNorm, attention: boolean): string {
  let h = resnetBlock(g, w, `${prefix}.resnets.0`, x, channels, channels, norm);
  if (attention) h = vaeAttention(g, w, `${prefix}.attentions.0`, h, channels, norm);
  return resnetBlock(g, w, `${prefix}.resnets.1`, h, channels, channels, norm);
}

/**
 * Upsample2D(use_conv=True): F.interpolate(scale_factor=2, mode="nearest") then a 3×3 conv.
 * ONNX Resize "nearest" with asymmetric coordinates and floor rounding picks source index
 * floor(i/2), which is torch's nearest for an integer factor.
 */
export function upsample2x(g: Graph, w: Weights, prefix: string, x: string, channels: number): string {
  const up = g.op(
    'Resize',
    [x, undefined, g.constFloat([1, 1, 2, 2])],
    {
      mode: str('nearest'),
      coordinate_transformation_mode: str('asymmetric'),
      nearest_mode: str('floor'),
    },
    { name: `${prefix}.nearest` },
  );
  return conv3x3(g, w, `${prefix}.conv`, up, channels, channels);
}

/**
 * Downsample2D(use_conv=True, padding=0) as DownEncoderBlock2D builds it (downsample_padding=0):
 * F.pad(x, (0, 1, 0, 1)) — one zero column on the right, one zero row at the bottom — then a 3×3
 * conv with stride 2 and no padding. Conv's own zero pads [top, left, bottom, right] = [0, 0, 1, 1]
 * are the same thing in one node.
 */
export function downsample2x(g: Graph, w: Weights, prefix: string, x: string, channels: number): string {
  const weight = w.load(g, `${prefix}.conv.weight`, [channels, channels, 3, 3], 'fanIn');
  const bias = w.load(g, `${prefix}.conv.bias`, [channels], 'bias');
  return g.op(
    'Conv',
    [x, weight, bias],
    {
      strides: ints([2, 2]),
      pads: ints([0, 0, 1, 1]),
      dilations: ints([1, 1]),
      group: int(1),
    },
    { name: `${prefix}.conv` },
  );
}

/** conv_norm_out → SiLU (conv_act), the head both Encoder and Decoder end with before conv_out. */
export function normAct(g: Graph, w: Weights, prefix: string, x: string, channels: number, norm: VaeNorm): string {
  return silu(g, groupNorm(g, w, prefix, x, norm.groups, norm.eps, channels));
}
