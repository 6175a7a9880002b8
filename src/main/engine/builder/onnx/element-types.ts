/**
 * Element types of every value in a built graph, propagated node by node from the declared inputs
 * and initializers with each operator's type constraints (the ONNX / ORT contrib schemas, reduced to
 * what our builders use). Two jobs: the fp16 transform needs to know which slot of an op follows the
 * op's float type `T` and which is fixed (int64 shapes, Resize's float32 scales), and a built graph
 * can be checked for consistent types without a runtime that has kernels for them (ORT's CPU
 * provider lacks many fp16 kernels). An operator missing from the table is refused by name, so a
 * new op in a builder cannot slip through the transform unexamined.
 */
import onnxProto from 'onnx-proto';
import type { onnx as P } from 'onnx-proto';
import { MS_DOMAIN, ONNX_TYPE, type ElementType, type GraphParts } from './graph.ts';

const { onnx } = onnxProto;

/** How an input slot's type relates to the op: `T` the op's one type, `fixed` set by the schema, `any` unconstrained. */
export type SlotKind = 'T' | 'fixed' | 'any';

/** What an output's type is. */
type OutputType = 'T' | 'bool' | 'int64' | 'stash' | 'to' | 'value';

interface OpRule {
  /** Kind of each input slot; slots past the list take `rest`. */
  inputs: SlotKind[];
  rest: SlotKind;
  /** Type of each output; outputs past the list are `T`. */
  outputs: OutputType[];
}

const rule = (inputs: SlotKind[], outputs: OutputType[] = ['T'], rest: SlotKind = 'fixed'): OpRule => ({ inputs, rest, outputs });
/** Every input is T (element-wise ops, Concat, MatMul, Conv …). */
const allT = (outputs: OutputType[] = ['T']): OpRule => ({ inputs: [], rest: 'T', outputs });
/** Data in slot 0, shapes/axes/indices after it (Reshape, Gather, Slice …). */
const dataFirst = rule(['T']);

const ONNX_RULES: Record<string, OpRule> = {
  Add: allT(),
  Sub: allT(),
  Mul: allT(),
  Div: allT(),
  Max: allT(),
  Min: allT(),
  Sum: allT(),
  Mean: allT(),
  Relu: allT(),
  LeakyRelu: allT(),
  Sigmoid: allT(),
  Tanh: allT(),
  Sqrt: allT(),
  Sin: allT(),
  Cos: allT(),
  Exp: allT(),
  Log: allT(),
  Neg: allT(),
  Abs: allT(),
  Erf: allT(),
  Reciprocal: allT(),
  Softplus: allT(),
  Softmax: allT(),
  LogSoftmax: allT(),
  Identity: allT(),
  Clip: allT(),
  MatMul: allT(),
  Gemm: allT(),
  Einsum: allT(),
  Elu: allT(),
  HardSigmoid: allT(),
  Conv: allT(),
  ConvTranspose: allT(),
  Concat: allT(),
  Range: allT(),
  InstanceNormalization: allT(),
  // Pow's exponent has its own type T1.
  Pow: rule(['T', 'fixed']),
  Reshape: dataFirst,
  Unsqueeze: dataFirst,
  Squeeze: dataFirst,
  Slice: dataFirst,
  Gather: dataFirst,
  Expand: dataFirst,
  Tile: dataFirst,
  Split: dataFirst,
  CumSum: dataFirst,
  Flatten: dataFirst,
  Transpose: dataFirst,
  ReduceMean: dataFirst,
  ReduceSum: dataFirst,
  ReduceMax: dataFirst,
  ReduceMin: dataFirst,
  ReduceL2: dataFirst,
  ReduceProd: dataFirst,
  ReduceSumSquare: dataFirst,
  // Pad: data and constant_value are T; pads and axes int64.
  Pad: rule(['T', 'fixed', 'T', 'fixed']),
  // Resize: X is T1; roi and scales are float32 whatever X is; sizes int64.
  Resize: dataFirst,
  Where: rule(['fixed', 'T', 'T']),
  Equal: allT(['bool']),
  Greater: allT(['bool']),
  Less: allT(['bool']),
  GreaterOrEqual: allT(['bool']),
  LessOrEqual: allT(['bool']),
  Not: allT(),
  And: allT(),
  Or: allT(),
  Xor: allT(),
  Shape: rule(['any'], ['int64']),
  Size: rule(['any'], ['int64']),
  Cast: rule(['any'], ['to']),
  ConstantOfShape: rule(['fixed'], ['value']),
  // LayerNormalization's Mean and InvStdDev outputs are U = stash_type (float32).
  LayerNormalization: allT(['T', 'stash', 'stash']),
  // ORT registers SimplifiedLayerNormalization (RMSNorm) in the ONNX domain: Y is T, inv_std_var U.
  SimplifiedLayerNormalization: allT(['T', 'stash']),
};

const MS_RULES: Record<string, OpRule> = {
  // query, key, value, bias, key_padding_mask (int32), attention_bias, past_key, past_value.
  MultiHeadAttention: rule(['T', 'T', 'T', 'T', 'fixed', 'T', 'T', 'T'], ['T', 'T', 'T']),
  Gelu: allT(),
  FastGelu: allT(),
  BiasGelu: allT(),
  QuickGelu: allT(),
  FusedMatMul: allT(),
  BiasAdd: allT(),
  // input, skip, gamma, beta, bias → output, mean (U), inv_std_var (U), input_skip_bias_sum.
  SkipLayerNormalization: allT(['T', 'stash', 'stash', 'T']),
  SkipSimplifiedLayerNormalization: allT(['T', 'stash', 'stash', 'T']),
};

/** The type rule of a node, or an error naming the op. */
export function opRule(node: P.INodeProto): OpRule {
  const domain = node.domain ?? '';
  const table = domain === '' || domain === 'ai.onnx' ? ONNX_RULES : domain === MS_DOMAIN ? MS_RULES : undefined;
  const found = table?.[node.opType ?? ''];
  if (!found) throw new Error(`element types: no rule for ${domain || 'ai.onnx'}.${node.opType} (node ${node.name}); add it to element-types.ts`);
  return found;
}

export function slotKind(rule: OpRule, slot: number): SlotKind {
  return rule.inputs[slot] ?? rule.rest;
}

const BY_CODE = new Map(Object.entries(ONNX_TYPE).map(([name, code]) => [code, name as ElementType]));

export function elementTypeOf(code: number | null | undefined): ElementType {
  const type = BY_CODE.get(code ?? 0);
  if (!type) throw new Error(`element types: unsupported ONNX element type ${String(code)}`);
  return type;
}

function attribute(node: P.INodeProto, name: string): P.IAttributeProto | undefined {
  return node.attribute?.find((a) => a.name === name);
}

/** The attribute `name` as a number, when it is an int attribute. */
export function intAttribute(node: P.INodeProto, name: string): number | undefined {
  const a = attribute(node, name);
  return a?.type === onnx.AttributeProto.AttributeType.INT ? Number(a.i) : undefined;
}

/** The element type of each output of `node`, given the types of its inputs. */
export function outputTypes(node: P.INodeProto, inputTypes: readonly (ElementType | undefined)[]): ElementType[] {
  const r = opRule(node);
  const tSlots = inputTypes.map((t, i) => (slotKind(r, i) === 'T' ? t : undefined)).filter((t): t is ElementType => t !== undefined);
  const distinct = [...new Set(tSlots)];
  if (distinct.length > 1) throw new Error(`node ${node.name} (${node.opType}): T inputs have different types ${distinct.join(' and ')}`);
  const t = distinct[0];
  return (node.output ?? []).map((_, i) => {
    const kind = r.outputs[i] ?? 'T';
    switch (kind) {
      case 'T':
        if (!t) throw new Error(`node ${node.name} (${node.opType}): no input fixes its type T`);
        return t;
      case 'bool':
        return 'bool';
      case 'int64':
        return 'int64';
      case 'stash':
        return elementTypeOf(intAttribute(node, 'stash_type') ?? ONNX_TYPE.float32);
      case 'to':
        return elementTypeOf(intAttribute(node, 'to'));
      case 'value': {
        const value = attribute(node, 'value')?.t;
        return value ? elementTypeOf(value.dataType) : 'float32';
      }
    }
  });
}

function declaredType(info: P.IValueInfoProto): ElementType {
  return elementTypeOf(info.type?.tensorType?.elemType);
}

/**
 * Every value's element type (inputs, initializers, node outputs), checking on the way that each
 * node's T inputs agree, that every input is defined before use, and that each graph output's
 * declared type is what flows into it. Throws naming the node or value that breaks a rule.
 */
export function inferElementTypes(parts: GraphParts): Map<string, ElementType> {
  const types = new Map<string, ElementType>();
  for (const info of parts.inputs) types.set(info.name ?? '', declaredType(info));
  for (const init of parts.initializers) types.set(init.name ?? '', elementTypeOf(init.dataType));
  for (const node of parts.nodes) {
    const inputs = (node.input ?? []).map((name) => {
      if (name === '') return undefined;
      const type = types.get(name);
      if (!type) throw new Error(`node ${node.name} (${node.opType}) reads ${name} before it is defined`);
      return type;
    });
    const outs = outputTypes(node, inputs);
    (node.output ?? []).forEach((name, i) => {
      if (name !== '') types.set(name, outs[i]);
    });
  }
  for (const info of parts.outputs) {
    const flowing = types.get(info.name ?? '');
    if (flowing !== declaredType(info)) throw new Error(`graph output ${info.name} is declared ${declaredType(info)} but ${flowing ?? 'nothing'} flows into it`);
  }
  return types;
}
