import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AudioDecodeError, decodeWav, encodeWav, readWavLayout } from './wav.ts';

// --- a tiny independent RIFF builder, so the decoder is not only tested against our encoder ---
const ascii = (s: string): number[] => Array.from(s, (c) => c.charCodeAt(0));
const u16 = (v: number): number[] => [v & 0xff, (v >> 8) & 0xff];
const u32 = (v: number): number[] => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
function chunk(id: string, body: number[], declaredSize = body.length): number[] {
  return [...ascii(id), ...u32(declaredSize), ...body, ...(body.length % 2 === 1 ? [0] : [])];
}
function fmtBody(tag: number, channels: number, rate: number, bits: number): number[] {
  const align = (channels * bits) / 8;
  return [...u16(tag), ...u16(channels), ...u32(rate), ...u32(rate * align), ...u16(align), ...u16(bits)];
}
function riff(...chunks: number[][]): Uint8Array {
  const body = chunks.flat();
  return Uint8Array.from([...ascii('RIFF'), ...u32(4 + body.length), ...ascii('WAVE'), ...body]);
}
const le = (bytes: Uint8Array, at: number, n: number): number => Array.from(bytes.subarray(at, at + n)).reduceRight((acc, b) => acc * 256 + b, 0);
const id = (bytes: Uint8Array, at: number): string => String.fromCharCode(...bytes.subarray(at, at + 4));

function decodeError(bytes: Uint8Array): AudioDecodeError {
  try {
    decodeWav(bytes);
  } catch (e) {
    expect(e).toBeInstanceOf(AudioDecodeError);
    expect((e as Error).name).toBe('AudioDecodeError');
    return e as AudioDecodeError;
  }
  throw new Error('expected decodeWav to throw');
}

describe('encodeWav', () => {
  it('float32: format 3, cbSize 0, a fact chunk, interleaved little-endian data', () => {
    const left = Float32Array.of(0.5, -1.25, 0);
    const right = Float32Array.of(-0.5, 2, 1e-3);
    const b = encodeWav([left, right], 48000, 'float32');
    expect(b.length).toBe(12 + (8 + 18) + 12 + 8 + 3 * 8);
    expect(id(b, 0)).toBe('RIFF');
    expect(le(b, 4, 4)).toBe(b.length - 8);
    expect(id(b, 8)).toBe('WAVE');
    expect(id(b, 12)).toBe('fmt ');
    expect(le(b, 16, 4)).toBe(18);
    expect([le(b, 20, 2), le(b, 22, 2), le(b, 24, 4), le(b, 28, 4), le(b, 32, 2), le(b, 34, 2), le(b, 36, 2)]).toEqual([3, 2, 48000, 384000, 8, 32, 0]);
    expect(id(b, 38)).toBe('fact');
    expect([le(b, 42, 4), le(b, 46, 4)]).toEqual([4, 3]);
    expect(id(b, 50)).toBe('data');
    expect(le(b, 54, 4)).toBe(24);
    const samples = new DataView(b.buffer, 58);
    expect([0, 4, 8, 12, 16, 20].map((o) => samples.getFloat32(o, true))).toEqual([0.5, -0.5, -1.25, 2, 0, Math.fround(1e-3)]); // float data is not clipped
  });

  it('pcm16: format 1, clipping to [−1, 1] and plain rounding', () => {
    const x = Float32Array.of(0, 0.5, -0.5, 1, -1, 1.5, -2, Number.NaN, 1.4 / 32768, 1.6 / 32768);
    const b = encodeWav([x], 16000, 'pcm16');
    expect(b.length).toBe(44 + 20);
    expect([le(b, 16, 4), le(b, 20, 2), le(b, 22, 2), le(b, 28, 4), le(b, 32, 2), le(b, 34, 2)]).toEqual([16, 1, 1, 32000, 2, 16]);
    expect(id(b, 36)).toBe('data');
    const view = new DataView(b.buffer, 44);
    expect(Array.from({ length: 10 }, (_, i) => view.getInt16(2 * i, true))).toEqual([0, 16384, -16384, 32767, -32768, 32767, -32768, 0, 1, 2]);
  });

  it('pcm24: three bytes per sample and a pad byte after an odd-sized data chunk', () => {
    const b = encodeWav([Float32Array.of(-1, 0.5, 1)], 44100, 'pcm24');
    expect(le(b, 40, 4)).toBe(9); // data size is odd…
    expect(b.length).toBe(44 + 9 + 1); // …so a pad byte follows
    expect(le(b, 4, 4)).toBe(b.length - 8);
    expect(Array.from(b.subarray(44, 53))).toEqual([0x00, 0x00, 0x80, 0x00, 0x00, 0x40, 0xff, 0xff, 0x7f]);
  });

  it('round-trips through decodeWav', () => {
    const x = Float32Array.from({ length: 1000 }, (_, i) => 0.9 * Math.sin(i / 7));
    const y = Float32Array.from(x, (v) => -v / 3);
    const f = decodeWav(encodeWav([x, y], 22050, 'float32'));
    expect(f.format).toBe('float32');
    expect(f.sampleRate).toBe(22050);
    expect(f.channels[0]).toEqual(x);
    expect(f.channels[1]).toEqual(y);
    for (const [format, step] of [
      ['pcm16', 1 / 32768],
      ['pcm24', 1 / 8388608],
    ] as const) {
      const d = decodeWav(encodeWav([x], 48000, format));
      expect(d.format).toBe(format);
      const err = Math.max(...x.map((v, i) => Math.abs(v - d.channels[0][i])));
      expect(err).toBeLessThanOrEqual(step / 2 + 1e-9);
      // decoded PCM values re-encode to the same bytes
      expect(encodeWav(d.channels, 48000, format)).toEqual(encodeWav([x], 48000, format));
    }
  });

  it('rejects bad input', () => {
    expect(() => encodeWav([], 16000, 'pcm16')).toThrow(RangeError);
    expect(() => encodeWav([new Float32Array(2), new Float32Array(3)], 16000, 'pcm16')).toThrow(/length/);
    expect(() => encodeWav([new Float32Array(2)], 0, 'pcm16')).toThrow(/sample rate/);
  });

  it('sox reads our float32 output with the right rate, channels and length', () => {
    if (!existsSync('/usr/bin/sox')) {
      console.warn('sox not found at /usr/bin/sox: skipping the sox --i cross-check');
      return;
    }
    const dir = mkdtempSync(join(tmpdir(), 'loa-wav-'));
    try {
      const file = join(dir, 'out.wav');
      const x = Float32Array.from({ length: 12345 }, (_, i) => 0.25 * Math.sin(i / 10));
      writeFileSync(file, encodeWav([x, x], 48000, 'float32'));
      const info = (flag: string): string => execFileSync('/usr/bin/sox', ['--i', flag, file], { encoding: 'utf8' }).trim();
      expect(info('-r')).toBe('48000');
      expect(info('-c')).toBe('2');
      expect(info('-s')).toBe('12345');
      expect(info('-b')).toBe('32');
      expect(info('-e')).toBe('Floating Point PCM');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('decodeWav', () => {
  it('PCM 8-bit is unsigned with 128 as zero', () => {
    const d = decodeWav(riff(chunk('fmt ', fmtBody(1, 1, 8000, 8)), chunk('data', [0, 128, 255])));
    expect(d.format).toBe('pcm8');
    expect(Array.from(d.channels[0])).toEqual([-1, 0, 127 / 128]);
  });

  it('PCM 32-bit and float64, de-interleaved', () => {
    const pcm32 = decodeWav(riff(chunk('fmt ', fmtBody(1, 2, 96000, 32)), chunk('data', [...u32(0x80000000), ...u32(0x40000000), ...u32(0x7fffffff), ...u32(0)])));
    expect(pcm32.format).toBe('pcm32');
    expect(pcm32.sampleRate).toBe(96000);
    expect(Array.from(pcm32.channels[0])).toEqual([-1, Math.fround(2147483647 / 2147483648)]);
    expect(Array.from(pcm32.channels[1])).toEqual([0.5, 0]);

    const f64 = new Uint8Array(new Float64Array([0.1, -3]).buffer);
    const d = decodeWav(riff(chunk('fmt ', fmtBody(3, 1, 44100, 64)), chunk('data', Array.from(f64))));
    expect(d.format).toBe('float64');
    expect(Array.from(d.channels[0])).toEqual([Math.fround(0.1), -3]);
  });

  it('WAVE_FORMAT_EXTENSIBLE PCM 24-bit, after an odd-sized unknown chunk with its pad byte', () => {
    const ext = [
      ...fmtBody(0xfffe, 2, 48000, 24),
      ...u16(22), // cbSize
      ...u16(24), // valid bits
      ...u32(0x3), // FL | FR
      ...u16(1), // KSDATAFORMAT_SUBTYPE_PCM {00000001-0000-0010-8000-00AA00389B71}
      ...[0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71],
    ];
    const samples = [0x00, 0x00, 0x40, 0x00, 0x00, 0xc0, 0xff, 0xff, 0xff, 0x01, 0x00, 0x00];
    const d = decodeWav(riff(chunk('fmt ', ext), chunk('LIST', [1, 2, 3]), chunk('data', samples)));
    expect(d.format).toBe('pcm24');
    expect(Array.from(d.channels[0])).toEqual([0.5, -1 / 8388608]);
    expect(Array.from(d.channels[1])).toEqual([-0.5, 1 / 8388608]);
  });

  it('accepts data before fmt, ignores a wrong RIFF size and a trailing partial frame', () => {
    const bytes = riff(chunk('data', [...u16(0x4000), ...u16(0xc000), 0x12]), chunk('fmt ', fmtBody(1, 1, 16000, 16)));
    new DataView(bytes.buffer).setUint32(4, 4, true);
    expect(Array.from(decodeWav(bytes).channels[0])).toEqual([0.5, -0.5]);
  });

  it('says what is wrong with files it cannot read', () => {
    expect(decodeError(new Uint8Array(0)).message).toBe('not a RIFF/WAVE file');
    expect(decodeError(Uint8Array.from(ascii('RIFX\0\0\0\0WAVE'))).message).toBe('not a RIFF/WAVE file');
    expect(decodeError(Uint8Array.from(ascii('RIFF\0\0\0\0AVI '))).message).toBe('not a RIFF/WAVE file');

    const truncated = riff(chunk('fmt ', fmtBody(1, 1, 16000, 16)), chunk('data', [1, 2, 3, 4], 400));
    expect(decodeError(truncated).message).toMatch(/^truncated data chunk \(header says 400 bytes, file has 4\)/);

    const adpcm = riff(chunk('fmt ', fmtBody(2, 1, 16000, 4)), chunk('data', [0, 0]));
    const e = decodeError(adpcm);
    expect(e.message).toMatch(/^unsupported format tag 0x0002/);
    expect(e.hint).toMatch(/WAV/);

    expect(decodeError(riff(chunk('fmt ', fmtBody(1, 0, 16000, 16)), chunk('data', [0, 0]))).message).toBe('zero channels');
    expect(decodeError(riff(chunk('fmt ', fmtBody(1, 1, 16000, 12)), chunk('data', [0, 0]))).message).toMatch(/bit depth 12/);
    expect(decodeError(riff(chunk('fmt ', fmtBody(1, 1, 16000, 16)))).message).toBe('missing data chunk');
    expect(decodeError(riff(chunk('data', [0, 0]))).message).toBe('missing fmt chunk');

    const badGuid = [...fmtBody(0xfffe, 1, 16000, 16), ...u16(22), ...u16(16), ...u32(4), ...u16(1), ...new Array(14).fill(0)];
    expect(decodeError(riff(chunk('fmt ', badGuid), chunk('data', [0, 0]))).message).toMatch(/sub-format/);
  });
});

describe('readWavLayout and decodeWav({ allowTruncated })', () => {
  const header = (channels: number, rate: number, bits = 16): number[] => chunk('fmt ', fmtBody(1, channels, rate, bits));

  it('says where the samples are and how many frames there are, without decoding', () => {
    const bytes = riff(header(2, 44100), chunk('LIST', [1, 2, 3]), chunk('data', new Array(4 * 10).fill(0)));
    expect(readWavLayout(bytes)).toEqual({ sampleRate: 44100, channelCount: 2, format: 'pcm16', dataOffset: 12 + 24 + 12 + 8, frames: 10, declaredFrames: 10 });
  });

  it('a data chunk cut short: strict decoding throws, allowTruncated reads the whole frames present', () => {
    const bytes = riff(header(1, 16000), chunk('data', [...u16(0x4000), ...u16(0xc000), 0x12], 400));
    // 5 bytes and the pad byte the test's chunk() adds after an odd body
    expect(decodeError(bytes).message).toBe('truncated data chunk (header says 400 bytes, file has 6)');
    expect(readWavLayout(bytes, { allowTruncated: true })).toMatchObject({ frames: 3, declaredFrames: 200 });
    expect(Array.from(decodeWav(bytes, { allowTruncated: true }).channels[0])).toEqual([0.5, -0.5, 0x12 / 32768]);
  });

  it('rejects absurd headers before allocating anything', () => {
    expect(decodeError(riff(chunk('fmt ', fmtBody(1, 1, 16000, 16), 0xfffffff0), chunk('data', [0, 0]))).message).toBe('truncated fmt chunk (header says 4294967280 bytes, file has 26)');
    expect(decodeError(riff(header(65535, 16000), chunk('data', [0, 0]))).message).toBe('65535 channels (at most 255 are read)');
    expect(decodeError(riff(header(1, 768_001), chunk('data', [0, 0]))).message).toBe('sample rate 768001 Hz (at most 768000 Hz is read)');
    expect(readWavLayout(riff(header(255, 768_000), chunk('data', [0, 0])))).toMatchObject({ channelCount: 255, sampleRate: 768_000, frames: 0 });
  });
});
