/**
 * AudioLDM2ProjectionModel (diffusers pipelines/audioldm2/modeling_audioldm2.py): projects the CLAP
 * text embedding and the T5 states to the language model's width and frames each with learned
 * start/end vectors: [sos, P(clap), eos, sos_1, P1(t5)…, eos_1], with the matching attention mask.
 */
import { ConfigReader } from '../checkpoint/config-reader.ts';
import type { Checkpoint } from '../checkpoint/checkpoint.ts';
import { weightsLocation } from '../bundle-layout.ts';
import { Graph, int } from '../onnx/graph.ts';
import { linear } from '../onnx/layers.ts';
import { Weights } from '../onnx/weights.ts';

export interface ProjectionDims {
  clapDim: number;
  t5Dim: number;
  llmDim: number;
}

export function projectionDims(checkpoint: Checkpoint): ProjectionDims {
  const config = new ConfigReader(checkpoint.components.projection_model.configPath, checkpoint.config('projection_model'));
  // Learned position embeddings belong to the speech (VITS) variant, which the builder does not build.
  config.expect('use_learned_position_embedding', null);
  return {
    clapDim: config.int('text_encoder_dim'),
    t5Dim: config.int('text_encoder_1_dim'),
    // The real key is misspelt "langauge" in diffusers and on the Hub.
    llmDim: config.int('langauge_model_dim'),
  };
}

export function buildProjection(checkpoint: Checkpoint): Graph {
  const { clapDim, t5Dim, llmDim } = projectionDims(checkpoint);
  const w = new Weights(checkpoint.weights('projection_model'), weightsLocation('projection_model'));
  const g = new Graph('projection');
  const clap = g.input('clap_embeds', 'float32', ['batch', 1, clapDim]);
  const clapMask = g.input('clap_mask', 'int64', ['batch', 1]);
  const t5 = g.input('t5_hidden', 'float32', ['batch', 't5_len', t5Dim]);
  const t5Mask = g.input('t5_mask', 'int64', ['batch', 't5_len']);

  // A learned vector [D] broadcast to [batch, 1, D].
  const batchOf = (x: string) => g.op('Slice', [g.op('Shape', [x]), g.constInt([0]), g.constInt([1])]);
  const batch = batchOf(clap);
  const token = (name: string) => {
    const v = g.op('Reshape', [w.load(g, name, [llmDim], 'embedding'), g.constInt([1, 1, llmDim])]);
    return g.op('Expand', [v, g.op('Concat', [batch, g.constInt([1, llmDim])], { axis: int(0) })]);
  };
  const p = linear(g, w, 'projection', clap, { in: clapDim, out: llmDim });
  const p1 = linear(g, w, 'projection_1', t5, { in: t5Dim, out: llmDim });
  const embeds = g.op('Concat', [token('sos_embed'), p, token('eos_embed'), token('sos_embed_1'), p1, token('eos_embed_1')], { axis: int(1) });

  const ones = g.op('Expand', [g.constInt([1], [1, 1]), g.op('Concat', [batch, g.constInt([1])], { axis: int(0) })]);
  const mask = g.op('Concat', [ones, clapMask, ones, ones, t5Mask, ones], { axis: int(1) });
  g.output(embeds, 'inputs_embeds', 'float32', ['batch', 'prefix_len', llmDim]);
  g.output(mask, 'attention_mask', 'int64', ['batch', 'prefix_len']);
  return g;
}
