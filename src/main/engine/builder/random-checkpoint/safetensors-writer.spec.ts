import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readSafetensors } from '../checkpoint/safetensors.ts';
import { FIXTURE_CHECKPOINT } from '../testing/golden.ts';
import { safetensorsHeader, writeSafetensors, type TensorToWrite } from './safetensors-writer.ts';

const dir = mkdtempSync(join(tmpdir(), 'loa-st-writer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A tensor whose bytes are given whole, split into chunks of `chunk` bytes. */
function given(name: string, dtype: TensorToWrite['dtype'], shape: number[], bytes: Uint8Array, chunk = 7): TensorToWrite {
  return {
    name,
    dtype,
    shape,
    *chunks() {
      for (let i = 0; i < bytes.length; i += chunk) yield bytes.subarray(i, i + chunk);
    },
  };
}

const f32 = (values: number[]) => new Uint8Array(new Float32Array(values).buffer);
const i64 = (values: number[]) => new Uint8Array(new BigInt64Array(values.map(BigInt)).buffer);

function sample(): TensorToWrite[] {
  return [
    given('z.last', 'F32', [2, 3], f32([1, 2, 3, 4, 5, 6])),
    given('a.scalar', 'F32', [], f32([Math.log(14.285714285714285)])),
    given('m.ids', 'I64', [1, 4], i64([0, 1, 2, 3])),
    given('m.empty', 'F32', [0, 5], new Uint8Array(0)),
    given('B.upper', 'F32', [1], f32([-1])),
  ];
}

describe('writeSafetensors', () => {
  it('round-trips through readSafetensors: names, dtypes, shapes, bytes', async () => {
    const path = join(dir, 'round.safetensors');
    const size = await writeSafetensors(path, sample());
    const file = await readSafetensors(path);
    expect(file.bytes).toBe(size);
    expect(file.metadata).toEqual({ format: 'pt' });
    const raw = readFileSync(path);
    for (const t of sample()) {
      const read = file.tensors.get(t.name)!;
      expect(read.dtype).toBe(t.dtype);
      expect(read.shape).toEqual(t.shape);
      const want = Buffer.concat([...t.chunks()]);
      expect(raw.subarray(read.offset, read.offset + read.length).equals(want)).toBe(true);
    }
    expect(file.tensors.size).toBe(5);
  });

  it('lays the header out like the Rust library: sorted by name byte-wise, padded with spaces to 8', () => {
    const { head, order } = safetensorsHeader(sample(), { format: 'pt' });
    expect(order.map((t) => t.name)).toEqual(['B.upper', 'a.scalar', 'm.empty', 'm.ids', 'z.last']);
    const n = Number(head.readBigUInt64LE(0));
    expect(n % 8).toBe(0);
    expect(head.length).toBe(8 + n);
    const json = head.subarray(8).toString('utf8');
    expect(json.trimEnd()).toBe(
      '{"__metadata__":{"format":"pt"},"B.upper":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a.scalar":{"dtype":"F32","shape":[],"data_offsets":[4,8]},' +
        '"m.empty":{"dtype":"F32","shape":[0,5],"data_offsets":[8,8]},"m.ids":{"dtype":"I64","shape":[1,4],"data_offsets":[8,40]},"z.last":{"dtype":"F32","shape":[2,3],"data_offsets":[40,64]}}',
    );
    expect(/^ *$/.test(json.slice(json.trimEnd().length))).toBe(true);
  });

  it('gives byte-identical files for identical input, whatever the order or chunking', async () => {
    const a = join(dir, 'a.safetensors');
    const b = join(dir, 'b.safetensors');
    await writeSafetensors(a, sample());
    await writeSafetensors(
      b,
      sample()
        .reverse()
        .map((t) => given(t.name, t.dtype, [...t.shape], Buffer.concat([...t.chunks()]), 1 << 20)),
    );
    expect(readFileSync(a).equals(readFileSync(b))).toBe(true);
  });

  it("rewrites a file diffusers' save_pretrained wrote byte for byte (mixed F32/I64, scalars)", async () => {
    const source = join(FIXTURE_CHECKPOINT, 'text_encoder', 'model.safetensors');
    const original = readFileSync(source);
    const file = await readSafetensors(source);
    const tensors = [...file.tensors.values()].map((t) => given(t.name, t.dtype, t.shape, original.subarray(t.offset, t.offset + t.length), 65536));
    const path = join(dir, 'fixture-copy.safetensors');
    await writeSafetensors(path, tensors);
    expect(readFileSync(path).equals(original)).toBe(true);
  });

  it('refuses a tensor whose chunks do not fill its shape, duplicate names and the reserved name', async () => {
    await expect(writeSafetensors(join(dir, 'short.safetensors'), [given('x', 'F32', [3], f32([1, 2]))])).rejects.toThrow(/"x" gave 8 bytes; F32\[3\] needs 12/);
    await expect(writeSafetensors(join(dir, 'long.safetensors'), [given('x', 'F32', [1], f32([1, 2]))])).rejects.toThrow(/"x" gave more than/);
    expect(() => safetensorsHeader([given('x', 'F32', [1], f32([1])), given('x', 'F32', [1], f32([1]))])).toThrow(/given twice/);
    expect(() => safetensorsHeader([given('__metadata__', 'F32', [1], f32([1]))])).toThrow(/reserved/);
  });
});
