/**
 * The values of a random checkpoint's tensors. Every tensor draws from its own stream of the
 * project's SeededRandom, seeded from (checkpoint seed, component, tensor name): adding, removing
 * or reordering tensors never changes the others, and the same seed gives the same bytes on every
 * machine.
 */
import { createHash } from 'node:crypto';
import { endianness } from 'node:os';
import { SeededRandom } from '../../random.ts';
import type { InitKind } from '../onnx/weights.ts';

/** How a tensor is filled: Gaussian noise, one constant, or values computed from the config. */
export type Fill = { kind: 'normal'; std: number } | { kind: 'constant'; value: number } | { kind: 'values'; values: (count: number) => Float64Array | BigInt64Array };

/** Biases get small noise: N(0, 0.01²), as the fixture's vocoder re-initialisation (fixture README). */
export const BIAS_STD = 0.01;
/** Embedding tables: N(0, 0.02²), transformers' initializer_range for GPT-2, RoBERTa and CLAP. */
export const EMBEDDING_STD = 0.02;

/**
 * The generic fill for an InitKind (onnx/weights.ts): `fanIn` N(0, 1/fan_in) with fan_in the
 * product of every dim but the first (a Linear [out, in] or Conv [out, in, k…] keeps the variance
 * of its input); `fanInAxis0` the same with dim 0 as the input dim (GPT-2 Conv1D [in, out],
 * ConvTranspose [in, out/g, k…]: fan_in = in·k).
 */
export function fillFor(init: InitKind, shape: readonly number[]): Fill {
  const product = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);
  switch (init) {
    case 'fanIn':
      return { kind: 'normal', std: 1 / Math.sqrt(Math.max(1, product(shape.slice(1)))) };
    case 'fanInAxis0':
      return { kind: 'normal', std: 1 / Math.sqrt(Math.max(1, (shape[0] ?? 1) * product(shape.slice(2)))) };
    case 'bias':
      return { kind: 'normal', std: BIAS_STD };
    case 'embedding':
      return { kind: 'normal', std: EMBEDDING_STD };
    case 'ones':
      return { kind: 'constant', value: 1 };
    case 'zeros':
      return { kind: 'constant', value: 0 };
  }
}

/** A 53-bit SeededRandom seed for one tensor, from SHA-256 of (seed, component, name). */
export function tensorStreamSeed(seed: number, component: string, name: string): number {
  if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`Seed must be an integer from 0 to 2^53 − 1, got ${String(seed)}`);
  const digest = createHash('sha256').update(`${seed}\u0000${component}\u0000${name}`, 'utf8').digest();
  // 21 + 32 bits = 53 bits: a safe integer.
  return (digest.readUInt32BE(0) >>> 11) * 2 ** 32 + digest.readUInt32BE(4);
}

/** Float32Array and BigInt64Array bytes are written as they lie in memory: little-endian only. */
if (endianness() !== 'LE') throw new Error('The random-checkpoint generator writes native float32/int64 bytes and needs a little-endian machine');

const CHUNK_ELEMENTS = 1 << 20;

/** The tensor's bytes in chunks of up to 4 MiB (float32) or 8 MiB (int64). */
export function* fillChunks(fill: Fill, dtype: 'F32' | 'I64', count: number, streamSeed: number): Generator<Uint8Array> {
  if (fill.kind === 'values') {
    const values = fill.values(count);
    if (values.length !== count) throw new Error(`a computed fill gave ${values.length} values for ${count} elements`);
    const out =
      dtype === 'I64' ? (values instanceof BigInt64Array ? values : BigInt64Array.from(values, (v) => BigInt(Math.round(v)))) : Float32Array.from(values as ArrayLike<number | bigint>, Number);
    yield new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
    return;
  }
  const rng = fill.kind === 'normal' ? new SeededRandom(streamSeed) : null;
  for (let start = 0; start < count; start += CHUNK_ELEMENTS) {
    const n = Math.min(CHUNK_ELEMENTS, count - start);
    if (dtype === 'I64') {
      if (fill.kind !== 'constant' || !Number.isInteger(fill.value)) throw new Error('int64 tensors take an integer constant or computed values, not noise');
      const out = new BigInt64Array(n).fill(BigInt(fill.value));
      yield new Uint8Array(out.buffer);
      continue;
    }
    const out = new Float32Array(n);
    if (rng && fill.kind === 'normal') {
      const std = fill.std;
      for (let i = 0; i < n; i++) out[i] = rng.standardNormal() * std;
    } else if (fill.kind === 'constant' && fill.value !== 0) {
      out.fill(fill.value);
    }
    yield new Uint8Array(out.buffer);
  }
}
