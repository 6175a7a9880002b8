// Absurd sample rates (issue 12, item 5): a WAV at 2–60 Hz used to reach libsamplerate, which
// cannot convert beyond a 256× ratio, and came back as "resampleBest: libsamplerate produced 132
// of 9600000 samples" with the hint to check the model bundle. Now the header is refused first.
import { describe, expect, it } from 'vitest';
import { AudioDecodeError } from '../../shared/errors.ts';
import { decodeAudio, MIN_SAMPLE_RATE } from './decode-audio.ts';
import { importReference } from './reference-import.ts';
import { resampleBest } from './resample-best.ts';
import { encodeWav } from './wav.ts';

const noise = (n: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 1.7) * 0.3);

describe('sample rates outside what LOA Studio reads', () => {
  for (const rate of [1, 2, 60, 999]) {
    it(`refuses a ${rate} Hz WAV as AudioDecodeError saying what to do`, async () => {
      const bytes = encodeWav([noise(600)], rate, 'pcm16');
      const error = await importReference({ bytes, name: `odd-${rate}.wav` }, 16000).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AudioDecodeError);
      expect((error as AudioDecodeError).message).toContain(`${rate} Hz`);
      expect((error as AudioDecodeError).message).toContain('"odd-');
      expect((error as AudioDecodeError).hint).toMatch(/export it again as WAV/);
      expect((error as AudioDecodeError).hint).not.toMatch(/bundle/);
    });
  }

  it('still reads the lowest accepted rate and resamples it', async () => {
    const clip = await importReference({ bytes: encodeWav([noise(MIN_SAMPLE_RATE)], MIN_SAMPLE_RATE, 'pcm16'), name: 'low.wav' }, 16000);
    expect(clip.sourceRate).toBe(MIN_SAMPLE_RATE);
    expect(clip.samples.length).toBe(16000);
  });

  it('decodeAudio names the rate of a WAV header that says 0 < rate < 1000', async () => {
    await expect(decodeAudio(encodeWav([noise(100)], 8, 'float32'))).rejects.toThrow(/8 Hz/);
  });

  it('resampleBest refuses a ratio libsamplerate cannot do, instead of returning a short buffer', async () => {
    await expect(resampleBest(noise(100), 2, 16000)).rejects.toThrow(/256× ratio/);
  });
});
