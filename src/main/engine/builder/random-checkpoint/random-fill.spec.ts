import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../random.ts';
import { fillChunks, fillFor, tensorStreamSeed } from './random-fill.ts';

const floats = (chunks: Iterable<Uint8Array>) => {
  const bytes = Buffer.concat([...chunks]);
  return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
};

function std(values: Float32Array): number {
  let sum = 0;
  for (const v of values) sum += v * v;
  return Math.sqrt(sum / values.length);
}

describe('random fill', () => {
  it('gives each (seed, component, tensor) its own 53-bit stream seed', () => {
    const a = tensorStreamSeed(1, 'unet', 'conv_in.weight');
    expect(Number.isSafeInteger(a)).toBe(true);
    expect(tensorStreamSeed(1, 'unet', 'conv_in.weight')).toBe(a);
    expect(tensorStreamSeed(2, 'unet', 'conv_in.weight')).not.toBe(a);
    expect(tensorStreamSeed(1, 'vae', 'conv_in.weight')).not.toBe(a);
    expect(tensorStreamSeed(1, 'unet', 'conv_in.bias')).not.toBe(a);
    expect(() => tensorStreamSeed(-1, 'unet', 'x')).toThrow(RangeError);
    expect(() => tensorStreamSeed(1.5, 'unet', 'x')).toThrow(RangeError);
  });

  it('draws N(0, std²) from one SeededRandom stream, continued across chunks', () => {
    const seed = tensorStreamSeed(3, 'c', 'w');
    const count = (1 << 20) + 5; // two chunks
    const values = floats(fillChunks({ kind: 'normal', std: 0.5 }, 'F32', count, seed));
    expect(values.length).toBe(count);
    const rng = new SeededRandom(seed);
    for (const i of [0, 1, 2, 1 << 20, count - 1]) {
      if (i === 1 << 20) {
        for (let k = 3; k < i; k++) rng.standardNormal();
      }
      if (i === count - 1) {
        for (let k = (1 << 20) + 1; k < i; k++) rng.standardNormal();
      }
      expect(values[i]).toBe(Math.fround(rng.standardNormal() * 0.5));
    }
    expect(std(values)).toBeCloseTo(0.5, 2);
  });

  it('maps InitKinds to fills: fan-in from the trailing dims (fanIn) or dim 0 × kernel (fanInAxis0)', () => {
    expect(fillFor('fanIn', [32, 8, 3, 3])).toEqual({ kind: 'normal', std: 1 / Math.sqrt(72) });
    expect(fillFor('fanInAxis0', [64, 192])).toEqual({ kind: 'normal', std: 1 / 8 });
    expect(fillFor('fanInAxis0', [64, 32, 16])).toEqual({ kind: 'normal', std: 1 / 32 });
    expect(fillFor('bias', [10])).toEqual({ kind: 'normal', std: 0.01 });
    expect(fillFor('embedding', [10, 4])).toEqual({ kind: 'normal', std: 0.02 });
    expect(fillFor('ones', [3])).toEqual({ kind: 'constant', value: 1 });
    expect(fillFor('zeros', [3])).toEqual({ kind: 'constant', value: 0 });
  });

  it('writes constants and computed int64 values exactly', () => {
    expect([...floats(fillChunks({ kind: 'constant', value: Math.log(1 / 0.07) }, 'F32', 2, 0))]).toEqual([Math.fround(Math.log(1 / 0.07)), Math.fround(Math.log(1 / 0.07))]);
    const bytes = Buffer.concat([...fillChunks({ kind: 'values', values: (n) => BigInt64Array.from({ length: n }, (_, i) => BigInt(i)) }, 'I64', 4, 0)]);
    expect([...new BigInt64Array(bytes.buffer, bytes.byteOffset, 4)]).toEqual([0n, 1n, 2n, 3n]);
    expect(() => [...fillChunks({ kind: 'normal', std: 1 }, 'I64', 4, 0)]).toThrow(/int64/);
  });
});
