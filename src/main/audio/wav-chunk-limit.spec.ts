// A RIFF level is walked for at most MAX_WAV_CHUNKS chunks (a fuzzer's find: millions of empty
// chunks made the metadata readers take seconds and gigabytes). Decoding still reads audio that
// comes first, and refuses a file whose audio is hidden behind the flood.
import { describe, expect, it } from 'vitest';
import { AudioDecodeError } from '../../shared/errors.ts';
import { decodeWav, encodeWav, listWavChunks, MAX_WAV_CHUNKS } from './wav.ts';

const tone = Float32Array.from({ length: 800 }, (_, i) => 0.5 * Math.sin(i / 3));

/** `count` empty JUNK chunks inserted at byte `at` of `wav` (after the RIFF header, or at the end). */
function withJunk(wav: Uint8Array, count: number, at: number): Uint8Array {
  const out = new Uint8Array(wav.length + 8 * count);
  out.set(wav.subarray(0, at));
  for (let i = 0, p = at; i < count; i++, p += 8) out.set([0x4a, 0x55, 0x4e, 0x4b], p);
  out.set(wav.subarray(at), at + 8 * count);
  return out;
}

describe('chunk floods', () => {
  it('lists at most MAX_WAV_CHUNKS chunks, quickly', () => {
    const flood = withJunk(encodeWav([tone], 16000, 'float32'), 300_000, 12);
    const cpu = process.cpuUsage();
    expect(listWavChunks(flood)).toHaveLength(MAX_WAV_CHUNKS);
    const used = process.cpuUsage(cpu);
    expect((used.user + used.system) / 1000).toBeLessThan(200);
  });

  it('decodes audio followed by a flood, and refuses audio behind one', () => {
    const wav = encodeWav([tone], 16000, 'float32');
    expect(decodeWav(withJunk(wav, 20_000, wav.length)).channels[0]).toEqual(tone);
    expect(() => decodeWav(withJunk(wav, 20_000, 12))).toThrow(AudioDecodeError);
    expect(() => decodeWav(withJunk(wav, 20_000, 12))).toThrow(/more than 10000 chunks before its audio/);
  });
});
