/**
 * The fp16 transform on small graphs, one behaviour each: fp32 edges with casts inside, converted
 * and saturated constants, float attributes that follow, int paths untouched, the float32 islands
 * (Sin/Cos with their argument), fixed-type slots, external weights re-pointed, unknown ops refused.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { float32, int64, OnnxSession, type TensorData } from '../../onnx/onnx-runtime.ts';
import { relativeL2 } from '../testing/golden.ts';
import { inferElementTypes } from './element-types.ts';
import { float16BitsToNumber } from './float16.ts';
import { Graph, int, ONNX_TYPE, str } from './graph.ts';
import { externalSource, toFloat16, type ExternalSource } from './to-float16.ts';

const dir = mkdtempSync(join(tmpdir(), 'loa-to-fp16-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const noExternals = (): never => {
  throw new Error('no external weights here');
};

/** Each run writes its own file: graphs of one name may differ between runs. */
let runs = 0;

async function run(graph: Graph, feeds: Record<string, TensorData>): Promise<Record<string, TensorData>> {
  const file = join(dir, `${graph.name}-${runs++}.onnx`);
  writeFileSync(file, graph.toBytes());
  const session = await OnnxSession.create(graph.name, file, { provider: 'cpu', intraOpThreads: 1 });
  try {
    return await session.run(feeds);
  } finally {
    await session.release();
  }
}

function node(graph: Graph, opType: string) {
  return graph.parts.nodes.filter((n) => n.opType === opType);
}

describe('toFloat16', () => {
  it('keeps float32 inputs and outputs (cast at the edges), converts float constants and Cast `to`, leaves int paths alone', async () => {
    const g = new Graph('edges');
    const x = g.input('x', 'float32', ['batch', 3]);
    const ids = g.input('ids', 'int64', ['batch']);
    const scaled = g.op('Mul', [x, g.constFloat([0.5, 2, -3], [1, 3])]);
    const offset = g.op('Cast', [g.op('Unsqueeze', [ids, g.constInt([1])])], { to: int(ONNX_TYPE.float32) });
    g.output(g.op('Add', [scaled, offset]), 'y', 'float32', ['batch', 3]);
    g.output(g.op('Shape', [x]), 'shape', 'int64', [2]);

    const { graph, casts, keptFloat32 } = toFloat16(g, noExternals);
    const types = inferElementTypes(graph.parts);
    expect(graph.parts.inputs.map((i) => [i.name, i.type?.tensorType?.elemType])).toEqual([
      ['x', ONNX_TYPE.float32],
      ['ids', ONNX_TYPE.int64],
    ]);
    expect(graph.parts.outputs.map((o) => [o.name, o.type?.tensorType?.elemType])).toEqual([
      ['y', ONNX_TYPE.float32],
      ['shape', ONNX_TYPE.int64],
    ]);
    expect(keptFloat32).toEqual([]);
    expect(casts).toBe(2); // x in, y out
    const add = node(graph, 'Add')[0];
    expect(types.get(add.output![0])).toBe('float16');
    expect(node(graph, 'Cast').map((n) => n.attribute![0].i)).toEqual([ONNX_TYPE.float16, ONNX_TYPE.float16, ONNX_TYPE.float32]);
    expect(types.get(node(graph, 'Unsqueeze')[0].output![0])).toBe('int64');
    const constant = graph.parts.initializers.find((t) => t.dataType === ONNX_TYPE.float16)!;
    expect([...new Uint16Array(constant.rawData!.slice().buffer)].map(float16BitsToNumber)).toEqual([0.5, 2, -3]);

    const feeds = { x: float32(new Float32Array([0.1, 0.2, 0.3, -1.5, 7.25, 1e-3]), [2, 3]), ids: int64(new BigInt64Array([4n, 9n]), [2]) };
    const [want, got] = [await run(g, feeds), await run(graph, feeds)];
    expect(got.y.type).toBe('float32');
    expect(relativeL2(got.y.data as Float32Array, want.y.data as Float32Array)).toBeLessThan(1e-3);
    expect([...(got.shape.data as BigInt64Array)]).toEqual([2n, 3n]);
  });

  it('keeps Sin/Cos and their whole argument in float32 (a timestep of 999 has a float16 spacing of 0.5)', async () => {
    const g = new Graph('timestep');
    const t = g.input('t', 'float32', ['batch']);
    const freqs = [1, 0.31622776, 0.1, 0.031622775];
    const args = g.op('Mul', [g.op('Unsqueeze', [t, g.constInt([1])]), g.constFloat(freqs, [1, 4])]);
    const emb = g.op('Concat', [g.op('Sin', [args]), g.op('Cos', [args])], { axis: int(-1) });
    g.output(
      g.op('MatMul', [
        emb,
        g.constFloat(
          Array.from({ length: 32 }, (_, i) => ((i * 7) % 11) / 11 - 0.5),
          [8, 4],
        ),
      ]),
      'out',
      'float32',
      ['batch', 4],
    );

    const { graph, keptFloat32 } = toFloat16(g, noExternals);
    expect(keptFloat32.map((k) => k.split(' ')[0])).toEqual(['Unsqueeze', 'Mul', 'Sin', 'Cos']);
    const types = inferElementTypes(graph.parts);
    expect(types.get(node(graph, 'Mul')[0].output![0])).toBe('float32');
    expect(types.get(node(graph, 'Concat')[0].output![0])).toBe('float16');
    // The frequencies an fp32 op reads stay the exact float32 constant.
    const freqInit = graph.parts.initializers.find((i) => i.name === node(graph, 'Mul')[0].input![1])!;
    expect([...new Float32Array(freqInit.rawData!.slice().buffer)]).toEqual([...new Float32Array(freqs)]);

    const feeds = { t: float32(new Float32Array([999, 501, 1]), [3]) };
    const [want, got] = [await run(g, feeds), await run(graph, feeds)];
    expect(relativeL2(got.out.data as Float32Array, want.out.data as Float32Array)).toBeLessThan(2e-3);
  });

  it('saturates float32 extremes to ±65504 (a mask bias stays finite) and converts ConstantOfShape values', async () => {
    const g = new Graph('mask');
    const mask = g.input('mask', 'int64', ['n']);
    const bias = g.op('Where', [g.op('Equal', [mask, g.constInt(0)]), g.constFloat(-3.4028234663852886e38), g.constFloat(0)]);
    const zeros = g.op('ConstantOfShape', [g.op('Shape', [mask])], {
      value: { kind: 'tensor', value: { dataType: ONNX_TYPE.float32, dims: [1], rawData: new Uint8Array(new Float32Array([0.25]).buffer) } },
    });
    g.output(bias, 'bias', 'float32', ['n']);
    g.output(zeros, 'quarters', 'float32', ['n']);

    const { graph, constants } = toFloat16(g, noExternals);
    expect(constants.saturated).toBe(1);
    const value = node(graph, 'ConstantOfShape')[0].attribute![0].t!;
    expect(value.dataType).toBe(ONNX_TYPE.float16);
    expect(float16BitsToNumber(new Uint16Array(value.rawData!.slice().buffer)[0])).toBe(0.25);
    const got = await run(graph, { mask: int64(new BigInt64Array([1n, 0n, 1n]), [3]) });
    expect([...(got.bias.data as Float32Array)]).toEqual([0, -65504, 0]);
    expect([...(got.quarters.data as Float32Array)]).toEqual([0.25, 0.25, 0.25]);
  });

  it('leaves a slot the schema fixes in its own type (Resize scales stay float32)', async () => {
    const g = new Graph('resize');
    const x = g.input('x', 'float32', [1, 1, 2, 2]);
    const up = g.op('Resize', [x, '', g.constFloat([1, 1, 2, 2])], { mode: str('nearest'), coordinate_transformation_mode: str('asymmetric'), nearest_mode: str('floor') });
    g.output(up, 'y', 'float32', [1, 1, 4, 4]);
    const { graph } = toFloat16(g, noExternals);
    const types = inferElementTypes(graph.parts);
    const resize = node(graph, 'Resize')[0];
    expect(types.get(resize.input![0])).toBe('float16');
    expect(types.get(resize.input![2])).toBe('float32');
    const got = await run(graph, { x: float32(new Float32Array([1, 2, 3, 4]), [1, 1, 2, 2]) });
    expect([...(got.y.data as Float32Array)].slice(0, 4)).toEqual([1, 1, 2, 2]);
  });

  it('re-points external float initializers through `locate`, as float16', () => {
    const g = new Graph('external');
    const x = g.input('x', 'float32', ['n', 3]);
    const source: ExternalSource = { location: 'weights/a.safetensors', offset: 96, length: 36, type: 'float32', dims: [3, 3] };
    g.output(g.op('MatMul', [x, g.external('proj.weight', source)]), 'y', 'float32', ['n', 3]);
    const seen: ExternalSource[] = [];
    const { graph } = toFloat16(g, (s) => {
      seen.push(s);
      return { location: 'weights/a.fp16.safetensors', offset: 128, length: 18, type: 'float16', dims: s.dims };
    });
    expect(seen).toEqual([source]);
    const init = graph.parts.initializers[0];
    expect(init.dataType).toBe(ONNX_TYPE.float16);
    expect(externalSource(init)).toEqual({ location: 'weights/a.fp16.safetensors', offset: 128, length: 18, type: 'float16', dims: [3, 3] });
  });

  it('refuses an op it has no type rule for, by name', () => {
    const g = new Graph('unknown');
    g.output(g.op('Hardmax', [g.input('x', 'float32', [2])], { axis: int(0) }), 'y', 'float32', [2]);
    expect(() => toFloat16(g, noExternals)).toThrow(/no rule for ai\.onnx\.Hardmax/);
  });
});

describe('inferElementTypes', () => {
  it('names the node whose T inputs disagree, and an output declared with the wrong type', () => {
    const g = new Graph('mixed');
    const a = g.input('a', 'float16', [2]);
    const b = g.input('b', 'float32', [2]);
    g.output(g.op('Add', [a, b], {}, { name: 'sum' }), 'y', 'float32', [2]);
    expect(() => inferElementTypes(g.parts)).toThrow(/node n:sum \(Add\): T inputs have different types float16 and float32/);

    const h = new Graph('declared');
    h.output(h.op('Relu', [h.input('a', 'float16', [2])]), 'y', 'float32', [2]);
    expect(() => inferElementTypes(h.parts)).toThrow(/graph output y is declared float32 but float16 flows into it/);
  });

  it('types the ORT contrib ops our builders use', () => {
    const g = new Graph('contrib');
    const x = g.input('x', 'float16', ['b', 4, 8]);
    const mask = g.input('mask', 'int32', ['b', 4]);
    const attn = g.op('MultiHeadAttention', [x, x, x, undefined, mask], { num_heads: int(2) }, { domain: 'com.microsoft' });
    const [normed, mean] = g.opN('SkipLayerNormalization', [attn, x, g.constFloat(new Array(8).fill(1))], {}, { domain: 'com.microsoft', outputs: 2 });
    const types = inferElementTypes({ ...g.parts, initializers: g.parts.initializers.map((t) => ({ ...t, dataType: ONNX_TYPE.float16 })) });
    expect([types.get(attn), types.get(normed), types.get(mean)]).toEqual(['float16', 'float16', 'float32']);
  });
});
