import contractJson from '../../../../models/contract.json' with { type: 'json' };
import type { ValueInfo } from '../onnx/onnx-runtime.ts';

/** The bundle I/O contract, declared once in models/contract.json (read by the Python tools too). */
export type ComponentKey = 'clapText' | 'clapAudio' | 't5Encoder' | 'projection' | 'gpt2Prefill' | 'gpt2Step' | 'unet' | 'vaeDecoder' | 'vaeEncoder' | 'vocoder';

export type Precision = 'fp32' | 'fp16';
export type Dim = number | string;

export interface ContractValue {
  name: string;
  type: 'float32' | 'int64';
  dims: Dim[];
}

export interface ComponentContract {
  file: string;
  precisions: Precision[];
  why: string;
  inputs: ContractValue[];
  outputs: ContractValue[];
}

export interface Contract {
  version: number;
  configKeys: string[];
  components: Record<ComponentKey, ComponentContract>;
  tokenizers: Record<'clap' | 't5', { dir: string; files: string[] }>;
}

export const CONTRACT = contractJson as unknown as Contract;
export const COMPONENT_KEYS = Object.keys(CONTRACT.components) as ComponentKey[];

/** Expands `{layer}` names for a GPT-2 with `layers` blocks. */
export function expandValues(values: readonly ContractValue[], layers: number): ContractValue[] {
  return values.flatMap((v) => (v.name.includes('{layer}') ? Array.from({ length: layers }, (_, i) => ({ ...v, name: v.name.replaceAll('{layer}', String(i)) })) : [v]));
}

function isSymbolic(dim: number | string): boolean {
  return typeof dim === 'string' || dim < 0;
}

/**
 * Compares a graph's real inputs/outputs with the contract. Returns human-readable problems
 * (empty when the graph fits): unknown or missing names, wrong types, ranks, fixed sizes.
 */
export function contractProblems(key: ComponentKey, graph: { inputs: readonly ValueInfo[]; outputs: readonly ValueInfo[] }, config: Record<string, unknown>): string[] {
  const spec = CONTRACT.components[key];
  const layers = Number(config.gpt2Layers);
  const problems: string[] = [];
  const check = (kind: 'input' | 'output', expected: ContractValue[], actual: readonly ValueInfo[]) => {
    const byName = new Map(actual.map((v) => [v.name, v]));
    for (const want of expected) {
      const got = byName.get(want.name);
      if (!got) {
        problems.push(`${kind} "${want.name}" is missing (graph has ${actual.map((v) => v.name).join(', ') || 'none'})`);
        continue;
      }
      if (got.type !== want.type) problems.push(`${kind} "${want.name}" is ${got.type}, expected ${want.type}`);
      if (got.dims.length === 0) continue; // graph does not declare a shape: nothing more to check
      if (got.dims.length !== want.dims.length) {
        problems.push(`${kind} "${want.name}" has rank ${got.dims.length}, expected ${want.dims.length} ([${want.dims.join(', ')}])`);
        continue;
      }
      want.dims.forEach((dim, axis) => {
        const actualDim = got.dims[axis];
        if (typeof dim === 'number') {
          if (!isSymbolic(actualDim) && actualDim !== dim) problems.push(`${kind} "${want.name}" axis ${axis} is ${actualDim}, expected ${dim}`);
        } else if (dim.startsWith('$')) {
          const value = config[dim.slice(1)];
          if (!isSymbolic(actualDim) && actualDim !== value) {
            problems.push(`${kind} "${want.name}" axis ${axis} is ${actualDim}, but config.${dim.slice(1)} is ${String(value)}`);
          }
        } else if (!isSymbolic(actualDim)) {
          problems.push(`${kind} "${want.name}" axis ${axis} (${dim}) is fixed to ${actualDim}; export it as a dynamic axis`);
        }
      });
    }
    if (kind === 'input') {
      const wanted = new Set(expected.map((v) => v.name));
      for (const v of actual) if (!wanted.has(v.name)) problems.push(`input "${v.name}" is not part of contract v${CONTRACT.version}`);
    }
  };
  check('input', expandValues(spec.inputs, layers), graph.inputs);
  check('output', expandValues(spec.outputs, layers), graph.outputs);
  return problems;
}
