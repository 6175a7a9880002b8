/**
 * The converted weights file from a checkpoint of mixed dtypes (float32, bfloat16, float16 and an
 * int64 buffer): two graphs that share tensors get one copy each, floats become halves (counted when
 * clamped), others are copied byte for byte, and the fp16 graph points at exactly those bytes.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readSafetensors } from './checkpoint/safetensors.ts';
import { planFloat16Weights, writeFloat16Weights } from './float16-weights.ts';
import { inferElementTypes } from './onnx/element-types.ts';
import { float16BitsToNumber, float32ToFloat16Bits } from './onnx/float16.ts';
import { Graph, int, ONNX_TYPE } from './onnx/graph.ts';
import { externalSource, toFloat16 } from './onnx/to-float16.ts';
import { writeSafetensors } from './random-checkpoint/safetensors-writer.ts';

const dir = mkdtempSync(join(tmpdir(), 'loa-fp16-weights-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const bytes = (array: ArrayBufferView) => new Uint8Array(array.buffer, array.byteOffset, array.byteLength);

describe('fp16 weights file', () => {
  it('holds each tensor the graphs read once, floats as round-to-nearest-even halves, ints verbatim', async () => {
    const f32 = new Float32Array([1, -0.1, 100000, 3.14159]);
    const bf16 = new Uint16Array([0x3f80, 0xc040]); // 1, −3
    const f16 = new Uint16Array([float32ToFloat16Bits(0.5), float32ToFloat16Bits(-2)]);
    const ids = new BigInt64Array([7n, 9n]);
    const sourcePath = join(dir, 'model.safetensors');
    await writeSafetensors(sourcePath, [
      { name: 'a.weight', dtype: 'F32', shape: [2, 2], chunks: () => [bytes(f32)] },
      { name: 'b.weight', dtype: 'BF16', shape: [2], chunks: () => [bytes(bf16)] },
      { name: 'c.weight', dtype: 'F16', shape: [2], chunks: () => [bytes(f16)] },
      { name: 'ids', dtype: 'I64', shape: [2], chunks: () => [bytes(ids)] },
      { name: 'unused', dtype: 'F32', shape: [1], chunks: () => [bytes(new Float32Array([5]))] },
    ]);
    const source = await readSafetensors(sourcePath);
    const location = 'weights/model.safetensors';
    // As Weights.load does: external data in place, a Cast to float32 for non-float32 tensors.
    const load = (g: Graph, name: string) => {
      const t = source.tensors.get(name)!;
      const type = ({ F32: 'float32', BF16: 'bfloat16', F16: 'float16', I64: 'int64' } as const)[t.dtype as 'F32'];
      const value = g.external(name, { location, offset: t.offset, length: t.length, type, dims: t.shape });
      return type === 'float32' || type === 'int64' ? value : g.op('Cast', [value], { to: int(ONNX_TYPE.float32) });
    };
    const first = new Graph('first');
    const x = first.input('x', 'float32', [2, 2]);
    first.output(first.op('Add', [first.op('MatMul', [x, load(first, 'a.weight')]), first.op('Add', [load(first, 'b.weight'), load(first, 'c.weight')])]), 'y', 'float32', [2, 2]);
    first.output(first.op('Gather', [x, load(first, 'ids')], { axis: int(0) }), 'picked', 'float32', [2, 2]);
    const second = new Graph('second');
    second.output(second.op('Relu', [load(second, 'a.weight')]), 'z', 'float32', [2, 2]);

    const plan = planFloat16Weights([first, second], 'weights/model.fp16.safetensors');
    expect(plan.tensors.map((t) => [t.name, t.dtype]).sort()).toEqual([
      ['a.weight', 'F16'],
      ['b.weight', 'F16'],
      ['c.weight', 'F16'],
      ['ids', 'I64'],
    ]);
    const out = join(dir, 'model.fp16.safetensors');
    const written = await writeFloat16Weights(plan, sourcePath, out);
    expect(written).toMatchObject({ tensors: 4, stats: { saturated: 1, flushedToZero: 0 } });

    const converted = await readSafetensors(out);
    const file = readFileSync(out);
    const halves = (name: string) => {
      const t = converted.tensors.get(name)!;
      return [...new Uint16Array(file.buffer.slice(file.byteOffset + t.offset, file.byteOffset + t.offset + t.length))].map(float16BitsToNumber);
    };
    expect(halves('a.weight')).toEqual([1, float16BitsToNumber(float32ToFloat16Bits(-0.1)), 65504, 3.140625]);
    expect(halves('b.weight')).toEqual([1, -3]);
    expect(halves('c.weight')).toEqual([0.5, -2]);
    const idsAt = converted.tensors.get('ids')!;
    expect(new BigInt64Array(file.buffer.slice(file.byteOffset + idsAt.offset, file.byteOffset + idsAt.offset + 16))).toEqual(ids);

    // The fp16 graph reads those bytes, and a Cast to float of a tensor now stored as float16 is gone.
    const { graph } = toFloat16(first, plan.locate);
    inferElementTypes(graph.parts);
    for (const init of graph.parts.initializers) {
      const ref = externalSource(init);
      if (!ref) continue;
      const t = converted.tensors.get(init.name!)!;
      expect([ref.location, ref.offset, ref.length]).toEqual(['weights/model.fp16.safetensors', t.offset, t.length]);
    }
    expect(graph.parts.nodes.filter((n) => n.opType === 'Cast' && n.attribute?.[0].i === ONNX_TYPE.float16).map((n) => n.input![0])).toEqual(['x']);
  });
});
