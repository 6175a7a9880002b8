import { describe, expect, it } from 'vitest';
import { decodeWav, WavDecodeError } from './wav-decode.ts';

function wav(format: number, bits: number, channels: number, sampleRate: number, samples: number[], extraChunk = false): ArrayBuffer {
  const bytesPerSample = bits / 8;
  const data = Buffer.alloc(samples.length * bytesPerSample);
  samples.forEach((v, i) => {
    const o = i * bytesPerSample;
    if (format === 3) data.writeFloatLE(v, o);
    else if (bits === 16) data.writeInt16LE(Math.round(v * 32767), o);
    else if (bits === 24) data.writeIntLE(Math.round(v * 8388607), o, 3);
  });
  const fmt = Buffer.alloc(24);
  fmt.write('fmt ', 0, 'ascii');
  fmt.writeUInt32LE(16, 4);
  fmt.writeUInt16LE(format, 8);
  fmt.writeUInt16LE(channels, 10);
  fmt.writeUInt32LE(sampleRate, 12);
  fmt.writeUInt32LE(sampleRate * channels * bytesPerSample, 16);
  fmt.writeUInt16LE(channels * bytesPerSample, 20);
  fmt.writeUInt16LE(bits, 22);
  // An odd-sized chunk before the data: it must be skipped with its pad byte.
  const junk = extraChunk ? Buffer.concat([Buffer.from('LIST'), Buffer.from([3, 0, 0, 0]), Buffer.from('abc'), Buffer.alloc(1)]) : Buffer.alloc(0);
  const dataHead = Buffer.alloc(8);
  dataHead.write('data', 0, 'ascii');
  dataHead.writeUInt32LE(data.length, 4);
  const body = Buffer.concat([Buffer.from('WAVE'), fmt, junk, dataHead, data]);
  const riff = Buffer.alloc(8);
  riff.write('RIFF', 0, 'ascii');
  riff.writeUInt32LE(body.length, 4);
  const file = Buffer.concat([riff, body]);
  return file.buffer.slice(file.byteOffset, file.byteOffset + file.length) as ArrayBuffer;
}

describe('decodeWav', () => {
  it('reads 32-bit float at the file rate, exactly', () => {
    const decoded = decodeWav(wav(3, 32, 1, 16000, [0, 0.5, -0.25, 1]));
    expect(decoded.sampleRate).toBe(16000);
    expect(Array.from(decoded.samples)).toEqual([0, 0.5, -0.25, 1]);
  });

  it('reads 16- and 24-bit PCM and skips other chunks', () => {
    const s16 = decodeWav(wav(1, 16, 1, 48000, [0.5, -0.5], true));
    expect(s16.sampleRate).toBe(48000);
    expect(s16.samples[0]).toBeCloseTo(0.5, 4);
    expect(s16.samples[1]).toBeCloseTo(-0.5, 4);
    const s24 = decodeWav(wav(1, 24, 1, 44100, [0.25, -1]));
    expect(s24.samples[0]).toBeCloseTo(0.25, 6);
    expect(s24.samples[1]).toBeCloseTo(-1, 6);
  });

  it('averages channels', () => {
    const stereo = decodeWav(wav(3, 32, 2, 16000, [1, 0, 0.5, 0.5]));
    expect(stereo.channels).toBe(2);
    expect(Array.from(stereo.samples)).toEqual([0.5, 0.5]);
  });

  it('refuses what is not a WAV', () => {
    expect(() => decodeWav(new TextEncoder().encode('ID3 not a wav file').buffer as ArrayBuffer)).toThrow(WavDecodeError);
  });
});
