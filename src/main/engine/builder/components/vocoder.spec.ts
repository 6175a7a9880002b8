import { describe, expect, it } from 'vitest';
import { float32 } from '../../onnx/onnx-runtime.ts';
import type { Checkpoint, Config } from '../checkpoint/checkpoint.ts';
import { WeightRecorder } from '../onnx/weights.ts';
import { goldenStage, relativeL2 } from '../testing/golden.ts';
import { eachGoldenCase, fixtureCheckpoint, fixtureGraph, openBuiltGraph } from '../testing/graph-harness.ts';
import { parameterCount, plannedCheckpoint, plannedFixture, publishedConfig } from '../testing/planned.ts';
import { buildVocoder, vocoderDims } from './vocoder.ts';

describe('vocoder graph vs diffusers', () => {
  const run = fixtureGraph(buildVocoder);

  // Mel lengths 256, 252, 128, 100, 64, 28; batch 1 and 2.
  eachGoldenCase('case %s: vae_mel → 160·T + 32 samples whose prefix is the waveform', async (c) => {
    const mel = goldenStage(c, 'vae_mel');
    const [rows, , frames, bins] = mel.dims;
    // The pipeline squeezes [n, 1, T, 64] to the vocoder's time-major [n, T, 64].
    const out = await run.session.run({ mel: float32(mel.data as Float32Array, [rows, frames, bins]) });
    const samples = 160 * frames + 32;
    expect(out.waveform.dims).toEqual([rows, samples]);
    // The returned waveform is cropped to int(seconds·16000) and, with several per prompt, ranked
    // by CLAP: waveform_generation_order keeps the vocoder's row order.
    const expected = c.stages.some((s) => s.name === 'waveform_generation_order') ? goldenStage(c, 'waveform_generation_order') : goldenStage(c, 'waveform');
    const kept = expected.dims[1];
    expect(kept).toBeLessThanOrEqual(samples);
    const data = out.waveform.data as Float32Array;
    const prefix = new Float32Array(rows * kept);
    for (let r = 0; r < rows; r++) prefix.set(data.subarray(r * samples, r * samples + kept), r * kept);
    expect(relativeL2(prefix, expected.data as Float32Array)).toBeLessThan(1e-5);
  });
});

function planned(vocoder: Config): { checkpoint: Checkpoint; recorder: WeightRecorder } {
  const recorder = new WeightRecorder();
  return { checkpoint: plannedCheckpoint('vocoder', vocoder, recorder), recorder };
}

/** SpeechT5HifiGan's register_buffer'ed normalisation statistics: saved, but not parameters. */
const isBuffer = (name: string) => name === 'mean' || name === 'scale';

describe('vocoder builder on configs', () => {
  it("asks for exactly the fixture's vocoder tensors (mean/scale declared, not read), with their shapes", async () => {
    const { checkpoint, recorder, file } = await plannedFixture('vocoder');
    buildVocoder(checkpoint);
    expect([...recorder.specs.keys()].sort()).toEqual([...file.tensors.keys()].sort());
    for (const spec of recorder.specs.values()) expect(spec.shape).toEqual(file.tensors.get(spec.name)?.shape);
  });

  it('builds the published cvssp/audioldm2 vocoder: 55,264,897 parameters (docs/engine-spec.md §1.5) + the 128 mean/scale buffer values', async () => {
    const { checkpoint, recorder } = planned(await publishedConfig('vocoder'));
    expect(vocoderDims(checkpoint)).toEqual({
      melBins: 64,
      initialChannels: 1024,
      upsampleRates: [5, 4, 2, 2, 2],
      upsampleKernels: [16, 16, 8, 4, 4],
      resblockKernels: [3, 7, 11],
      resblockDilations: [
        [1, 3, 5],
        [1, 3, 5],
        [1, 3, 5],
      ],
      slope: 0.1,
      normalizeBefore: false,
    });
    expect(buildVocoder(checkpoint).name).toBe('vocoder');
    expect(parameterCount(recorder, (n) => !isBuffer(n))).toBe(55_264_897);
    expect(parameterCount(recorder)).toBe(55_264_897 + 128);
    expect(recorder.specs.get('upsampler.0.weight')?.shape).toEqual([1024, 512, 16]);
    expect(recorder.specs.get('conv_post.weight')?.shape).toEqual([1, 32, 7]);
  });

  it('normalize_before reads mean and scale into the graph: (mel − mean) / scale', async () => {
    const fixture = await fixtureCheckpoint();
    const plain = await openBuiltGraph(fixture, buildVocoder(fixture));
    const config = { ...fixture.config('vocoder'), normalize_before: true };
    const normalizing = Object.create(fixture, { config: { value: (c: string) => (c === 'vocoder' ? config : fixture.config(c as 'vae')) } }) as Checkpoint;
    const run = await openBuiltGraph(fixture, buildVocoder(normalizing));
    try {
      // The fixture's buffers are the library's placeholders (mean 0, scale 1): same waveform.
      const mel = new Float32Array(3 * 64).map((_, i) => Math.sin(i) - 4);
      const a = await plain.session.run({ mel: float32(mel, [1, 3, 64]) });
      const b = await run.session.run({ mel: float32(mel, [1, 3, 64]) });
      expect(b.waveform.dims).toEqual([1, 3 * 160 + 32]);
      expect(relativeL2(b.waveform.data as Float32Array, a.waveform.data as Float32Array)).toBe(0);
    } finally {
      await run.dispose();
      await plain.dispose();
    }
  });

  it('refuses by name what it cannot build', async () => {
    const vocoder = await publishedConfig('vocoder');
    const refused = (change: Config) => () => buildVocoder(planned({ ...vocoder, ...change }).checkpoint);
    expect(refused({ upsample_kernel_sizes: [16, 16, 8, 4] })).toThrow(/"upsample_kernel_sizes"/);
    expect(refused({ upsample_kernel_sizes: [4, 16, 8, 4, 4] })).toThrow(/"upsample_kernel_sizes"/);
    expect(
      refused({
        resblock_dilation_sizes: [
          [1, 3, 5],
          [1, 3, 5],
        ],
      }),
    ).toThrow(/"resblock_dilation_sizes"/);
    expect(refused({ resblock_kernel_sizes: [3, 6, 11] })).toThrow(/"resblock_kernel_sizes"/);
    expect(refused({ upsample_initial_channel: 16 })).toThrow(/"upsample_initial_channel" is 16/);
    expect(refused({ normalize_before: 'yes' })).toThrow(/"normalize_before"/);
  });
});
