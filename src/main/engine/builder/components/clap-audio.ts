/**
 * CLAP's audio branch as transformers' ClapModel.get_audio_features computes it for the unfused
 * model (v4.47, models/clap/modeling_clap.py): ClapAudioEncoder (HTSAT) → pooled → the audio
 * projection (ClapProjectionLayer: linear1 → activation → linear2) → L2-normalised. The engine
 * ranks takes, searches the library by sound and describes clips with it.
 *
 * ClapAudioEncoder.forward, step by step:
 *  1. batch_norm over the mel bins (BatchNorm2d on the input transposed to [B, F, T, 1]; eval mode,
 *     so a per-bin affine from the running statistics);
 *  2. reshape_mel2img: bicubic interpolation (align_corners=True) of the time axis up to
 *     spec_size·freq_ratio, then the spectrogram is cut into freq_ratio time chunks stacked along
 *     the frequency axis: image row = chunk·F + bin, column = time within the chunk
 *     (1 and 2: clap-audio-mel2img.ts);
 *  3. patch embedding (Conv2d patch_size/patch_stride, flatten, LayerNorm);
 *  4. Swin stages (clap-audio-blocks.ts), patch merging between them;
 *  5. final LayerNorm, then the average over every token (the reshapes before AdaptiveAvgPool1d only
 *     rearrange the tokens of one channel, so the pooled value is their mean).
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { ConfigReader } from '../checkpoint/config-reader.ts';
import type { Checkpoint, Config } from '../checkpoint/checkpoint.ts';
import { CheckpointError } from '../checkpoint/checkpoint-error.ts';
import type { SafetensorsFile } from '../checkpoint/safetensors.ts';
import { weightsLocation } from '../bundle-layout.ts';
import { Graph, int, ints } from '../onnx/graph.ts';
import { layerNorm, linear } from '../onnx/layers.ts';
import { Weights } from '../onnx/weights.ts';
import { ACTIVATIONS, activation, mergeOrder, patchMerging, swinBlock, TokenOrder, windowOrder, type Activation, type BlockDims, type SwinBlockPlan } from './clap-audio-blocks.ts';
import { melBatchNorm, melToImage } from './clap-audio-mel2img.ts';

/**
 * ClapAudioConfig's defaults (configuration_clap.py, v4.47): the nested `audio_config` of a saved
 * ClapModel lists only the keys that differ, so the published cvssp/audioldm2 config names neither
 * the window, the mel bins nor the heads.
 */
export const CLAP_AUDIO_DEFAULTS: Config = {
  window_size: 8,
  num_mel_bins: 64,
  spec_size: 256,
  hidden_act: 'gelu',
  patch_size: 4,
  patch_stride: [4, 4],
  hidden_size: 768,
  depths: [2, 2, 6, 2],
  num_attention_heads: [4, 8, 16, 32],
  enable_fusion: false,
  patch_embed_input_channels: 1,
  flatten_patch_embeds: true,
  patch_embeds_hidden_size: 96,
  enable_patch_layer_norm: true,
  qkv_bias: true,
  mlp_ratio: 4.0,
  layer_norm_eps: 1e-5,
};

/**
 * ClapConfig's defaults for what it pushes down into audio_config: ClapConfig.__init__ overwrites
 * audio_config.projection_dim and projection_hidden_act with its own, so the top-level keys win.
 */
export const CLAP_DEFAULTS: Config = {
  projection_dim: 512,
  projection_hidden_act: 'relu',
  logit_scale_init_value: 1 / 0.07,
};

/**
 * The graph's input frames (models/contract.json): ClapFeatureExtractor pads/crops to
 * nb_max_samples 480000 at hop 480 → 480000 / 480 + 1 frames.
 */
export const CLAP_AUDIO_FRAMES = 1001;
/** The contract's mel bins per frame (ClapFeatureExtractor feature_size). */
export const CLAP_AUDIO_MEL_BINS = 64;

/** nn.LayerNorm's default eps: patch_embed.norm and the final norm are built without config.layer_norm_eps. */
const TORCH_LAYER_NORM_EPS = 1e-5;

export interface ClapAudioStage {
  dim: number;
  heads: number;
  height: number;
  width: number;
  blocks: SwinBlockPlan[];
  /** A patch merging follows (every stage but the last). */
  merge: boolean;
}

export interface ClapAudioDims {
  melBins: number;
  specSize: number;
  /** spec_size // num_mel_bins: how many time chunks are stacked into the square image. */
  freqRatio: number;
  /** spec_size · freq_ratio: the interpolated time length. */
  specWidth: number;
  patchSize: [number, number];
  patchStride: [number, number];
  patchPadding: [number, number];
  patchDim: number;
  patchNorm: boolean;
  windowSize: number;
  mlpRatio: number;
  qkvBias: boolean;
  hiddenAct: Activation;
  eps: number;
  stages: ClapAudioStage[];
  /** patch_embeds_hidden_size · 2^(stages − 1): the final norm's width = audio_config.hidden_size. */
  hiddenSize: number;
  projectionDim: number;
  projectionAct: Activation;
}

/** An int or a [height, width] pair (ClapAudioPatchEmbed accepts both for patch_size / patch_stride). */
function pair(config: ConfigReader, key: string): [number, number] {
  const value = config.raw(key);
  if (typeof value === 'number') {
    const n = config.int(key, { min: 1, max: 1024 });
    return [n, n];
  }
  const list = config.ints(key, { min: 1, max: 1024 });
  if (list.length !== 2) config.refuse(key, value, 'an integer or a [height, width] pair');
  return [list[0], list[1]];
}

function audioConfig(checkpoint: Checkpoint): { top: ConfigReader; audio: ConfigReader } {
  const top = new ConfigReader(checkpoint.components.text_encoder.configPath, checkpoint.config('text_encoder'), CLAP_DEFAULTS);
  // ClapConfig builds a default ClapAudioConfig when audio_config is left out.
  const audio = top.config.audio_config === undefined ? new ConfigReader(`${top.file} → audio_config`, {}, CLAP_AUDIO_DEFAULTS) : top.nested('audio_config', CLAP_AUDIO_DEFAULTS);
  return { top, audio };
}

export function clapAudioDims(checkpoint: Checkpoint): ClapAudioDims {
  const { top, audio } = audioConfig(checkpoint);
  // The fused model (4-channel input, AFF block, is_longer) is the clap-htsat-fused variant; AudioLDM 2 uses the unfused one.
  audio.expect('enable_fusion', false);
  audio.expect('patch_embed_input_channels', 1);
  audio.expect('flatten_patch_embeds', true);
  const melBins = audio.int('num_mel_bins');
  if (melBins !== CLAP_AUDIO_MEL_BINS) audio.refuse('num_mel_bins', melBins, `${CLAP_AUDIO_MEL_BINS} (the feature extractor's mel bins in the bundle contract)`);
  const specSize = audio.int('spec_size', { min: 1, max: 4096 });
  // reshape_mel2img only folds to a spec_size² image when the bins divide spec_size; otherwise it
  // interpolates the frequency axis too (and its second interpolate resets the time axis).
  if (specSize % melBins !== 0) audio.refuse('spec_size', specSize, `a multiple of num_mel_bins ${melBins}`);
  const freqRatio = specSize / melBins;
  const specWidth = specSize * freqRatio;
  if (CLAP_AUDIO_FRAMES > specWidth) audio.refuse('spec_size', specSize, `a size whose spec_size·(spec_size/num_mel_bins) holds ${CLAP_AUDIO_FRAMES} frames`);

  const patchSize = pair(audio, 'patch_size');
  const patchStride = pair(audio, 'patch_stride');
  const patchPadding: [number, number] = [Math.floor((patchSize[0] - patchStride[0]) / 2), Math.floor((patchSize[1] - patchStride[1]) / 2)];
  const grid = [Math.floor(specSize / patchStride[0]), Math.floor(specSize / patchStride[1])];
  for (const axis of [0, 1]) {
    const convOut = Math.floor((specSize + 2 * patchPadding[axis] - patchSize[axis]) / patchStride[axis]) + 1;
    if (convOut !== grid[axis]) audio.refuse('patch_size', audio.raw('patch_size'), `a kernel whose convolution gives the ${grid[axis]}-token grid of patch_stride`);
  }

  const depths = audio.ints('depths', { min: 1, max: 256 });
  const headCounts = audio.ints('num_attention_heads', { min: 1, max: 1024 });
  if (headCounts.length !== depths.length) audio.refuse('num_attention_heads', headCounts, `one count per stage (${depths.length})`);
  const patchDim = audio.int('patch_embeds_hidden_size');
  const windowSize = audio.int('window_size', { min: 1, max: 256 });
  const stages: ClapAudioStage[] = depths.map((depth, i) => {
    const dim = patchDim * 2 ** i;
    const heads = headCounts[i];
    if (dim % heads !== 0) audio.refuse('num_attention_heads', headCounts, `divisors of each stage's width (stage ${i}: ${dim})`);
    // ClapAudioEncoder.input_resolutions: grid // 2^i (floor), while a merging pads odd grids up; refuse the odd case.
    const height = Math.floor(grid[0] / 2 ** i);
    const width = Math.floor(grid[1] / 2 ** i);
    const merge = i < depths.length - 1;
    if (merge && (height % 2 !== 0 || width % 2 !== 0)) audio.refuse('spec_size', specSize, `a token grid that halves evenly at each patch merging (stage ${i} is ${height}×${width})`);
    // ClapAudioLayer.set_shift_and_window_size: a grid no larger than a window is one unshifted
    // window of that size; smaller than window_size, the attention's bias table no longer fits
    // (transformers fails there too).
    const small = Math.min(height, width) <= windowSize;
    const window = small ? Math.min(height, width) : windowSize;
    if (window !== windowSize) audio.refuse('window_size', windowSize, `at most the smallest token grid (${height}×${width} at stage ${i})`);
    if (height % window !== 0 || width % window !== 0)
      audio.refuse('window_size', windowSize, `a divisor of every stage's token grid (stage ${i} is ${height}×${width}; padded windows are not built)`);
    const blocks = Array.from({ length: depth }, (_, b): SwinBlockPlan => ({
      height,
      width,
      window,
      shift: small || b % 2 === 0 ? 0 : Math.floor(windowSize / 2),
    }));
    return { dim, heads, height, width, blocks, merge };
  });
  const hiddenSize = audio.int('hidden_size');
  const features = patchDim * 2 ** (depths.length - 1);
  // ClapProjectionLayer's linear1 takes hidden_size; the pooled output has num_features channels.
  if (hiddenSize !== features) audio.refuse('hidden_size', hiddenSize, `patch_embeds_hidden_size · 2^(stages − 1) = ${features}`);
  const mlpRatio = audio.number('mlp_ratio', { min: 0, max: 64 });
  if (Math.trunc(mlpRatio * patchDim) < 1) audio.refuse('mlp_ratio', mlpRatio, 'a ratio giving a non-empty MLP');

  return {
    melBins,
    specSize,
    freqRatio,
    specWidth,
    patchSize,
    patchStride,
    patchPadding,
    patchDim,
    patchNorm: audio.bool('enable_patch_layer_norm'),
    windowSize,
    mlpRatio,
    qkvBias: audio.bool('qkv_bias'),
    hiddenAct: audio.string('hidden_act', ACTIVATIONS) as Activation,
    eps: audio.number('layer_norm_eps', { min: 0, max: 1 }),
    stages,
    hiddenSize,
    projectionDim: top.int('projection_dim'),
    projectionAct: top.string('projection_hidden_act', ACTIVATIONS) as Activation,
  };
}

/** ClapAudioPatchEmbed (unfused): Conv2d → flatten to [B, tokens, C] → LayerNorm (eps 1e-5). */
function patchEmbed(g: Graph, w: Weights, image: string, d: ClapAudioDims): string {
  const weight = w.load(g, 'patch_embed.proj.weight', [d.patchDim, 1, d.patchSize[0], d.patchSize[1]], 'fanIn');
  const bias = w.load(g, 'patch_embed.proj.bias', [d.patchDim], 'bias');
  const [ph, pw] = d.patchPadding;
  const conv = g.op(
    'Conv',
    [image, weight, bias],
    {
      kernel_shape: ints(d.patchSize),
      strides: ints(d.patchStride),
      pads: ints([ph, pw, ph, pw]),
    },
    { name: 'patch_embed.proj' },
  );
  const tokens = d.stages[0].height * d.stages[0].width;
  const flat = g.op('Reshape', [conv, g.constInt([0, d.patchDim, tokens])]);
  const seq = g.op('Transpose', [flat], { perm: ints([0, 2, 1]) }, { name: 'patch_embed.tokens' });
  return d.patchNorm ? layerNorm(g, w, 'patch_embed.norm', seq, TORCH_LAYER_NORM_EPS, d.patchDim) : seq;
}

export function buildClapAudio(checkpoint: Checkpoint): Graph {
  const d = clapAudioDims(checkpoint);
  const root = new Weights(checkpoint.weights('text_encoder'), weightsLocation('text_encoder'));
  const w = root.scope('audio_model.audio_encoder.');
  const g = new Graph('clapAudio');
  const input = g.input('input_features', 'float32', ['batch', 1, CLAP_AUDIO_FRAMES, CLAP_AUDIO_MEL_BINS]);
  const batch = g.op('Slice', [g.op('Shape', [input]), g.constInt([0]), g.constInt([1])], {}, { name: 'batch' });

  const image = melToImage(g, melBatchNorm(g, w, input, d.melBins), { ...d, frames: CLAP_AUDIO_FRAMES });
  let x = patchEmbed(g, w, image, d);

  const order = new TokenOrder(d.stages[0].height * d.stages[0].width);
  d.stages.forEach((stage, i) => {
    const block: BlockDims = { dim: stage.dim, heads: stage.heads, mlpHidden: Math.trunc(d.mlpRatio * stage.dim), qkvBias: d.qkvBias, hiddenAct: d.hiddenAct, eps: d.eps };
    stage.blocks.forEach((plan, b) => {
      const prefix = `layers.${i}.blocks.${b}`;
      x = order.arrange(g, x, windowOrder(plan), `${prefix}.windows_order`);
      x = swinBlock(g, w, prefix, x, plan, block, batch);
    });
    if (stage.merge) {
      x = order.arrange(g, x, mergeOrder(stage.height, stage.width), `layers.${i}.downsample.order`);
      x = patchMerging(g, w, `layers.${i}.downsample`, x, stage.height * stage.width, stage.dim);
      order.reset((stage.height * stage.width) / 4);
    }
  });

  const normed = layerNorm(g, w, 'norm', x, TORCH_LAYER_NORM_EPS, d.hiddenSize);
  // The token order left by the last layer does not matter: the pool averages every token.
  const pooled = g.op('ReduceMean', [normed], { axes: ints([1]), keepdims: int(0) }, { name: 'avgpool' });
  const p = root.scope('audio_projection.');
  const hidden = activation(g, linear(g, p, 'linear1', pooled, { in: d.hiddenSize, out: d.projectionDim }), d.projectionAct);
  const projected = linear(g, p, 'linear2', hidden, { in: d.projectionDim, out: d.projectionDim });
  // F.normalize(dim=-1): x / max(‖x‖₂, 1e-12).
  const norm = g.op('Max', [g.op('ReduceL2', [projected], { axes: ints([-1]), keepdims: int(1) }), g.constFloat(1e-12)]);
  const embeds = g.op('Div', [projected, norm], {}, { name: 'l2_normalise' });
  g.output(embeds, 'audio_embeds', 'float32', ['batch', d.projectionDim]);
  return g;
}

/**
 * The buffers ClapAudioEncoder saves beside its parameters: the relative position index (recomputed
 * from window_size, clap-audio-blocks.ts) and BatchNorm's step counter. Neither is read.
 */
export function isClapAudioBuffer(name: string): boolean {
  return /^audio_model\.audio_encoder\.(layers\.\d+\.blocks\.\d+\.attention\.self\.relative_position_index|batch_norm\.num_batches_tracked)$/.test(name);
}

/**
 * The text-to-audio logit scale for the bundle manifest: exp(logit_scale_t), as ClapModel.forward
 * scales logits_per_text. Read as its 4 bytes from the safetensors file; a planned checkpoint (no
 * file yet) gets the value its weights will be initialised with, logit_scale_init_value.
 */
export function clapLogitScale(checkpoint: Checkpoint): number {
  const file = checkpoint.weights('text_encoder');
  if (!('tensors' in file)) {
    return new ConfigReader(checkpoint.components.text_encoder.configPath, checkpoint.config('text_encoder'), CLAP_DEFAULTS).number('logit_scale_init_value', { min: 1e-6, max: 1e6 });
  }
  return Math.exp(readFloat32Scalar(file, 'logit_scale_t'));
}

function readFloat32Scalar(file: SafetensorsFile, name: string): number {
  const tensor = file.tensors.get(name);
  if (!tensor) throw new CheckpointError(file.path, `tensor "${name}" is missing`);
  if (tensor.dtype !== 'F32' || tensor.shape.length !== 0 || tensor.length !== 4) {
    throw new CheckpointError(file.path, `tensor "${name}" is ${tensor.dtype}[${tensor.shape.join(', ')}], not a float32 scalar`);
  }
  const bytes = Buffer.alloc(4);
  const fd = openSync(file.path, 'r');
  try {
    if (readSync(fd, bytes, 0, 4, tensor.offset) !== 4) throw new CheckpointError(file.path, `tensor "${name}" lies past the end of the file`);
  } finally {
    closeSync(fd);
  }
  const value = bytes.readFloatLE(0);
  if (!Number.isFinite(value)) throw new CheckpointError(file.path, `tensor "${name}" is ${value}`);
  return value;
}
