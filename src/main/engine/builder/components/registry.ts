/**
 * Which builder writes which bundle graph, from which checkpoint folder. The bundle writer, the
 * random-checkpoint generator and parameter counts all read this one table.
 */
import type { ComponentKey } from '../../bundle/contract.ts';
import type { Checkpoint, CheckpointComponent } from '../checkpoint/checkpoint.ts';
import type { Graph } from '../onnx/graph.ts';
import { buildProjection } from './projection.ts';

export interface GraphBuilder {
  /** The checkpoint folder whose weights the graph reads. */
  component: CheckpointComponent;
  build: (checkpoint: Checkpoint) => Graph;
}

export const GRAPH_BUILDERS: Partial<Record<ComponentKey, GraphBuilder>> = {
  projection: { component: 'projection_model', build: buildProjection },
};
