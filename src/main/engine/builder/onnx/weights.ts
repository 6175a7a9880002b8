/**
 * One component's weights, as a graph sees them: each tensor a checkpoint names becomes an
 * external-data initializer pointing into its safetensors file. Every load states the shape the
 * config implies, so a checkpoint that disagrees with its config is refused by file and tensor name
 * before a graph is written — and the same calls, made against a `WeightRecorder` instead of a
 * file, list every tensor a config needs (the random-checkpoint generator writes exactly those).
 */
import { CheckpointError } from '../checkpoint/checkpoint-error.ts';
import type { SafetensorsFile, SafetensorsTensor } from '../checkpoint/safetensors.ts';
import type { ElementType, Graph } from './graph.ts';

const ELEMENT: Record<string, ElementType> = { F32: 'float32', F16: 'float16', BF16: 'bfloat16', F64: 'float64', I64: 'int64', I32: 'int32', I8: 'int8', U8: 'uint8', BOOL: 'bool' };

/**
 * How a random checkpoint fills a tensor (what the libraries' own init would roughly do):
 * `fanIn` ~ N(0, 1/fan_in) with fan_in = the product of all dims but the first (`fanInAxis` 1:
 * transposed layouts such as GPT-2's Conv1D [in, out] and ConvTranspose [in, out/g, k] use dim 0);
 * `bias` small noise; `ones`/`zeros` for norms; `embedding` ~ N(0, 0.02).
 */
export type InitKind = 'fanIn' | 'fanInAxis0' | 'bias' | 'ones' | 'zeros' | 'embedding';

export interface TensorSpec {
  name: string;
  shape: number[];
  init: InitKind;
}

/** Collects the tensors a build asks for, instead of reading a file. */
export class WeightRecorder {
  readonly specs = new Map<string, TensorSpec>();
  constructor(readonly path = '(recorder)') {}
}

type Source = SafetensorsFile | WeightRecorder;

interface Shared {
  loaded: WeakMap<Graph, Map<string, string>>;
  used: Set<string>;
}

export class Weights {
  private readonly shared: Shared;

  /**
   * @param source the parsed safetensors header, or a recorder
   * @param location the file's path relative to the graph files (what ONNX external data names)
   * @param prefix prepended to every name asked for (e.g. "text_model." for CLAP's text branch)
   */
  constructor(
    readonly source: Source,
    readonly location: string,
    readonly prefix = '',
    shared?: Shared,
  ) {
    this.shared = shared ?? { loaded: new WeakMap(), used: new Set() };
  }

  /** The same file, with a longer name prefix. */
  scope(prefix: string): Weights {
    return new Weights(this.source, this.location, this.prefix + prefix, this.shared);
  }

  get recording(): boolean {
    return this.source instanceof WeightRecorder;
  }

  private tensor(name: string, shape: readonly number[], init: InitKind): SafetensorsTensor {
    const full = this.prefix + name;
    if (this.source instanceof WeightRecorder) {
      const previous = this.source.specs.get(full);
      if (previous && previous.shape.join(',') !== shape.join(',')) throw new Error(`${full} requested as [${shape.join(', ')}] and [${previous.shape.join(', ')}]`);
      this.source.specs.set(full, { name: full, shape: [...shape], init });
      return { name: full, dtype: 'F32', shape: [...shape], offset: 0, length: shape.reduce((a, b) => a * b, 4) };
    }
    const tensor = this.source.tensors.get(full);
    if (!tensor) throw new CheckpointError(this.source.path, `tensor "${full}" is missing`);
    if (shape.length !== tensor.shape.length || shape.some((d, i) => d !== tensor.shape[i])) {
      throw new CheckpointError(this.source.path, `tensor "${full}" is [${tensor.shape.join(', ')}] but the config implies [${shape.join(', ')}]`);
    }
    return tensor;
  }

  /**
   * The tensor as a float32 graph value (int/half tensors are cast in the graph, so the file is
   * still not copied). `shape` is what the config says it must be.
   */
  load(g: Graph, name: string, shape: readonly number[], init: InitKind = 'fanIn'): string {
    const tensor = this.tensor(name, shape, init);
    let cache = this.shared.loaded.get(g);
    if (!cache) this.shared.loaded.set(g, (cache = new Map()));
    const hit = cache.get(tensor.name);
    if (hit) return hit;
    this.shared.used.add(tensor.name);
    const type = ELEMENT[tensor.dtype];
    let value = g.external(tensor.name, { location: this.location, offset: tensor.offset, length: tensor.length, type, dims: tensor.shape });
    if (type !== 'float32') value = g.op('Cast', [value], { to: { kind: 'int', value: 1 } }, { name: `${tensor.name}.f32` });
    cache.set(tensor.name, value);
    return value;
  }

  /**
   * A tensor the checkpoint holds that this configuration computes nothing with (a buffer the
   * library always saves, such as the vocoder's mean/scale without normalize_before): its shape is
   * checked and it is recorded, but no graph reads it.
   */
  declare(name: string, shape: readonly number[], init: InitKind): void {
    this.shared.used.add(this.tensor(name, shape, init).name);
  }

  /** Tensors in the file that no graph used: a checkpoint with parts the config does not explain. */
  unused(ignore: (name: string) => boolean = () => false): string[] {
    if (this.source instanceof WeightRecorder) return [];
    return [...this.source.tensors.keys()].filter((n) => n.startsWith(this.prefix) && !this.shared.used.has(n) && !ignore(n));
  }
}
