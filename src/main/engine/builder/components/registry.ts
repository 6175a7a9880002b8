/**
 * Which builder writes which bundle graph, from which checkpoint folder. The bundle writer, the
 * random-checkpoint generator and parameter counts all read this one table.
 */
import type { ComponentKey } from '../../bundle/contract.ts';
import type { Checkpoint, CheckpointComponent } from '../checkpoint/checkpoint.ts';
import type { Graph } from '../onnx/graph.ts';
import { buildClapAudio } from './clap-audio.ts';
import { buildClapText } from './clap-text.ts';
import { buildGpt2Prefill, buildGpt2Step } from './gpt2.ts';
import { buildProjection } from './projection.ts';
import { buildT5Encoder } from './t5-encoder.ts';
import { buildUnet } from './unet.ts';
import { buildVaeDecoder, buildVaeEncoder } from './vae.ts';
import { buildVocoder } from './vocoder.ts';

export interface GraphBuilder {
  /** The checkpoint folder whose weights the graph reads. */
  component: CheckpointComponent;
  build: (checkpoint: Checkpoint) => Graph;
}

export const GRAPH_BUILDERS: Record<ComponentKey, GraphBuilder> = {
  clapText: { component: 'text_encoder', build: buildClapText },
  clapAudio: { component: 'text_encoder', build: buildClapAudio },
  t5Encoder: { component: 'text_encoder_2', build: buildT5Encoder },
  projection: { component: 'projection_model', build: buildProjection },
  gpt2Prefill: { component: 'language_model', build: buildGpt2Prefill },
  gpt2Step: { component: 'language_model', build: buildGpt2Step },
  unet: { component: 'unet', build: buildUnet },
  vaeDecoder: { component: 'vae', build: buildVaeDecoder },
  vaeEncoder: { component: 'vae', build: buildVaeEncoder },
  vocoder: { component: 'vocoder', build: buildVocoder },
};
