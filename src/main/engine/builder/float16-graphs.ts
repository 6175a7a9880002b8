/**
 * fp16 graphs for GPU providers, built beside the fp32 ones: each component whose contract lists
 * `fp16` (models/contract.json `precisions`: CLAP text and audio, GPT-2 prefill and step, UNet,
 * vocoder; T5 overflows in half precision, the projection is tiny and the VAE decodes with
 * diffusers' force_upcast, so those stay fp32 only) gets `<file>.fp16.onnx`, reading one converted
 * weights file per checkpoint component. Built in memory like the fp32 graphs, before any write.
 */
import { CONTRACT, type ComponentKey } from '../bundle/contract.ts';
import type { CheckpointComponent } from './checkpoint/checkpoint.ts';
import { planFloat16Weights, type Float16WeightsPlan } from './float16-weights.ts';
import type { Graph } from './onnx/graph.ts';
import { toFloat16, type Float16Conversion } from './onnx/to-float16.ts';

/** `unet.onnx` → `unet.fp16.onnx`. */
export function float16GraphFile(file: string): string {
  return file.replace(/\.onnx$/, '.fp16.onnx');
}

/** The converted weights of a component, beside its checkpoint file in the bundle. */
export function float16WeightsLocation(component: CheckpointComponent): string {
  return `weights/${component}.fp16.safetensors`;
}

export interface Float16Graphs {
  graphs: Map<ComponentKey, { graph: Graph; component: CheckpointComponent; conversion: Float16Conversion }>;
  weights: Map<CheckpointComponent, Float16WeightsPlan>;
}

/** The fp16 graphs of every component the contract allows in fp16, and the weights files they read. */
export function buildFloat16Graphs(graphs: ReadonlyMap<ComponentKey, { graph: Graph; component: CheckpointComponent }>): Float16Graphs {
  const wanted = [...graphs].filter(([key]) => CONTRACT.components[key].precisions.includes('fp16'));
  const weights = new Map<CheckpointComponent, Float16WeightsPlan>();
  for (const component of new Set(wanted.map(([, g]) => g.component))) {
    const sharing = wanted.filter(([, g]) => g.component === component).map(([, g]) => g.graph);
    weights.set(component, planFloat16Weights(sharing, float16WeightsLocation(component)));
  }
  const result: Float16Graphs = { graphs: new Map(), weights };
  for (const [key, { graph, component }] of wanted) {
    const conversion = toFloat16(graph, weights.get(component)!.locate);
    result.graphs.set(key, { graph: conversion.graph, component, conversion });
  }
  return result;
}
