/**
 * A built float32 graph rewritten for half precision on GPU providers, keeping its contract:
 *   - float32 graph inputs stay float32 and are Cast to float16 where an fp16 node first reads them;
 *     float32 graph outputs are Cast back, under their own names (contract I/O unchanged);
 *   - float32 initializers become float16: external ones re-pointed by `locate` into a converted
 *     weights file (float16-weights.ts), inline constants converted in place (round to nearest even,
 *     saturating at ±65504: GPT-2's finfo(float32).min mask bias becomes −65504, still finite);
 *   - attributes that name a float type follow: Cast `to`, ConstantOfShape `value`;
 *   - int64/bool paths (ids, masks, shapes) are copied untouched;
 *   - the ops in KEEP_FLOAT32 stay float32, with Casts around them (see there for why).
 * Slots whose type an op's schema fixes (Resize's float32 scales, MultiHeadAttention's int32 mask,
 * LayerNormalization's float32 mean/inv_std outputs) keep it: element-types.ts knows which.
 */
import onnxProto from 'onnx-proto';
import type { onnx as P } from 'onnx-proto';
import { elementTypeOf, inferElementTypes, opRule, slotKind } from './element-types.ts';
import { emptyFloat16Stats, float32ArrayToFloat16, type Float16Stats } from './float16.ts';
import { Graph, int, ONNX_TYPE, type Attr, type Dim, type ElementType, type ExternalRef } from './graph.ts';

const { onnx } = onnxProto;

/**
 * Ops computed in float32 inside an fp16 graph, with every float op upstream of them (their float
 * inputs' producers, transitively: the whole computation of their argument).
 *   - Sin, Cos: the UNet's timestep embedding takes sin/cos of t·f with t up to 1000; float16 has a
 *     spacing of 0.5 there, so the argument — not the sine — must be float32. diffusers does the same
 *     (get_timestep_embedding computes in float32 and casts the embedding to the UNet's dtype).
 *   - Range: ONNX Runtime's CUDA provider has no float16 Range kernel (cuda/generator/range.cc
 *     registers float, double, int16/32/64; int64 Range, the only kind our builders write, is an int
 *     path and untouched anyway).
 * Checked and deliberately left in float16 (ORT's CUDA kernels):
 *   - LayerNormalization, SimplifiedLayerNormalization, SkipLayerNormalization,
 *     SkipSimplifiedLayerNormalization: registered for half inputs with a float accumulation type U
 *     (contrib_ops/cuda/layer_norm.cc: MLFloat16, float, MLFloat16): statistics are float32.
 *   - InstanceNormalization (our GroupNorm): the CUDA kernel gets mean and variance from cuDNN's batch
 *     norm with float32 statistics descriptors and normalises with float32 statistics.
 *   - MultiHeadAttention: half kernels; its softmax accumulates in float32.
 *   - Softmax, Conv, ConvTranspose, MatMul, Resize, Gelu, FastGelu, reductions: half kernels exist.
 */
export const KEEP_FLOAT32: ReadonlySet<string> = new Set(['Sin', 'Cos', 'Range']);

/** Where a float32 graph's external initializer lives (the fp32 graph's external-data fields). */
export interface ExternalSource {
  location: string;
  offset: number;
  length: number;
  type: ElementType;
  dims: number[];
}

export interface Float16Conversion {
  graph: Graph;
  /** Nodes left in float32 ("OpType name"). */
  keptFloat32: string[];
  /** Casts the transform added. */
  casts: number;
  /** Inline float constants that saturated or underflowed (GPT-2's mask bias saturates by design). */
  constants: Float16Stats;
}

/** The external-data fields of an initializer, or undefined for an inline one. */
export function externalSource(init: P.ITensorProto): ExternalSource | undefined {
  if (init.dataLocation !== onnx.TensorProto.DataLocation.EXTERNAL) return undefined;
  const field = (key: string) => init.externalData?.find((e) => e.key === key)?.value ?? '';
  return {
    location: field('location'),
    offset: Number(field('offset') || 0),
    length: Number(field('length')),
    type: elementTypeOf(init.dataType),
    dims: (init.dims ?? []).map(Number),
  };
}

function attrOf(a: P.IAttributeProto): Attr {
  const T = onnx.AttributeProto.AttributeType;
  switch (a.type) {
    case T.INT:
      return { kind: 'int', value: Number(a.i) };
    case T.FLOAT:
      return { kind: 'float', value: Number(a.f) };
    case T.INTS:
      return { kind: 'ints', value: (a.ints ?? []).map(Number) };
    case T.FLOATS:
      return { kind: 'floats', value: (a.floats ?? []).map(Number) };
    case T.STRING:
      return { kind: 'string', value: new TextDecoder().decode(a.s ?? new Uint8Array()) };
    case T.TENSOR:
      return { kind: 'tensor', value: a.t ?? {} };
    default:
      throw new Error(`to-float16: attribute ${a.name} has unsupported type ${String(a.type)}`);
  }
}

function float32Words(tensor: P.ITensorProto): Uint32Array {
  if (tensor.rawData && tensor.rawData.length > 0) {
    const raw = tensor.rawData;
    return new Uint32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
  }
  return new Uint32Array(new Float32Array((tensor.floatData ?? []).map(Number)).buffer);
}

function halfBytes(tensor: P.ITensorProto, stats: Float16Stats): Uint8Array {
  const half = float32ArrayToFloat16(float32Words(tensor), stats);
  return new Uint8Array(half.buffer);
}

function dimsOf(info: P.IValueInfoProto): Dim[] {
  return (info.type?.tensorType?.shape?.dim ?? []).map((d) => (d.dimParam ? d.dimParam : Number(d.dimValue)));
}

/** The nodes to keep in float32: KEEP_FLOAT32 ops on float data and every float op upstream of them. */
function keptNodes(nodes: readonly P.INodeProto[], types: Map<string, ElementType>): Set<P.INodeProto> {
  const producer = new Map<string, P.INodeProto>();
  for (const node of nodes) for (const out of node.output ?? []) producer.set(out, node);
  const isFloat32 = (name: string) => types.get(name) === 'float32';
  const stack = nodes.filter((n) => KEEP_FLOAT32.has(n.opType ?? '') && (n.domain ?? '') === '' && [...(n.input ?? []), ...(n.output ?? [])].some(isFloat32));
  const kept = new Set<P.INodeProto>();
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (kept.has(node)) continue;
    kept.add(node);
    for (const input of node.input ?? []) {
      const from = isFloat32(input) ? producer.get(input) : undefined;
      if (from && !kept.has(from)) stack.push(from);
    }
  }
  return kept;
}

/**
 * The float16 version of `source`. `locate` gives each external initializer's place in the converted
 * weights file (float initializers there are float16; others keep their type).
 */
export function toFloat16(source: Graph, locate: (source: ExternalSource) => ExternalRef): Float16Conversion {
  const parts = source.parts;
  const types = inferElementTypes(parts);
  const kept = keptNodes(parts.nodes, types);
  const g = new Graph(source.name, source.opset);
  const constants = emptyFloat16Stats();
  let casts = 0;

  const initializers = new Map(parts.initializers.map((t) => [t.name ?? '', t]));
  const graphOutputs = new Map(parts.outputs.map((o) => [o.name ?? '', elementTypeOf(o.type?.tensorType?.elemType)]));
  /** Each original value's forms in the new graph, by element type. */
  const forms = new Map<string, Map<ElementType, string>>();

  for (const info of parts.inputs) {
    const name = g.input(info.name ?? '', elementTypeOf(info.type?.tensorType?.elemType), dimsOf(info));
    forms.set(name, new Map([[types.get(name)!, name]]));
  }

  /**
   * An initializer's first form: external ones re-pointed; inline float32 ones as the reader wants
   * them (converted to float16, or their exact float32 bytes for a float32 op or a fixed slot).
   */
  const materialise = (name: string, want: ElementType | 'any' = 'float16'): Map<ElementType, string> => {
    const init = initializers.get(name);
    if (!init) throw new Error(`to-float16: ${name} is read before it is defined`);
    const type = elementTypeOf(init.dataType);
    const external = externalSource(init);
    const form = new Map<ElementType, string>();
    if (external) {
      const ref = locate(external);
      form.set(ref.type, g.external(name, ref));
    } else if (type === 'float32' && want === 'float32') {
      form.set('float32', g.tensor(name, 'float32', (init.dims ?? []).map(Number), new Uint8Array(float32Words(init).buffer)));
    } else if (type === 'float32') {
      form.set('float16', g.tensor(name, 'float16', (init.dims ?? []).map(Number), halfBytes(init, constants)));
    } else {
      form.set(type, g.tensor(name, type, (init.dims ?? []).map(Number), init.rawData ?? new Uint8Array()));
    }
    forms.set(name, form);
    return form;
  };

  /** `value` as element type `want` ('any': whichever form exists), casting (once) when needed. */
  const read = (value: string, want: ElementType | 'any'): string => {
    if (value === '') return '';
    const form = forms.get(value) ?? materialise(value, want);
    if (want === 'any') return form.values().next().value!;
    const hit = form.get(want);
    if (hit) return hit;
    const init = initializers.get(value);
    let made: string;
    if (init && !externalSource(init) && want === 'float32' && elementTypeOf(init.dataType) === 'float32') {
      // An inline constant an fp32 op reads: its exact float32 bytes, not a widened half.
      made = g.tensor(`${value}.f32`, 'float32', (init.dims ?? []).map(Number), new Uint8Array(float32Words(init).buffer));
    } else {
      made = g.op('Cast', [form.values().next().value!], { to: int(ONNX_TYPE[want]) }, { name: `${value}.${want === 'float16' ? 'f16' : 'f32'}` });
      casts++;
    }
    form.set(want, made);
    return made;
  };

  for (const node of parts.nodes) {
    const rule = opRule(node);
    const inputs = node.input ?? [];
    const outputs = node.output ?? [];
    const isKept = kept.has(node);
    const tType = inputs.map((name, i) => (name && slotKind(rule, i) === 'T' ? types.get(name) : undefined)).find((t) => t !== undefined);
    const converts = !isKept && tType === 'float32';
    // What each output becomes: float32 results of converted nodes (and of Cast/ConstantOfShape to float) turn float16.
    const newType = outputs.map((name, i) => {
      const original = types.get(name)!;
      if (original !== 'float32' || isKept) return original;
      const kind = rule.outputs[i] ?? 'T';
      return (kind === 'T' && converts) || kind === 'to' || kind === 'value' ? 'float16' : original;
    });

    // An Identity naming a graph output only renames: the output step below casts or renames it.
    if (node.opType === 'Identity' && graphOutputs.has(outputs[0])) {
      forms.set(outputs[0], new Map(forms.get(inputs[0]) ?? materialise(inputs[0])));
      continue;
    }
    const newInputs = inputs.map((name, i) => {
      if (!name) return '';
      const kind = slotKind(rule, i);
      if (kind === 'any') return read(name, 'any');
      const original = types.get(name)!;
      return read(name, kind === 'T' && converts && original === 'float32' ? 'float16' : original);
    });
    const attrs: Record<string, Attr> = {};
    for (const a of node.attribute ?? []) attrs[a.name ?? ''] = attrOf(a);
    if (node.opType === 'Cast' && newType[0] === 'float16') {
      // A cast to float of a value that already exists as float16 is that value.
      const existing = forms.get(inputs[0])?.get('float16');
      if (existing && !graphOutputs.has(outputs[0])) {
        forms.set(outputs[0], new Map([['float16', existing]]));
        continue;
      }
      attrs.to = int(ONNX_TYPE.float16);
    }
    if (node.opType === 'ConstantOfShape' && newType[0] === 'float16' && attrs.value?.kind === 'tensor') {
      const value = attrs.value.value;
      attrs.value = { kind: 'tensor', value: { dims: value.dims, dataType: ONNX_TYPE.float16, rawData: halfBytes(value, constants) } };
    }
    // Names: the original ones, except a graph output that must still be cast back (it gets `.f16`).
    const hint =
      outputs.length === 1 && graphOutputs.has(outputs[0]) && graphOutputs.get(outputs[0]) !== newType[0]
        ? `${outputs[0]}.f16`
        : outputs.length === 1
          ? outputs[0]
          : (node.name ?? node.opType ?? 'n').replace(/^n:/, '');
    const made = g.opN(node.opType ?? '', newInputs, attrs, { domain: node.domain ?? '', outputs: outputs.length, name: hint });
    outputs.forEach((name, i) => {
      if (name) forms.set(name, new Map([[newType[i], made[i]]]));
    });
  }

  for (const info of parts.outputs) {
    const name = info.name ?? '';
    const type = graphOutputs.get(name)!;
    const form = forms.get(name);
    if (!form) throw new Error(`to-float16: graph output ${name} is never computed`);
    let value = form.get(type);
    if (!value) {
      value = g.op('Cast', [form.values().next().value!], { to: int(ONNX_TYPE[type]) }, { name });
      casts++;
    }
    g.output(value, name, type, dimsOf(info));
  }
  const keptFloat32 = parts.nodes.filter((n) => kept.has(n)).map((n) => `${n.opType} ${n.name}`);
  return { graph: g, keptFloat32, casts, constants };
}
