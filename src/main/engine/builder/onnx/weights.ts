/**
 * One component's weights, as a graph sees them: each tensor a checkpoint names becomes an
 * external-data initializer pointing into its safetensors file. Shapes are checked against what
 * the config implies before a graph is written, so a checkpoint that disagrees with its config is
 * refused by file and tensor name.
 */
import { CheckpointError } from '../checkpoint/checkpoint-error.ts';
import type { SafetensorsFile, SafetensorsTensor } from '../checkpoint/safetensors.ts';
import type { ElementType, Graph } from './graph.ts';

const ELEMENT: Record<string, ElementType> = { F32: 'float32', F16: 'float16', BF16: 'bfloat16', F64: 'float64', I64: 'int64', I32: 'int32', I8: 'int8', U8: 'uint8', BOOL: 'bool' };

export class Weights {
  private readonly loaded = new WeakMap<Graph, Map<string, string>>();
  private readonly used = new Set<string>();

  /**
   * @param file the parsed safetensors header
   * @param location the file's path relative to the graph files (what ONNX external data names)
   * @param prefix prepended to every name asked for (e.g. "text_model." for CLAP's text branch)
   */
  constructor(readonly file: SafetensorsFile, readonly location: string, readonly prefix = '') {}

  /** The same file, with a longer name prefix. */
  scope(prefix: string): Weights {
    const child = new Weights(this.file, this.location, this.prefix + prefix);
    // Share bookkeeping so a graph built from several scopes loads each tensor once.
    (child as unknown as { loaded: WeakMap<Graph, Map<string, string>> }).loaded = this.loaded;
    (child as unknown as { used: Set<string> }).used = this.used;
    return child;
  }

  has(name: string): boolean {
    return this.file.tensors.has(this.prefix + name);
  }

  info(name: string): SafetensorsTensor {
    const tensor = this.file.tensors.get(this.prefix + name);
    if (!tensor) throw new CheckpointError(this.file.path, `tensor "${this.prefix + name}" is missing`);
    return tensor;
  }

  shape(name: string): number[] {
    return this.info(name).shape;
  }

  /**
   * The tensor as a float32 graph value (int/half tensors are cast in the graph, so the file is
   * still not copied). `shape` is what the config says it must be.
   */
  load(g: Graph, name: string, shape?: readonly number[]): string {
    const tensor = this.info(name);
    if (shape && (shape.length !== tensor.shape.length || shape.some((d, i) => d !== tensor.shape[i]))) {
      throw new CheckpointError(this.file.path, `tensor "${tensor.name}" is [${tensor.shape.join(', ')}] but the config implies [${shape.join(', ')}]`);
    }
    let cache = this.loaded.get(g);
    if (!cache) this.loaded.set(g, (cache = new Map()));
    const hit = cache.get(tensor.name);
    if (hit) return hit;
    this.used.add(tensor.name);
    const type = ELEMENT[tensor.dtype];
    let value = g.external(tensor.name, { location: this.location, offset: tensor.offset, length: tensor.length, type, dims: tensor.shape });
    if (type !== 'float32') value = g.op('Cast', [value], { to: { kind: 'int', value: 1 } }, { name: `${tensor.name}.f32` });
    cache.set(tensor.name, value);
    return value;
  }

  /** Tensor names under this prefix that no graph used (a config/checkpoint mismatch shows here). */
  unused(filter: (name: string) => boolean = () => true): string[] {
    return [...this.file.tensors.keys()].filter((n) => n.startsWith(this.prefix) && !this.used.has(n) && filter(n));
  }
}
