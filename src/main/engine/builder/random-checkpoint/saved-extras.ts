/**
 * What the graphs' weight recorders cannot say about a real checkpoint:
 * - tensors `save_pretrained` writes that no graph reads (buffers, GPT-2's token table, CLAP's
 *   logit scales), with the values the libraries give them — the list is the one diffusers wrote
 *   for the fixture (fixtures/audioldm2-tiny/checkpoint, checked in random-checkpoint.spec.ts);
 * - the few places where the generic init of onnx/weights.ts's InitKind would not match what the
 *   library's own init does in a way that matters for the pipeline's output.
 * Both are decided from the config, never from a file.
 */
import { ConfigReader } from '../checkpoint/config-reader.ts';
import type { CheckpointComponent, Config } from '../checkpoint/checkpoint.ts';
import type { TensorSpec } from '../onnx/weights.ts';
import type { Fill } from './random-fill.ts';

export interface PlannedTensor {
  name: string;
  dtype: 'F32' | 'I64';
  shape: number[];
  fill: Fill;
}

/** transformers' ClapConfig / ClapTextConfig / ClapAudioConfig defaults (configuration_clap.py, 4.47) for the keys read here. */
const CLAP_DEFAULTS: Config = { logit_scale_init_value: 1 / 0.07 };
const CLAP_TEXT_DEFAULTS: Config = { max_position_embeddings: 514 };
const CLAP_AUDIO_DEFAULTS: Config = { window_size: 8, depths: [2, 2, 6, 2] };
/** GPT2Config defaults (configuration_gpt2.py). */
const GPT2_DEFAULTS: Config = { vocab_size: 50257, n_embd: 768 };
/** T5Config defaults (configuration_t5.py). */
const T5_DEFAULTS: Config = { d_model: 512, d_kv: 64 };

const arange = (count: number) => BigInt64Array.from({ length: count }, (_, i) => BigInt(i));

/**
 * Swin's relative_position_index for a window of w×w (ClapAudioSelfAttention): for tokens
 * p = (h1, w1), q = (h2, w2) of the window, (h1 − h2 + w − 1)·(2w − 1) + (w1 − w2 + w − 1).
 */
export function swinRelativePositionIndex(w: number): BigInt64Array {
  const n = w * w;
  const out = new BigInt64Array(n * n);
  for (let p = 0; p < n; p++) {
    for (let q = 0; q < n; q++) {
      const dh = Math.floor(p / w) - Math.floor(q / w) + w - 1;
      const dw = (p % w) - (q % w) + w - 1;
      out[p * n + q] = BigInt(dh * (2 * w - 1) + dw);
    }
  }
  return out;
}

/** The tensors of `component` that save_pretrained writes and no graph reads. */
export function savedExtras(component: CheckpointComponent, config: Config, configPath: string): PlannedTensor[] {
  switch (component) {
    case 'text_encoder': {
      const top = new ConfigReader(configPath, config, CLAP_DEFAULTS);
      const text = top.nested('text_config', CLAP_TEXT_DEFAULTS);
      const audio = top.nested('audio_config', CLAP_AUDIO_DEFAULTS);
      // ClapModel.__init__: logit_scale_a/t = nn.Parameter(log(logit_scale_init_value)); read only
      // by ClapModel.forward (the ranking reads exp(logit_scale_t) for the bundle manifest).
      const logitScale = Math.log(top.number('logit_scale_init_value', { min: 1e-6, max: 1e6 }));
      const positions = text.int('max_position_embeddings');
      const window = audio.int('window_size');
      const tensors: PlannedTensor[] = [
        { name: 'logit_scale_a', dtype: 'F32', shape: [], fill: { kind: 'constant', value: logitScale } },
        { name: 'logit_scale_t', dtype: 'F32', shape: [], fill: { kind: 'constant', value: logitScale } },
        // ClapTextEmbeddings' persistent buffers: arange(max_position_embeddings) and zeros.
        { name: 'text_model.embeddings.position_ids', dtype: 'I64', shape: [1, positions], fill: { kind: 'values', values: () => arange(positions) } },
        { name: 'text_model.embeddings.token_type_ids', dtype: 'I64', shape: [1, positions], fill: { kind: 'constant', value: 0 } },
        // BatchNorm2d's step counter (0 for a model that never trained).
        { name: 'audio_model.audio_encoder.batch_norm.num_batches_tracked', dtype: 'I64', shape: [], fill: { kind: 'constant', value: 0 } },
      ];
      audio.ints('depths').forEach((depth, layer) => {
        for (let block = 0; block < depth; block++) {
          tensors.push({
            name: `audio_model.audio_encoder.layers.${layer}.blocks.${block}.attention.self.relative_position_index`,
            dtype: 'I64',
            shape: [window * window, window * window],
            fill: { kind: 'values', values: () => swinRelativePositionIndex(window) },
          });
        }
      });
      return tensors;
    }
    case 'language_model': {
      // GPT2Model.wte: the pipeline runs GPT-2 on inputs_embeds, so the token table is never read.
      const gpt2 = new ConfigReader(configPath, config, GPT2_DEFAULTS);
      return [{ name: 'wte.weight', dtype: 'F32', shape: [gpt2.int('vocab_size'), gpt2.int('n_embd')], fill: { kind: 'normal', std: 0.02 } }];
    }
    case 'vocoder': {
      // SpeechT5HifiGan registers mean = zeros(model_in_dim) and scale = ones(model_in_dim) as
      // buffers whether or not normalize_before uses them.
      const melBins = new ConfigReader(configPath, config).int('model_in_dim');
      return [
        { name: 'mean', dtype: 'F32', shape: [melBins], fill: { kind: 'constant', value: 0 } },
        { name: 'scale', dtype: 'F32', shape: [melBins], fill: { kind: 'constant', value: 1 } },
      ];
    }
    default:
      return [];
  }
}

/**
 * A component's own init where the generic one would mislead, or undefined for the generic fill.
 * - vocoder: the fixture README's re-initialisation, which keeps a random HiFi-GAN's waveform
 *   audible and unsaturated: ConvTranspose1d upsamplers N(0, 1/fan_in) with fan_in = in·k/stride
 *   (each output sample sees k/stride taps of each input channel).
 * - text_encoder_2: T5 does not scale its attention scores by 1/√d_kv; its own init folds that into
 *   q instead (T5PreTrainedModel._init_weights: q ~ N(0, (d_model·d_kv)^-1/2)), which keeps the
 *   random encoder's attention from collapsing onto one token.
 */
export function initCorrection(component: CheckpointComponent, config: Config, configPath: string): (spec: TensorSpec) => Fill | undefined {
  switch (component) {
    case 'vocoder': {
      const rates = new ConfigReader(configPath, config).ints('upsample_rates');
      return (spec) => {
        const match = /^upsampler\.(\d+)\.weight$/.exec(spec.name);
        if (!match || spec.shape.length !== 3) return undefined;
        const stride = rates[Number(match[1])];
        const [inChannels, , kernel] = spec.shape;
        return { kind: 'normal', std: 1 / Math.sqrt((inChannels * kernel) / stride) };
      };
    }
    case 'text_encoder_2': {
      const t5 = new ConfigReader(configPath, config, T5_DEFAULTS);
      const std = 1 / Math.sqrt(t5.int('d_model') * t5.int('d_kv'));
      return (spec) => (/^encoder\.block\.\d+\.layer\.0\.SelfAttention\.q\.weight$/.test(spec.name) ? { kind: 'normal', std } : undefined);
    }
    default:
      return () => undefined;
  }
}
