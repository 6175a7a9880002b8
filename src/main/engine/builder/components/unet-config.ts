/**
 * The structure of diffusers' AudioLDM2UNet2DConditionModel (pipelines/audioldm2/modeling_audioldm2.py,
 * diffusers 0.32.2), read from `unet/config.json`: every block's widths, depths, heads and
 * cross-attention layout. Options the builder does not implement are refused by key.
 */
import { ConfigReader } from '../checkpoint/config-reader.ts';
import type { Checkpoint, Config } from '../checkpoint/checkpoint.ts';

/**
 * What one Transformer2DModel of an attention layer attends to in its attn2 (modeling_audioldm2.py,
 * CrossAttnDownBlock2D.forward): a `null` cross_attention_dim is "double self-attention"; entries at
 * index ≤ 1 attend to `encoder_hidden_states` (GPT-2's LOA, no mask), entries at index > 1 to
 * `encoder_hidden_states_1` (T5) with `encoder_attention_mask_1`.
 */
export type AttnContext = 'self' | 'loa' | 't5';

export interface CrossAttnDims {
  heads: number;
  /** heads · (channels // heads): Transformer2DModel's inner_dim. */
  innerDim: number;
  /** BasicTransformerBlocks per Transformer2DModel. */
  transformerLayers: number;
  /** One Transformer2DModel per entry, applied in this order after each resnet. */
  contexts: AttnContext[];
}

export interface UnetBlockDims {
  inChannels: number;
  outChannels: number;
  resnets: number;
  /** null for DownBlock2D / UpBlock2D. */
  attention: CrossAttnDims | null;
  /** Down blocks: a stride-2 conv after the block; up blocks: a nearest resize + conv. */
  resample: boolean;
  /** Up blocks only: channels of the tensor coming from below (diffusers' prev_output_channel). */
  prevChannels: number;
}

export interface UnetDims {
  inChannels: number;
  outChannels: number;
  /** Width of the sinusoidal embedding (block_out_channels[0]) and of the MLP after it. */
  timeProjDim: number;
  timeEmbedDim: number;
  flipSinToCos: boolean;
  freqShift: number;
  convInKernel: number;
  convOutKernel: number;
  groups: number;
  eps: number;
  downsamplePadding: number;
  midScale: number;
  linearProjection: boolean;
  down: UnetBlockDims[];
  mid: { channels: number; attention: CrossAttnDims };
  up: UnetBlockDims[];
  /** Widths of encoder_hidden_states (LOA) and encoder_hidden_states_1 (T5). */
  loaDim: number;
  t5Dim: number;
}

// AudioLDM2UNet2DConditionModel.__init__ defaults (modeling_audioldm2.py) for keys a config may omit.
const DEFAULTS: Config = {
  flip_sin_to_cos: true,
  freq_shift: 0,
  only_cross_attention: false,
  layers_per_block: 2,
  downsample_padding: 1,
  mid_block_scale_factor: 1,
  act_fn: 'silu',
  norm_num_groups: 32,
  norm_eps: 1e-5,
  transformer_layers_per_block: 1,
  attention_head_dim: 8,
  num_attention_heads: null,
  use_linear_projection: false,
  class_embed_type: null,
  num_class_embeds: null,
  upcast_attention: false,
  resnet_time_scale_shift: 'default',
  time_embedding_type: 'positional',
  time_embedding_dim: null,
  time_embedding_act_fn: null,
  timestep_post_act: null,
  time_cond_proj_dim: null,
  conv_in_kernel: 3,
  conv_out_kernel: 3,
  class_embeddings_concat: false,
  mid_block_type: 'UNetMidBlock2DCrossAttn',
};

const DOWN_TYPES = ['DownBlock2D', 'CrossAttnDownBlock2D'] as const;
const UP_TYPES = ['UpBlock2D', 'CrossAttnUpBlock2D'] as const;

/** An int, or a list with one int per block (diffusers broadcasts a single int). */
function perBlock(config: ConfigReader, key: string, blocks: number): number[] {
  const value = config.raw(key);
  if (typeof value === 'number') return new Array(blocks).fill(config.int(key));
  const list = config.ints(key);
  if (list.length !== blocks) config.refuse(key, value, `an integer or a list of ${blocks} (one per block)`);
  return list;
}

/** cross_attention_dim: an int for all blocks, or per block an int or a list of (int | null) of length 1..4. */
function crossAttentionDims(config: ConfigReader, blocks: number): (number | null)[][] {
  const key = 'cross_attention_dim';
  const value = config.raw(key);
  const wanted = `an integer, or ${blocks} entries (one per block) each an integer or a list of 1 to 4 integers or nulls`;
  const isDim = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v > 0;
  if (isDim(value)) return new Array(blocks).fill([value]);
  if (!Array.isArray(value) || value.length !== blocks) config.refuse(key, value, wanted);
  return value.map((entry) => {
    if (isDim(entry)) return [entry as number];
    if (!Array.isArray(entry) || entry.length < 1 || entry.length > 4 || !entry.every((d) => d === null || isDim(d))) config.refuse(key, value, wanted);
    return entry as (number | null)[];
  });
}

export function unetDims(checkpoint: Checkpoint): UnetDims {
  const config = new ConfigReader(checkpoint.components.unet.configPath, checkpoint.config('unet'), DEFAULTS);
  // Options of the class this builder does not implement (each would change the graph).
  config.expect('num_attention_heads', null); // diffusers itself refuses it (issue #2011)
  config.expect('class_embed_type', null);
  config.expect('num_class_embeds', null);
  config.expect('class_embeddings_concat', false);
  config.expect('upcast_attention', false);
  config.expect('resnet_time_scale_shift', 'default');
  config.expect('time_embedding_type', 'positional');
  config.expect('time_embedding_act_fn', null);
  config.expect('timestep_post_act', null);
  config.expect('time_cond_proj_dim', null);
  config.expect('mid_block_type', 'UNetMidBlock2DCrossAttn');
  // get_activation: "silu" and "swish" are both nn.SiLU.
  config.string('act_fn', ['silu', 'swish']);
  const onlyCross = config.raw('only_cross_attention');
  if (onlyCross !== false && !(Array.isArray(onlyCross) && onlyCross.every((v) => v === false))) config.refuse('only_cross_attention', onlyCross, 'false');
  if (config.raw('norm_num_groups') === null) config.refuse('norm_num_groups', null, 'an integer (group norms everywhere)');

  const downTypes = config.strings('down_block_types', DOWN_TYPES);
  const upTypes = config.strings('up_block_types', UP_TYPES);
  const channels = config.ints('block_out_channels');
  const blocks = channels.length;
  if (downTypes.length !== blocks) config.refuse('down_block_types', downTypes, `${blocks} entries, as many as block_out_channels`);
  if (upTypes.length !== blocks) config.refuse('up_block_types', upTypes, `${blocks} entries, as many as block_out_channels`);
  const layers = perBlock(config, 'layers_per_block', blocks);
  const transformerLayers = perBlock(config, 'transformer_layers_per_block', blocks);
  // num_attention_heads falls back to attention_head_dim: the key is misnamed in diffusers'
  // UNet configs and really holds the head count (modeling_audioldm2.py, __init__).
  const heads = perBlock(config, 'attention_head_dim', blocks);
  const cross = crossAttentionDims(config, blocks);
  const groups = config.int('norm_num_groups');
  for (const c of channels) if (c % groups !== 0) config.refuse('block_out_channels', channels, `multiples of norm_num_groups (${groups})`);

  const contextDims = { loa: new Set<number>(), t5: new Set<number>() };
  const attention = (block: number, c: number): CrossAttnDims => {
    const contexts = cross[block].map((dim, idx): AttnContext => {
      if (dim === null) return 'self';
      const context = idx <= 1 ? 'loa' : 't5';
      contextDims[context].add(dim);
      return context;
    });
    if (Math.floor(c / heads[block]) < 1) config.refuse('attention_head_dim', heads, `at most ${c} heads for ${c} channels`);
    return { heads: heads[block], innerDim: heads[block] * Math.floor(c / heads[block]), transformerLayers: transformerLayers[block], contexts };
  };

  const down: UnetBlockDims[] = channels.map((c, i) => ({
    inChannels: i === 0 ? channels[0] : channels[i - 1],
    outChannels: c,
    resnets: layers[i],
    attention: downTypes[i] === 'CrossAttnDownBlock2D' ? attention(i, c) : null,
    resample: i < blocks - 1,
    prevChannels: 0,
  }));
  // Up blocks read every per-block list reversed (modeling_audioldm2.py, __init__ "up").
  const rev = (i: number) => blocks - 1 - i;
  const up: UnetBlockDims[] = upTypes.map((type, i) => ({
    inChannels: channels[rev(Math.min(i + 1, blocks - 1))],
    outChannels: channels[rev(i)],
    resnets: layers[rev(i)] + 1,
    attention: type === 'CrossAttnUpBlock2D' ? attention(rev(i), channels[rev(i)]) : null,
    resample: i < blocks - 1,
    prevChannels: channels[rev(Math.max(i - 1, 0))],
  }));
  const mid = { channels: channels[blocks - 1], attention: attention(blocks - 1, channels[blocks - 1]) };

  // One graph input per context: every entry that reads it must agree on its width.
  const single = (context: 'loa' | 't5'): number => {
    const dims = [...contextDims[context]];
    if (dims.length !== 1) {
      config.refuse(
        'cross_attention_dim',
        config.raw('cross_attention_dim'),
        `one width for the entries at index ≤ 1 (encoder_hidden_states) and one for index > 1 (encoder_hidden_states_1), both used; ${context} has ${dims.length ? dims.join(', ') : 'none'}`,
      );
    }
    return dims[0];
  };
  const kernel = (key: string) => {
    const k = config.int(key);
    if (k % 2 === 0) config.refuse(key, k, 'an odd kernel size');
    return k;
  };
  const timeEmbedding = config.raw('time_embedding_dim');
  return {
    inChannels: config.int('in_channels'),
    outChannels: config.int('out_channels'),
    timeProjDim: channels[0],
    timeEmbedDim: timeEmbedding === null ? channels[0] * 4 : config.int('time_embedding_dim'),
    flipSinToCos: config.bool('flip_sin_to_cos'),
    freqShift: config.number('freq_shift', { min: 0, max: channels[0] / 2 - 1 }),
    convInKernel: kernel('conv_in_kernel'),
    convOutKernel: kernel('conv_out_kernel'),
    groups,
    eps: config.number('norm_eps', { min: 0, max: 1 }),
    downsamplePadding: config.int('downsample_padding', { min: 0, max: 8 }),
    midScale: config.number('mid_block_scale_factor', { min: 1e-6 }),
    linearProjection: config.bool('use_linear_projection'),
    down,
    mid,
    up,
    loaDim: single('loa'),
    t5Dim: single('t5'),
  };
}
