/**
 * The engine's bundle config (manifest.json → config), derived from the checkpoint's own configs:
 * every number the pipeline uses between graphs comes from a config.json or a weight, never from a
 * table of known models.
 */
import { readFileSync } from 'node:fs';
import type { BundleConfig } from '../bundle/manifest.ts';
import type { SchedulerConfig } from '../schedulers/scheduler.ts';
import type { Checkpoint } from './checkpoint/checkpoint.ts';
import { CheckpointError } from './checkpoint/checkpoint-error.ts';
import { ConfigReader } from './checkpoint/config-reader.ts';
import { clapLogitScale } from './components/clap-audio.ts';

function reader(checkpoint: Checkpoint, component: keyof Checkpoint['components']): ConfigReader {
  return new ConfigReader(checkpoint.components[component].configPath, checkpoint.config(component));
}

function tokenizerMaxLength(checkpoint: Checkpoint, folder: 'tokenizer' | 'tokenizer_2'): number {
  const path = checkpoint.tokenizerFile(folder, 'tokenizer_config.json');
  let config: Record<string, unknown>;
  try {
    config = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new CheckpointError(path, `cannot read it (${(error as Error).message})`);
  }
  return new ConfigReader(path, config).int('model_max_length', { min: 1, max: 4096 });
}

export function bundleConfigFrom(checkpoint: Checkpoint): BundleConfig {
  const vocoder = reader(checkpoint, 'vocoder');
  const vae = reader(checkpoint, 'vae');
  const unet = reader(checkpoint, 'unet');
  const gpt2 = reader(checkpoint, 'language_model');
  const projection = reader(checkpoint, 'projection_model');
  const t5 = reader(checkpoint, 'text_encoder_2');
  const features = new ConfigReader(`${checkpoint.dir}/feature_extractor/preprocessor_config.json`, checkpoint.featureExtractor);

  const sampleRate = vocoder.int('sampling_rate', { min: 1000, max: 192000 });
  const hopLength = vocoder.ints('upsample_rates', { min: 1, max: 64 }).reduce((a, b) => a * b, 1);
  const melBins = vocoder.int('model_in_dim', { min: 1, max: 1024 });
  const vaeScaleFactor = 2 ** (vae.ints('block_out_channels').length - 1);
  if (melBins % vaeScaleFactor !== 0) vocoder.refuse('model_in_dim', melBins, `a multiple of the VAE's scale factor ${vaeScaleFactor}`);
  const gpt2Heads = gpt2.int('n_head');
  const llmDim = gpt2.int('n_embd');
  if (llmDim % gpt2Heads !== 0) gpt2.refuse('n_embd', llmDim, `a multiple of n_head (${gpt2Heads})`);

  return {
    sampleRate,
    hopLength,
    melBins,
    latentChannels: vae.int('latent_channels'),
    latentFreq: melBins / vaeScaleFactor,
    vaeScaleFactor,
    vaeScalingFactor: vae.number('scaling_factor', { min: 1e-6, max: 1e6 }),
    unetSampleSize: unet.int('sample_size'),
    maxNewTokens: gpt2.int('max_new_tokens', { min: 1, max: 1024 }),
    clapDim: projection.int('text_encoder_dim'),
    t5Dim: t5.int('d_model'),
    llmDim,
    gpt2Layers: gpt2.int('n_layer'),
    gpt2Heads,
    gpt2HeadDim: llmDim / gpt2Heads,
    clapMaxLength: tokenizerMaxLength(checkpoint, 'tokenizer'),
    t5MaxLength: tokenizerMaxLength(checkpoint, 'tokenizer_2'),
    clapLogitScale: clapLogitScale(checkpoint),
    clapAudio: {
      sampleRate: features.int('sampling_rate', { min: 1000, max: 192000 }),
      nFft: features.int('fft_window_size'),
      hopLength: features.int('hop_length'),
      melBins: features.int('feature_size'),
      fMin: features.number('frequency_min', { min: 0 }),
      fMax: features.number('frequency_max', { min: 1 }),
      maxSamples: features.int('nb_max_samples', { min: 1, max: 1e8 }),
    },
    scheduler: checkpoint.scheduler as SchedulerConfig,
  };
}
