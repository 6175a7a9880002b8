/**
 * AudioLDM2UNet2DConditionModel.forward (diffusers 0.32.2, pipelines/audioldm2/modeling_audioldm2.py):
 * the noise prediction for one denoising step. Time embedding → conv_in → down blocks (keeping every
 * skip) → mid block → up blocks (concatenating the skips, up-sampling to each next skip's size, so
 * any latent length works as in diffusers) → GroupNorm → SiLU → conv_out.
 */
import type { Checkpoint } from '../checkpoint/checkpoint.ts';
import { weightsLocation } from '../bundle-layout.ts';
import { Graph, int } from '../onnx/graph.ts';
import { conv, groupNorm, linear, silu } from '../onnx/layers.ts';
import { Weights } from '../onnx/weights.ts';
import { attentionLayer, downsample, resnet, upsample, type UnetContext } from './unet-blocks.ts';
import { unetDims, type UnetDims } from './unet-config.ts';

const ONNX_INT32 = 6;

/**
 * The frequencies of diffusers' get_timestep_embedding (models/embeddings.py, max_period 10000), rounded
 * as torch computes them in float32: exponent = (−ln 10000 · i) / (half − shift), then exp.
 */
export function timestepFrequencies(dim: number, freqShift: number): number[] {
  const half = Math.floor(dim / 2);
  const negLog = Math.fround(-Math.log(10000));
  return Array.from({ length: half }, (_, i) => Math.fround(Math.exp(Math.fround(Math.fround(negLog * i) / (half - freqShift)))));
}

/**
 * Timesteps (sinusoidal, [cos, sin] when flip_sin_to_cos) + TimestepEmbedding (linear_1 → SiLU →
 * linear_2), then the SiLU every ResnetBlock2D applies to it before its time_emb_proj.
 */
function timeEmbedding(g: Graph, w: Weights, timestep: string, dims: UnetDims): string {
  const freqs = timestepFrequencies(dims.timeProjDim, dims.freqShift);
  const args = g.op('Mul', [g.op('Unsqueeze', [timestep, g.constInt([1])]), g.constFloat(freqs, [1, freqs.length])], {}, { name: 'time_proj.args' });
  const [sin, cos] = [g.op('Sin', [args]), g.op('Cos', [args])];
  let emb = g.op('Concat', dims.flipSinToCos ? [cos, sin] : [sin, cos], { axis: int(-1) }, { name: 'time_proj' });
  // An odd width gets one zero column (get_timestep_embedding's F.pad).
  if (dims.timeProjDim % 2 === 1) emb = g.op('Pad', [emb, g.constInt([0, 0, 0, 1])]);
  const hidden = silu(g, linear(g, w, 'time_embedding.linear_1', emb, { in: dims.timeProjDim, out: dims.timeEmbedDim }));
  return silu(g, linear(g, w, 'time_embedding.linear_2', hidden, { in: dims.timeEmbedDim, out: dims.timeEmbedDim }));
}

export function buildUnet(checkpoint: Checkpoint): Graph {
  const dims = unetDims(checkpoint);
  const w = new Weights(checkpoint.weights('unet'), weightsLocation('unet'));
  const g = new Graph('unet');
  const sample = g.input('sample', 'float32', ['batch', dims.inChannels, 'latent_len', 'latent_freq']);
  const timestep = g.input('timestep', 'float32', ['batch']);
  const loa = g.input('encoder_hidden_states', 'float32', ['batch', 'loa_len', dims.loaDim]);
  const t5 = g.input('encoder_hidden_states_1', 'float32', ['batch', 't5_len', dims.t5Dim]);
  const t5Mask = g.input('encoder_attention_mask_1', 'int64', ['batch', 't5_len']);

  const u: UnetContext = {
    g,
    w,
    groups: dims.groups,
    eps: dims.eps,
    linearProjection: dims.linearProjection,
    tembAct: timeEmbedding(g, w, timestep, dims),
    tembDim: dims.timeEmbedDim,
    loa,
    loaDim: dims.loaDim,
    t5,
    t5Dim: dims.t5Dim,
    t5Mask: g.op('Cast', [t5Mask], { to: int(ONNX_INT32) }, { name: 't5_mask.i32' }),
  };

  const c0 = dims.down[0].inChannels;
  let h = conv(g, w, 'conv_in', sample, [c0, dims.inChannels, dims.convInKernel, dims.convInKernel], { padding: (dims.convInKernel - 1) / 2 });
  const skips: { value: string; channels: number }[] = [{ value: h, channels: c0 }];

  dims.down.forEach((block, i) => {
    const prefix = `down_blocks.${i}`;
    for (let j = 0; j < block.resnets; j++) {
      h = resnet(u, `${prefix}.resnets.${j}`, h, j === 0 ? block.inChannels : block.outChannels, block.outChannels);
      if (block.attention) h = attentionLayer(u, prefix, j * block.attention.contexts.length, h, block.outChannels, block.attention);
      skips.push({ value: h, channels: block.outChannels });
    }
    if (block.resample) {
      h = downsample(u, `${prefix}.downsamplers.0`, h, block.outChannels, dims.downsamplePadding);
      skips.push({ value: h, channels: block.outChannels });
    }
  });

  // UNetMidBlock2DCrossAttn (num_layers 1): resnet, attention layer, resnet.
  const { channels: cm, attention: midAttention } = dims.mid;
  h = resnet(u, 'mid_block.resnets.0', h, cm, cm, dims.midScale);
  h = attentionLayer(u, 'mid_block', 0, h, cm, midAttention);
  h = resnet(u, 'mid_block.resnets.1', h, cm, cm, dims.midScale);

  dims.up.forEach((block, i) => {
    const prefix = `up_blocks.${i}`;
    for (let j = 0; j < block.resnets; j++) {
      const skip = skips.pop();
      const skipChannels = j === block.resnets - 1 ? block.inChannels : block.outChannels;
      if (!skip || skip.channels !== skipChannels) throw new Error(`unet ${prefix}: skip connection ${j} has ${skip?.channels} channels, diffusers' layout implies ${skipChannels}`);
      const inC = (j === 0 ? block.prevChannels : block.outChannels) + skipChannels;
      h = g.op('Concat', [h, skip.value], { axis: int(1) }, { name: `${prefix}.cat${j}` });
      h = resnet(u, `${prefix}.resnets.${j}`, h, inC, block.outChannels);
      if (block.attention) h = attentionLayer(u, prefix, j * block.attention.contexts.length, h, block.outChannels, block.attention);
    }
    if (block.resample) h = upsample(u, `${prefix}.upsamplers.0`, h, skips[skips.length - 1].value, block.outChannels);
  });

  h = silu(g, groupNorm(g, w, 'conv_norm_out', h, dims.groups, dims.eps, c0));
  h = conv(g, w, 'conv_out', h, [dims.outChannels, c0, dims.convOutKernel, dims.convOutKernel], { padding: (dims.convOutKernel - 1) / 2 });
  g.output(h, 'noise_pred', 'float32', ['batch', dims.outChannels, 'latent_len', 'latent_freq']);
  return g;
}
