/**
 * diffusers AutoencoderKL (autoencoders/autoencoder_kl.py + vae.py, v0.32.2) as two graphs:
 * - vaeDecoder: `_decode` — post_quant_conv, Decoder (conv_in, mid block, UpDecoderBlock2D×n,
 *   conv_norm_out, SiLU, conv_out). Its input is already divided by scaling_factor (the pipeline
 *   does `vae.decode(latents / scaling_factor)`).
 * - vaeEncoder: `_encode` — Encoder (conv_in, DownEncoderBlock2D×n, mid block, conv_norm_out, SiLU,
 *   conv_out to 2·latent channels: double_z) then quant_conv: the posterior's parameters, mean in
 *   channels 0..C−1 and logvar in C..2C−1, before DiagonalGaussianDistribution clamps the logvar.
 * The VAE works on a [B, 1, time, mel bins] image; time and batch stay dynamic.
 */
import { ConfigReader } from '../checkpoint/config-reader.ts';
import type { Checkpoint } from '../checkpoint/checkpoint.ts';
import { weightsLocation } from '../bundle-layout.ts';
import { Graph } from '../onnx/graph.ts';
import { conv } from '../onnx/layers.ts';
import { Weights } from '../onnx/weights.ts';
import { conv3x3, downsample2x, midBlock, normAct, resnetBlock, upsample2x, type VaeNorm } from './vae-blocks.ts';

/** AutoencoderKL.__init__ defaults for the keys diffusers added after cvssp/audioldm2 was saved (0.20). */
const VAE_DEFAULTS = {
  act_fn: 'silu',
  use_quant_conv: true,
  use_post_quant_conv: true,
  mid_block_add_attention: true,
  shift_factor: null,
  latents_mean: null,
  latents_std: null,
};

export interface VaeDims {
  latentChannels: number;
  /** block_out_channels, encoder order (the decoder walks it reversed). */
  blockOut: number[];
  layersPerBlock: number;
  norm: VaeNorm;
  midAttention: boolean;
  useQuantConv: boolean;
  usePostQuantConv: boolean;
  scalingFactor: number;
  /** 2^(blocks − 1): time and frequency shrink by this much (pipeline's vae_scale_factor). */
  scaleFactor: number;
  /** The vocoder's model_in_dim: the mel image's width. */
  melBins: number;
  latentFreq: number;
}

export function vaeDims(checkpoint: Checkpoint): VaeDims {
  const config = new ConfigReader(checkpoint.components.vae.configPath, checkpoint.config('vae'), VAE_DEFAULTS);
  // ResnetBlock2D's nonlinearity: only SiLU is written here.
  config.string('act_fn', ['silu']);
  // The pipeline scales latents by scaling_factor alone; the SD3/Flux-style shift and per-channel
  // statistics would change that arithmetic, which the engine does not do.
  config.expect('shift_factor', null);
  config.expect('latents_mean', null);
  config.expect('latents_std', null);
  // force_upcast only tells a half-precision pipeline to decode in float32; these graphs are float32.
  config.bool('force_upcast');
  // The contract's mel image has one channel in and out.
  config.int('in_channels', { min: 1, max: 1 });
  config.int('out_channels', { min: 1, max: 1 });

  const blockOut = config.ints('block_out_channels');
  const down = config.strings('down_block_types', ['DownEncoderBlock2D']);
  const up = config.strings('up_block_types', ['UpDecoderBlock2D']);
  if (down.length !== blockOut.length) config.refuse('down_block_types', down, `one block per block_out_channels entry (${blockOut.length})`);
  if (up.length !== blockOut.length) config.refuse('up_block_types', up, `one block per block_out_channels entry (${blockOut.length})`);
  const groups = config.int('norm_num_groups');
  // torch.nn.GroupNorm needs every width to split into the groups.
  if (blockOut.some((c) => c % groups !== 0)) config.refuse('block_out_channels', blockOut, `widths divisible by norm_num_groups (${groups})`);

  const scaleFactor = 2 ** (blockOut.length - 1);
  const vocoder = new ConfigReader(checkpoint.components.vocoder.configPath, checkpoint.config('vocoder'));
  const melBins = vocoder.int('model_in_dim');
  // AudioLDM2Pipeline.check_inputs raises the same: the mel width must halve cleanly.
  if (melBins % scaleFactor !== 0) vocoder.refuse('model_in_dim', melBins, `a multiple of the VAE's scale factor ${scaleFactor}`);

  return {
    latentChannels: config.int('latent_channels'),
    blockOut,
    layersPerBlock: config.int('layers_per_block'),
    norm: { groups, eps: 1e-6 },
    midAttention: config.bool('mid_block_add_attention'),
    useQuantConv: config.bool('use_quant_conv'),
    usePostQuantConv: config.bool('use_post_quant_conv'),
    scalingFactor: config.number('scaling_factor', { min: 1e-6, max: 1e6 }),
    scaleFactor,
    melBins,
    latentFreq: melBins / scaleFactor,
  };
}

function vaeWeights(checkpoint: Checkpoint): Weights {
  return new Weights(checkpoint.weights('vae'), weightsLocation('vae'));
}

export function buildVaeDecoder(checkpoint: Checkpoint): Graph {
  const d = vaeDims(checkpoint);
  const w = vaeWeights(checkpoint);
  const dec = w.scope('decoder.');
  const g = new Graph('vaeDecoder');
  const latents = g.input('latents', 'float32', ['batch', d.latentChannels, 'latent_len', d.latentFreq]);

  let h = latents;
  if (d.usePostQuantConv) h = conv(g, w, 'post_quant_conv', h, [d.latentChannels, d.latentChannels, 1, 1]);
  const reversed = [...d.blockOut].reverse();
  h = conv3x3(g, dec, 'conv_in', h, d.latentChannels, reversed[0]);
  h = midBlock(g, dec, 'mid_block', h, reversed[0], d.norm, d.midAttention);

  // UpDecoderBlock2D: layers_per_block + 1 resnets, the first taking the previous block's width,
  // then an upsampler except after the last block.
  let width = reversed[0];
  reversed.forEach((out, i) => {
    for (let j = 0; j <= d.layersPerBlock; j++) {
      h = resnetBlock(g, dec, `up_blocks.${i}.resnets.${j}`, h, j === 0 ? width : out, out, d.norm);
    }
    width = out;
    if (i < reversed.length - 1) h = upsample2x(g, dec, `up_blocks.${i}.upsamplers.0`, h, out);
  });

  h = normAct(g, dec, 'conv_norm_out', h, width, d.norm);
  h = conv3x3(g, dec, 'conv_out', h, width, 1);
  g.output(h, 'mel', 'float32', ['batch', 1, 'mel_len', d.melBins]);
  return g;
}

export function buildVaeEncoder(checkpoint: Checkpoint): Graph {
  const d = vaeDims(checkpoint);
  const w = vaeWeights(checkpoint);
  const enc = w.scope('encoder.');
  const g = new Graph('vaeEncoder');
  const mel = g.input('mel', 'float32', ['batch', 1, 'mel_len', d.melBins]);

  let h = conv3x3(g, enc, 'conv_in', mel, 1, d.blockOut[0]);
  // DownEncoderBlock2D: layers_per_block resnets, then a downsampler except in the last block.
  let width = d.blockOut[0];
  d.blockOut.forEach((out, i) => {
    for (let j = 0; j < d.layersPerBlock; j++) {
      h = resnetBlock(g, enc, `down_blocks.${i}.resnets.${j}`, h, j === 0 ? width : out, out, d.norm);
    }
    width = out;
    if (i < d.blockOut.length - 1) h = downsample2x(g, enc, `down_blocks.${i}.downsamplers.0`, h, out);
  });
  h = midBlock(g, enc, 'mid_block', h, width, d.norm, d.midAttention);
  h = normAct(g, enc, 'conv_norm_out', h, width, d.norm);
  const moments = 2 * d.latentChannels;
  h = conv3x3(g, enc, 'conv_out', h, width, moments);
  if (d.useQuantConv) h = conv(g, w, 'quant_conv', h, [moments, moments, 1, 1]);
  g.output(h, 'moments', 'float32', ['batch', moments, 'latent_len', d.latentFreq]);
  return g;
}
