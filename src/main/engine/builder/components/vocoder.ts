/**
 * transformers SpeechT5HifiGan (models/speecht5/modeling_speecht5.py, v4.47): a time-major log-mel
 * [B, T, bins] to a waveform [B, samples]. conv_pre, then per upsampling stage LeakyReLU →
 * ConvTranspose1d → the mean of that stage's HifiGanResidualBlocks, then LeakyReLU → conv_post →
 * tanh. Each stage multiplies the length by its rate and adds k − u − 2·((k − u) // 2) (the
 * transposed conv's output (L−1)·u − 2p + k): 0 or 1, so the published kernels [16,16,8,4,4] with
 * rates [5,4,2,2,2] give 160·T + 32 samples.
 */
import { ConfigReader } from '../checkpoint/config-reader.ts';
import type { Checkpoint } from '../checkpoint/checkpoint.ts';
import { weightsLocation } from '../bundle-layout.ts';
import { Graph, ints } from '../onnx/graph.ts';
import { conv, convTranspose1d, leakyRelu } from '../onnx/layers.ts';
import { Weights } from '../onnx/weights.ts';

/** torch.nn.functional.leaky_relu's default negative_slope: the last activation passes none. */
const TORCH_LEAKY_RELU_DEFAULT_SLOPE = 0.01;

export interface VocoderDims {
  melBins: number;
  initialChannels: number;
  upsampleRates: number[];
  upsampleKernels: number[];
  resblockKernels: number[];
  /** One dilation list per resblock kernel. */
  resblockDilations: number[][];
  slope: number;
  normalizeBefore: boolean;
}

export function vocoderDims(checkpoint: Checkpoint): VocoderDims {
  const config = new ConfigReader(checkpoint.components.vocoder.configPath, checkpoint.config('vocoder'));
  const upsampleRates = config.ints('upsample_rates', { min: 1, max: 1024 });
  const upsampleKernels = config.ints('upsample_kernel_sizes', { min: 1, max: 1024 });
  if (upsampleKernels.length !== upsampleRates.length) config.refuse('upsample_kernel_sizes', upsampleKernels, `one kernel per upsample rate (${upsampleRates.length})`);
  // padding = (k − u) // 2 must not be negative (torch refuses it too).
  upsampleKernels.forEach((k, i) => {
    if (k < upsampleRates[i]) config.refuse('upsample_kernel_sizes', upsampleKernels, 'kernels at least as long as their upsample rate');
  });
  const initialChannels = config.int('upsample_initial_channel');
  // Every stage halves the width (upsample_initial_channel // 2**(i+1)); it must stay ≥ 1.
  if (initialChannels >> upsampleRates.length < 1) config.refuse('upsample_initial_channel', initialChannels, `at least 2^${upsampleRates.length} (one halving per stage)`);

  const resblockKernels = config.ints('resblock_kernel_sizes', { min: 1, max: 1024 });
  const rawDilations = config.raw('resblock_dilation_sizes');
  const dilationsOk =
    Array.isArray(rawDilations) && rawDilations.length === resblockKernels.length && rawDilations.every((d) => Array.isArray(d) && d.length > 0 && d.every((v) => Number.isInteger(v) && v >= 1));
  if (!dilationsOk) config.refuse('resblock_dilation_sizes', rawDilations, `one non-empty list of positive integers per resblock kernel (${resblockKernels.length})`);
  const resblockDilations = rawDilations as number[][];
  // get_padding = (k·d − d) // 2 keeps the length only for odd kernels.
  if (resblockKernels.some((k) => k % 2 === 0)) config.refuse('resblock_kernel_sizes', resblockKernels, 'odd kernels (even ones change the length)');

  return {
    melBins: config.int('model_in_dim'),
    initialChannels,
    upsampleRates,
    upsampleKernels,
    resblockKernels,
    resblockDilations,
    slope: config.number('leaky_relu_slope', { min: 0, max: 1 }),
    normalizeBefore: config.bool('normalize_before'),
  };
}

/** HifiGanResidualBlock: per dilation, x + conv2(lrelu(conv1_dilated(lrelu(x)))). */
function residualBlock(g: Graph, w: Weights, prefix: string, x: string, channels: number, kernel: number, dilations: number[], slope: number): string {
  let h = x;
  dilations.forEach((dilation, i) => {
    let y = leakyRelu(g, h, slope);
    y = conv(g, w, `${prefix}.convs1.${i}`, y, [channels, channels, kernel], { dilation, padding: (kernel * dilation - dilation) / 2 });
    y = leakyRelu(g, y, slope);
    y = conv(g, w, `${prefix}.convs2.${i}`, y, [channels, channels, kernel], { padding: (kernel - 1) / 2 });
    h = g.op('Add', [y, h], {}, { name: `${prefix}.${i}` });
  });
  return h;
}

export function buildVocoder(checkpoint: Checkpoint): Graph {
  const d = vocoderDims(checkpoint);
  const w = new Weights(checkpoint.weights('vocoder'), weightsLocation('vocoder'));
  const g = new Graph('vocoder');
  const mel = g.input('mel', 'float32', ['batch', 'mel_len', d.melBins]);

  let x = mel;
  if (d.normalizeBefore) {
    x = g.op('Sub', [x, w.load(g, 'mean', [d.melBins], 'zeros')]);
    x = g.op('Div', [x, w.load(g, 'scale', [d.melBins], 'ones')], {}, { name: 'normalize_before' });
  } else {
    // register_buffer'ed, so saved in every checkpoint; they only matter with normalize_before.
    w.declare('mean', [d.melBins], 'zeros');
    w.declare('scale', [d.melBins], 'ones');
  }
  let h = g.op('Transpose', [x], { perm: ints([0, 2, 1]) }, { name: 'channels_first' });
  h = conv(g, w, 'conv_pre', h, [d.initialChannels, d.melBins, 7], { padding: 3 });

  const kernels = d.resblockKernels.length;
  let channels = d.initialChannels;
  d.upsampleRates.forEach((rate, i) => {
    const out = Math.floor(d.initialChannels / 2 ** (i + 1));
    const k = d.upsampleKernels[i];
    h = leakyRelu(g, h, d.slope);
    h = convTranspose1d(g, w, `upsampler.${i}`, h, [channels, out, k], rate, Math.floor((k - rate) / 2));
    channels = out;
    const branches = d.resblockKernels.map((kernel, j) => residualBlock(g, w, `resblocks.${i * kernels + j}`, h, channels, kernel, d.resblockDilations[j], d.slope));
    const sum = branches.reduce((a, b) => g.op('Add', [a, b]));
    h = kernels === 1 ? sum : g.op('Div', [sum, g.constFloat(kernels)], {}, { name: `stage${i}.mean` });
  });

  h = leakyRelu(g, h, TORCH_LEAKY_RELU_DEFAULT_SLOPE);
  h = conv(g, w, 'conv_post', h, [1, channels, 7], { padding: 3 });
  h = g.op('Tanh', [h]);
  const waveform = g.op('Squeeze', [h, g.constInt([1])], {}, { name: 'waveform' });
  g.output(waveform, 'waveform', 'float32', ['batch', 'samples']);
  return g;
}
