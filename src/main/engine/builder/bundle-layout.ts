/**
 * Where a built bundle keeps things. ONNX Runtime only follows external-data paths that stay inside
 * the graph's folder (symlinks resolved), so each component's safetensors file is hard-linked into
 * `weights/` next to the graphs: the same bytes, no second copy (a copy only across file systems).
 */
import type { CheckpointComponent } from './checkpoint/checkpoint.ts';

export function weightsLocation(component: CheckpointComponent): string {
  return `weights/${component}.safetensors`;
}
