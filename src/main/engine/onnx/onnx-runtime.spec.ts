import { describe, expect, it } from 'vitest';
import { InferenceError, OutOfMemoryError } from '../../../shared/errors.ts';
import { TINY_BUNDLE } from '../testing/tiny-bundle.ts';
import { float32, int64, mapOrtError, OnnxSession } from './onnx-runtime.ts';

describe('mapOrtError', () => {
  it.each([
    '[ONNXRuntimeError] : 6 : RUNTIME_EXCEPTION : Non-zero status code returned while running Conv node. Status Message: bad_alloc',
    'Failed to allocate memory for requested buffer of size 8589934592',
    'CUDA failure 2: out of memory ; GPU=0',
  ])('turns an allocation failure into advice: %s', (message) => {
    const error = mapOrtError(new Error(message), 'unet failed');
    expect(error).toBeInstanceOf(OutOfMemoryError);
    expect((error as OutOfMemoryError).hint).toMatch(/fewer takes or a shorter clip.*fp16.*CPU/);
  });

  it('keeps other failures as InferenceError with the first line only', () => {
    const error = mapOrtError(new Error('Got invalid dimensions for input: sample\n at stack'), 'unet failed');
    expect(error).toBeInstanceOf(InferenceError);
    expect(error.message).toBe('unet failed: Got invalid dimensions for input: sample');
  });
});

describe('OnnxSession on a real graph', () => {
  it('names missing inputs and reports the shapes it was given when ORT refuses a run', async () => {
    const session = await OnnxSession.create('projection', `${TINY_BUNDLE}/projection.onnx`, { provider: 'cpu' });
    try {
      await expect(session.run({})).rejects.toThrow(/projection: missing input\(s\) clap_embeds, clap_mask, t5_hidden, t5_mask/);
      await expect(
        session.run({
          clap_embeds: float32(new Float32Array(3), [1, 1, 3]), // wrong width
          clap_mask: int64(new BigInt64Array([1n]), [1, 1]),
          t5_hidden: float32(new Float32Array(0), [1, 0, 48]),
          t5_mask: int64(new BigInt64Array(0), [1, 0]),
        }),
      ).rejects.toThrow(/projection failed on inputs clap_embeds float32\[1,1,3\]/);
      await expect(
        session.run({
          clap_embeds: float32(new Float32Array(2), [1, 1, 3]),
          clap_mask: int64(new BigInt64Array([1n]), [1, 1]),
          t5_hidden: float32(new Float32Array(0), [1, 0, 48]),
          t5_mask: int64(new BigInt64Array(0), [1, 0]),
        }),
      ).rejects.toThrow(/input clap_embeds has 2 values for dims \[1, 1, 3\]/);
    } finally {
      await session.release();
    }
  });
});
