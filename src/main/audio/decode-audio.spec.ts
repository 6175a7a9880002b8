import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished, vi } from 'vitest';
import { AudioDecodeError } from '../../shared/errors.ts';
import { decodeAudio, levelNotices, type DecodedAudio } from './decode-audio.ts';

// --- test signals and measurements --------------------------------------------------------------

function tone(freq: number, rate: number, n: number, amp: number): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => amp * Math.sin((2 * Math.PI * freq * i) / rate));
}

/** Deterministic noise in [−amp, amp] (an LCG), so lossless checks see every bit pattern. */
function noise(n: number, amp: number, seed = 1): Float64Array {
  let s = seed >>> 0;
  return Float64Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return amp * (s / 2 ** 31 - 1);
  });
}

/** Frequency from the first and last rising zero crossings (interpolated) in the middle 80 %. */
function frequency(x: Float32Array, rate: number): number {
  const crossings: number[] = [];
  for (let i = Math.floor(x.length * 0.1); i < x.length * 0.9; i++) {
    if (x[i - 1] < 0 && x[i] >= 0) crossings.push(i - 1 + x[i - 1] / (x[i - 1] - x[i]));
  }
  return ((crossings.length - 1) / (crossings[crossings.length - 1] - crossings[0])) * rate;
}

function rms(x: Float32Array, from = 0.1, to = 0.9): number {
  let sum = 0;
  const a = Math.floor(x.length * from);
  const b = Math.floor(x.length * to);
  for (let i = a; i < b; i++) sum += x[i] * x[i];
  return Math.sqrt(sum / (b - a));
}

const db = (ratio: number): number => 20 * Math.log10(ratio);

/** Sample-exact comparison that reports the first difference (a diff of 100k-element arrays is unreadable and slow). */
function expectSamples(actual: Float32Array[], expected: Float32Array[]): void {
  expect(actual.map((c) => c.length)).toEqual(expected.map((c) => c.length));
  expected.forEach((e, c) => {
    const i = actual[c].findIndex((v, k) => v !== e[k]);
    expect(i === -1 ? null : { channel: c, index: i, actual: actual[c][i], expected: e[i] }).toBeNull();
  });
}

// --- an independent WAV writer: every sample format, plain or WAVE_FORMAT_EXTENSIBLE ---------------

type Encoding = 'pcm8' | 'pcm16' | 'pcm24' | 'pcm32' | 'float32' | 'float64';
const BITS: Record<Encoding, number> = { pcm8: 8, pcm16: 16, pcm24: 24, pcm32: 32, float32: 32, float64: 64 };
const GUID_TAIL = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71];

const ascii = (s: string): number[] => Array.from(s, (c) => c.charCodeAt(0));
const u16 = (v: number): number[] => [v & 0xff, (v >> 8) & 0xff];
const u32 = (v: number): number[] => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
function chunk(id: string, body: number[] | Uint8Array, declaredSize = body.length): Uint8Array {
  const pad = body.length % 2;
  return Uint8Array.from([...ascii(id), ...u32(declaredSize), ...body, ...(pad ? [0] : [])]);
}
function riff(...chunks: Uint8Array[]): Uint8Array {
  const size = chunks.reduce((n, c) => n + c.length, 4);
  const out = new Uint8Array(8 + size);
  out.set([...ascii('RIFF'), ...u32(size), ...ascii('WAVE')]);
  let p = 12;
  for (const c of chunks) {
    out.set(c, p);
    p += c.length;
  }
  return out;
}
function fmtBody(tag: number, channels: number, rate: number, bits: number): number[] {
  const align = (channels * bits) / 8;
  return [...u16(tag), ...u16(channels), ...u32(rate), ...u32(rate * align), ...u16(align), ...u16(bits)];
}

/** Writes `channels` as a WAV file and returns what a correct decoder must give back, sample for sample. */
function writeWav(channels: ArrayLike<number>[], rate: number, enc: Encoding, extensible = false): { bytes: Uint8Array; expected: Float32Array[] } {
  const bits = BITS[enc];
  const bytesPer = bits / 8;
  const frames = channels[0].length;
  const isFloat = enc.startsWith('float');
  const data = new Uint8Array(frames * channels.length * bytesPer);
  const view = new DataView(data.buffer);
  const expected = channels.map(() => new Float32Array(frames));
  const scale = 2 ** (bits - 1);
  let p = 0;
  for (let f = 0; f < frames; f++) {
    channels.forEach((c, ch) => {
      const x = c[f];
      if (enc === 'float32') view.setFloat32(p, x, true);
      if (enc === 'float64') view.setFloat64(p, x, true);
      if (isFloat) {
        expected[ch][f] = x;
      } else {
        const code = Math.max(-scale, Math.min(scale - 1, Math.round(x * scale)));
        expected[ch][f] = code / scale;
        if (enc === 'pcm8') view.setUint8(p, code + 128);
        else if (enc === 'pcm16') view.setInt16(p, code, true);
        else if (enc === 'pcm32') view.setInt32(p, code, true);
        else for (let k = 0; k < 3; k++) view.setUint8(p + k, (code >> (8 * k)) & 0xff);
      }
      p += bytesPer;
    });
  }
  const tag = isFloat ? 3 : 1;
  const fmt = extensible
    ? [...fmtBody(0xfffe, channels.length, rate, bits), ...u16(22), ...u16(bits), ...u32(2 ** channels.length - 1), ...u16(tag), ...GUID_TAIL]
    : fmtBody(tag, channels.length, rate, bits);
  return { bytes: riff(chunk('fmt ', fmt), chunk('data', data)), expected };
}

// --- helpers around the real encoders ----------------------------------------------------------

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'loa-decode-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Writes `wav` to the temp dir, runs `tool` on it, and returns the encoded file's bytes. */
function encode(wav: Uint8Array, tool: 'sox' | 'lame' | 'opusenc', out: string, args: string[] = []): Uint8Array {
  const input = join(dir, `${out}.src.wav`);
  const output = join(dir, out);
  writeFileSync(input, wav);
  if (tool === 'sox') execFileSync('/usr/bin/sox', [input, ...args, output]);
  if (tool === 'lame') execFileSync('lame', ['--quiet', ...args, input, output]);
  if (tool === 'opusenc') execFileSync('opusenc', ['--quiet', ...args, input, output]);
  return new Uint8Array(readFileSync(output));
}

async function decodeError(p: Promise<unknown>): Promise<AudioDecodeError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(AudioDecodeError);
    expect((e as AudioDecodeError).code).toBe('AUDIO_DECODE');
    return e as AudioDecodeError;
  }
  throw new Error('expected decodeAudio to reject');
}

const stereoTone = (rate: number, seconds: number): Float64Array[] => [tone(1000, rate, rate * seconds, 0.5), tone(1000, rate, rate * seconds, 0.25)];

function expectTone(d: DecodedAudio, amps: number[], toleranceDb: number): void {
  expect(d.channels.length).toBe(amps.length);
  amps.forEach((amp, c) => {
    expect(frequency(d.channels[c], d.sampleRate)).toBeCloseTo(1000, 0);
    expect(Math.abs(db(rms(d.channels[c]) / (amp / Math.SQRT2)))).toBeLessThan(toleranceDb);
  });
}

// --- WAV -------------------------------------------------------------------------------------------

describe('decodeAudio: WAV, every sample format', () => {
  const encodings: Encoding[] = ['pcm8', 'pcm16', 'pcm24', 'pcm32', 'float32', 'float64'];
  const rates = [8000, 22050, 44100, 48000, 96000];
  for (const enc of encodings) {
    it(`${enc}: 1, 2 and 6 channels at ${rates.join('/')} Hz decode sample for sample`, async () => {
      for (const channelCount of [1, 2, 6]) {
        for (const rate of rates) {
          const n = Math.round(rate * 0.05);
          const src = Array.from({ length: channelCount }, (_, c) => tone(200 + 150 * c, rate, n, 0.9 - 0.1 * c));
          const { bytes, expected } = writeWav(src, rate, enc);
          const d = await decodeAudio(bytes, 'clip.wav');
          expect(d.format).toBe(`wav-${enc}`);
          expect(d.sampleRate).toBe(rate);
          expectSamples(d.channels, expected);
          expect(d.notices).toEqual([]);
        }
      }
    });
  }

  it('WAVE_FORMAT_EXTENSIBLE (PCM 16/24/32, float 32) with 6 channels', async () => {
    for (const enc of ['pcm16', 'pcm24', 'pcm32', 'float32'] as const) {
      const src = Array.from({ length: 6 }, (_, c) => tone(300 + 100 * c, 48000, 2400, 0.5));
      const { bytes, expected } = writeWav(src, 48000, enc, true);
      expect(bytes[20] | (bytes[21] << 8)).toBe(0xfffe);
      const d = await decodeAudio(bytes);
      expect(d.format).toBe(`wav-${enc}`);
      expectSamples(d.channels, expected);
    }
  });

  it('a 1 kHz sine comes back at 1 kHz with its level', async () => {
    const d = await decodeAudio(writeWav(stereoTone(44100, 1), 44100, 'pcm16').bytes);
    expectTone(d, [0.5, 0.25], 0.01);
  });
});

describe('decodeAudio: WAV damage and absurd headers', () => {
  const pcm16 = (n: number): number[] => Array.from({ length: 2 * n }, (_, i) => (i % 2 ? 0x10 : 0x00));

  it('a data chunk cut short decodes the whole frames that are there, with a notice', async () => {
    const { bytes, expected } = writeWav([tone(440, 16000, 16000, 0.5)], 16000, 'pcm16');
    const cut = bytes.subarray(0, 44 + 2 * 5000 + 1); // 5000 frames and half of the next
    const d = await decodeAudio(cut, 'take.wav');
    expectSamples(d.channels, [expected[0].subarray(0, 5000)]);
    expect(d.notices).toEqual(['The WAV file is shorter than its header says (cut short, or written by a recorder that never finished it): read the 0.31 s that are there.']);
  });

  it("a streaming writer's placeholder data size (0xFFFFFFFF) reads what is there", async () => {
    const d = await decodeAudio(riff(chunk('fmt ', fmtBody(1, 1, 8000, 16)), chunk('data', pcm16(1000), 0xffffffff)));
    expect(d.channels[0].length).toBe(1000);
    expect(d.notices[0]).toMatch(/^The WAV file is shorter than its header says/);
  });

  it('a header with zero samples, or cut right after the header, is an error', async () => {
    const empty = await decodeError(decodeAudio(riff(chunk('fmt ', fmtBody(1, 2, 44100, 16)), chunk('data', [])), 'empty.wav'));
    expect(empty.message).toBe('"empty.wav" holds no audio: its header is complete but it has no samples.');
    expect(empty.hint).toMatch(/export the clip again/);
    const cut = await decodeError(decodeAudio(riff(chunk('fmt ', fmtBody(1, 2, 44100, 16)), chunk('data', [], 88200))));
    expect(cut.message).toBe('The file holds no audio: the file ends right after its header (it was cut short).');
  });

  it('rejects absurd headers with the reason, before allocating', async () => {
    const cases: [Uint8Array, RegExp][] = [
      [riff(chunk('fmt ', fmtBody(1, 1, 16000, 16), 0xfffffff0), chunk('data', pcm16(10))), /truncated fmt chunk \(header says 4294967280 bytes/],
      [riff(chunk('fmt ', fmtBody(1, 65535, 16000, 16)), chunk('data', pcm16(10))), /65535 channels \(at most 255 are read\)/],
      [riff(chunk('fmt ', fmtBody(1, 1, 0, 16)), chunk('data', pcm16(10))), /zero sample rate/],
      [riff(chunk('fmt ', fmtBody(1, 1, 1_000_000, 16)), chunk('data', pcm16(10))), /sample rate 1000000 Hz \(at most 768000 Hz is read\)/],
      [riff(chunk('fmt ', fmtBody(1, 1, 16000, 0)), chunk('data', pcm16(10))), /unsupported PCM bit depth 0/],
      [riff(chunk('fmt ', fmtBody(2, 1, 16000, 4)), chunk('data', pcm16(10))), /unsupported format tag 0x0002/],
      [riff(chunk('data', pcm16(10))), /missing fmt chunk/],
    ];
    for (const [bytes, message] of cases) {
      const e = await decodeError(decodeAudio(bytes, 'odd.wav'));
      expect(e.message).toMatch(/^"odd\.wav" is a WAV file LOA Studio cannot read: /);
      expect(e.message).toMatch(message);
    }
  });

  it('garbage after "RIFF….WAVE" is an error, not a crash', async () => {
    for (const seed of [1, 2, 3]) {
      const bytes = Uint8Array.from(noise(4000, 128, seed), (v) => (v + 128) & 0xff);
      bytes.set([...ascii('RIFF'), ...u32(3992), ...ascii('WAVE')]);
      await decodeError(decodeAudio(bytes));
    }
  });

  it('replaces NaN and infinities in float WAV by 0 and says how many', async () => {
    for (const enc of ['float32', 'float64'] as const) {
      const x = Array.from(tone(100, 8000, 800, 0.5));
      x[10] = Number.NaN;
      x[20] = Number.POSITIVE_INFINITY;
      x[30] = Number.NEGATIVE_INFINITY;
      const d = await decodeAudio(writeWav([x], 8000, enc).bytes);
      expect(d.notices).toEqual(['3 samples were not a number (NaN or infinity, a sign of damage) and were replaced by silence.']);
      expect([d.channels[0][10], d.channels[0][20], d.channels[0][30]]).toEqual([0, 0, 0]);
      expect(d.channels[0][11]).toBe(Math.fround(x[11]));
      expect(d.channels[0].every(Number.isFinite)).toBe(true);
    }
  });

  it('refuses audio whose decoded size passes the memory limit, naming the size', async () => {
    const { bytes } = writeWav([tone(100, 8000, 8000, 0.5)], 8000, 'pcm16');
    const e = await decodeError(decodeAudio(bytes, 'long.wav', { maxDecodedBytes: 10_000 }));
    expect(e.message).toBe('"long.wav" is too long to open: 1.00 s at 8000 Hz in 1 channel would need 31.3 KiB of memory (the limit is 9.8 KiB).');
    expect(e.hint).toMatch(/at most 10 minutes/);
  });
});

// --- levels ---------------------------------------------------------------------------------------

describe('decodeAudio: silence and clipping', () => {
  it('says a silent clip is silent', async () => {
    const d = await decodeAudio(writeWav([new Float64Array(8000)], 8000, 'pcm16').bytes);
    expect(d.notices).toEqual(['The clip is silent (its loudest sample is below −80 dBFS), so it gives the model nothing to follow.']);
  });

  it('says a clipped clip is clipped, with the count', async () => {
    const d = await decodeAudio(writeWav([tone(100, 8000, 8000, 2)], 8000, 'pcm16').bytes); // clamped to ±1 by the writer
    const atFullScale = d.channels[0].filter((v) => Math.abs(v) >= 0.999).length;
    expect(atFullScale / 8000).toBeGreaterThan(0.6); // |2 sin| ≥ 1 two thirds of the time
    expect(d.notices).toEqual([
      `The clip looks clipped: ${atFullScale} samples (${((100 * atFullScale) / 8000).toFixed(1)} %) sit at full scale, so it is probably distorted, and the model will hear the distortion too.`,
    ]);
  });

  it('a clean, loud clip and a few full-scale peaks get no notice', () => {
    expect(levelNotices([Float32Array.from(tone(100, 8000, 8000, 0.99))])).toEqual([]);
    const peaks = Float32Array.from(tone(100, 8000, 8000, 0.5));
    peaks[100] = 1;
    peaks[200] = -1;
    expect(levelNotices([peaks])).toEqual([]);
  });
});

// --- FLAC, Ogg Vorbis, MP3, Ogg Opus made by the real encoders --------------------------------------

describe('decodeAudio: FLAC (sox)', () => {
  it('PCM16 stereo 44.1 kHz is bit-exact', async () => {
    const { bytes, expected } = writeWav([tone(1000, 44100, 88200, 0.5), noise(88200, 0.3)], 44100, 'pcm16');
    const d = await decodeAudio(encode(bytes, 'sox', 'a.flac'), 'a.flac');
    expect(d.format).toBe('flac');
    expect(d.sampleRate).toBe(44100);
    expectSamples(d.channels, expected);
    expect(d.notices).toEqual([]);
  });

  it('PCM24 6 channels at 96 kHz is bit-exact', async () => {
    const src = Array.from({ length: 6 }, (_, c) => (c === 5 ? noise(9600, 0.5, 7) : tone(500 * (c + 1), 96000, 9600, 0.5)));
    const { bytes, expected } = writeWav(src, 96000, 'pcm24');
    const d = await decodeAudio(encode(bytes, 'sox', 'b.flac'));
    expect(d.sampleRate).toBe(96000);
    expectSamples(d.channels, expected);
  });

  it('is found by content: a FLAC file named .wav is read as FLAC, with a notice', async () => {
    const flac = encode(writeWav([tone(1000, 8000, 8000, 0.5)], 8000, 'pcm16').bytes, 'sox', 'c.flac');
    const d = await decodeAudio(flac, 'c.wav');
    expect(d.format).toBe('flac');
    expect(d.notices).toEqual(['The file is named .wav but is a FLAC file; read as FLAC.']);
  });

  it('cut in half: decodes the first part and says how much of the promised length', async () => {
    const { bytes, expected } = writeWav([tone(1000, 44100, 88200, 0.5), noise(88200, 0.3)], 44100, 'pcm16');
    const flac = encode(bytes, 'sox', 'd.flac');
    const d = await decodeAudio(flac.subarray(0, flac.length >> 1));
    const got = d.channels[0].length;
    expect(got).toBeGreaterThan(88200 * 0.3);
    expect(got).toBeLessThan(88200 * 0.7);
    expectSamples(
      d.channels,
      expected.map((c) => c.subarray(0, got)),
    ); // what is there is still exact
    expect(d.notices).toEqual([`The FLAC file is cut short or damaged: read the first ${(got / 44100).toFixed(2)} s of the 2.00 s its header promises.`]);
  });

  it('a damaged frame in the middle: decodes the exact audio before it, with a notice', async () => {
    const { bytes, expected } = writeWav([noise(88200, 0.3, 5)], 44100, 'pcm16');
    const flac = encode(bytes, 'sox', 'h.flac');
    flac[flac.length >> 1] ^= 0x55;
    const d = await decodeAudio(flac);
    const got = d.channels[0].length;
    expect(got).toBeGreaterThan(88200 * 0.3);
    expect(got).toBeLessThan(88200 * 0.7);
    expectSamples(d.channels, [expected[0].subarray(0, got)]);
    expect(d.notices[0]).toMatch(/^The FLAC file is cut short or damaged: read the first 0\.\d\d s of the 2\.00 s/);
  });

  it('zero samples, a cut header, garbage after STREAMINFO, and a damaged STREAMINFO are errors', async () => {
    const empty = encode(new Uint8Array(riff(chunk('fmt ', fmtBody(1, 1, 44100, 16)), chunk('data', []))), 'sox', 'e.flac');
    expect((await decodeError(decodeAudio(empty, 'e.flac'))).message).toMatch(/^"e\.flac" holds no audio: the FLAC decoder found no audio frames/);
    const flac = encode(writeWav([tone(1000, 8000, 8000, 0.5)], 8000, 'pcm16').bytes, 'sox', 'f.flac');
    expect((await decodeError(decodeAudio(flac.subarray(0, 30)))).message).toMatch(/ends inside its header/);
    for (const seed of [1, 2, 3]) {
      const bad = flac.slice();
      bad.set(
        Uint8Array.from(noise(bad.length - 42, 128, seed), (v) => (v + 128) & 0xff),
        42,
      );
      expect((await decodeError(decodeAudio(bad))).message).toMatch(/no audio frames/);
    }
    const badInfo = flac.slice();
    badInfo[7] = 20; // STREAMINFO length 34 → 20
    expect((await decodeError(decodeAudio(badInfo))).message).toMatch(/damaged FLAC file: its first header block is not a valid STREAMINFO/);
  });

  it('checks the memory limit against the length STREAMINFO declares, before decoding', async () => {
    const flac = encode(writeWav([tone(1000, 8000, 8000, 0.5)], 8000, 'pcm16').bytes, 'sox', 'g.flac');
    const e = await decodeError(decodeAudio(flac, 'g.flac', { maxDecodedBytes: 10_000 }));
    expect(e.message).toBe('"g.flac" is too long to open: 1.00 s at 8000 Hz in 1 channel would need 31.3 KiB of memory (the limit is 9.8 KiB).');
  });
});

describe('decodeAudio: Ogg Vorbis (sox)', () => {
  it('stereo 44.1 kHz: rate, channels, exact length, a 1 kHz tone at its level', async () => {
    const d = await decodeAudio(encode(writeWav(stereoTone(44100, 2), 44100, 'pcm16').bytes, 'sox', 'a.ogg'), 'a.ogg');
    expect(d.format).toBe('ogg-vorbis');
    expect(d.sampleRate).toBe(44100);
    expect(d.channels[0].length).toBe(88200); // the last page's granule position trims the final block
    expectTone(d, [0.5, 0.25], 0.5);
    expect(d.notices).toEqual([]);
  });

  it('mono 22.05 kHz', async () => {
    const d = await decodeAudio(encode(writeWav([tone(1000, 22050, 22050, 0.5)], 22050, 'pcm16').bytes, 'sox', 'b.ogg'));
    expect(d.sampleRate).toBe(22050);
    expect(d.channels[0].length).toBe(22050);
    expectTone(d, [0.5], 0.5);
  });

  it('cut in half: decodes the first part, with a notice', async () => {
    const ogg = encode(writeWav(stereoTone(44100, 2), 44100, 'pcm16').bytes, 'sox', 'c.ogg');
    const d = await decodeAudio(ogg.subarray(0, ogg.length >> 1));
    const got = d.channels[0].length;
    expect(got).toBeGreaterThan(0);
    expect(got).toBeLessThan(88200);
    expect(d.notices).toEqual([`The file ends early (it was cut short): read the ${(got / 44100).toFixed(2)} s that are there.`]);
  });

  it('a damaged byte inside a page: the page checksum catches it, decoding goes on, with a notice', async () => {
    for (const [tool, file, rate] of [
      ['sox', 'g.ogg', 44100],
      ['opusenc', 'g.opus', 48000],
    ] as const) {
      const encoded = encode(writeWav(stereoTone(rate, 2), rate, 'pcm16').bytes, tool, file);
      encoded[Math.floor(encoded.length * 0.6)] ^= 0x55;
      const d = await decodeAudio(encoded);
      expect(d.channels[0].length).toBe(2 * rate);
      expect(d.notices).toEqual(['1 Ogg page is damaged (its checksum does not match): expect a click or a gap there.']);
    }
  });

  it('a chained file (two recordings at different rates) reads only the first, with a notice', async () => {
    const a = encode(writeWav(stereoTone(44100, 1), 44100, 'pcm16').bytes, 'sox', 'd1.ogg');
    const b = encode(writeWav([tone(500, 22050, 22050, 0.5)], 22050, 'pcm16').bytes, 'sox', 'd2.ogg');
    const chained = new Uint8Array(a.length + b.length);
    chained.set(a);
    chained.set(b, a.length);
    const d = await decodeAudio(chained);
    expect(d.sampleRate).toBe(44100);
    expect(d.channels[0].length).toBe(44100);
    expect(d.notices).toEqual(['The file holds several recordings one after another (a chained Ogg file): only the first one was read.']);
  });

  it('zero samples, a cut header and garbage after the first page are errors', async () => {
    const empty = encode(new Uint8Array(riff(chunk('fmt ', fmtBody(1, 1, 44100, 16)), chunk('data', []))), 'sox', 'e.ogg');
    expect((await decodeError(decodeAudio(empty))).message).toMatch(/holds no audio/);
    const ogg = encode(writeWav(stereoTone(44100, 1), 44100, 'pcm16').bytes, 'sox', 'f.ogg');
    expect((await decodeError(decodeAudio(ogg.subarray(0, 40)))).message).toMatch(/ends inside its header/);
    const firstPage = 27 + ogg[26] + ogg[27];
    for (const seed of [1, 2, 3]) {
      const bad = ogg.slice();
      bad.set(
        Uint8Array.from(noise(bad.length - firstPage, 128, seed), (v) => (v + 128) & 0xff),
        firstPage,
      );
      expect((await decodeError(decodeAudio(bad))).message).toMatch(/holds no audio|damaged/);
    }
  });
});

describe('decodeAudio: MP3 (lame)', () => {
  it('stereo 44.1 kHz at 192 kb/s: exact length (LAME gapless tag), a 1 kHz tone at its level', async () => {
    const d = await decodeAudio(encode(writeWav(stereoTone(44100, 2), 44100, 'pcm16').bytes, 'lame', 'a.mp3', ['-b', '192']), 'a.mp3');
    expect(d.format).toBe('mp3');
    expect(d.sampleRate).toBe(44100);
    expect(d.channels[0].length).toBe(88200);
    expectTone(d, [0.5, 0.25], 0.5);
    expect(d.notices).toEqual([]);
  });

  it('mono 22.05 kHz (MPEG-2) behind an ID3v2 tag comes back as one channel, exact with a LAME tag', async () => {
    const mp3 = encode(writeWav([tone(1000, 22050, 22050, 0.5)], 22050, 'pcm16').bytes, 'lame', 'b.mp3', ['-m', 'm', '-b', '64', '--add-id3v2', '--tt', 'reference']);
    expect(String.fromCharCode(...mp3.subarray(0, 3))).toBe('ID3');
    const d = await decodeAudio(mp3, 'b.mp3');
    expect(d.sampleRate).toBe(22050);
    expect(d.channels.length).toBe(1);
    expect(d.channels[0].length).toBe(22050);
    expectTone(d, [0.5], 0.5);
  });

  it('without a LAME tag (no room for it in a 32 kb/s MPEG-2 frame) the length is within the encoder delay and padding', async () => {
    const mp3 = encode(writeWav([tone(1000, 22050, 22050, 0.5)], 22050, 'pcm16').bytes, 'lame', 'b2.mp3', ['-m', 'm']);
    const d = await decodeAudio(mp3);
    // LAME: 576 + 529 samples of delay in front, then padding up to a whole 576-sample granule.
    expect(d.channels[0].length).toBeGreaterThanOrEqual(22050 + 1105);
    expect(d.channels[0].length).toBeLessThan(22050 + 1105 + 576);
    expect(d.channels[0].length % 576).toBe(0);
    expectTone(d, [0.5], 0.5);
  });

  it('cut in half: decodes the first part, with a notice from the Info tag', async () => {
    const mp3 = encode(writeWav(stereoTone(44100, 2), 44100, 'pcm16').bytes, 'lame', 'c.mp3');
    const d = await decodeAudio(mp3.subarray(0, mp3.length >> 1), 'c.mp3');
    const got = d.channels[0].length;
    expect(got).toBeGreaterThan(88200 * 0.4);
    expect(got).toBeLessThan(88200 * 0.6);
    expect(d.notices).toEqual([`The MP3 file ends early (it was cut short): read the ${(got / 44100).toFixed(2)} s that are there.`]);
  });

  it('an MP3 named .wav is read as MP3, with a notice', async () => {
    const mp3 = encode(writeWav([tone(1000, 8000, 8000, 0.5)], 8000, 'pcm16').bytes, 'lame', 'd.mp3');
    const d = await decodeAudio(mp3, 'd.wav');
    expect(d.notices).toEqual(['The file is named .wav but is an MP3 file; read as MP3.']);
  });

  it('zero samples and garbage after the first frame header are errors or a notice, never a crash', async () => {
    // mpg123-decoder logs every damaged frame with console.error; keep the test output readable.
    const quiet = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    onTestFinished(() => quiet.mockRestore());
    const empty = encode(new Uint8Array(riff(chunk('fmt ', fmtBody(1, 1, 44100, 16)), chunk('data', []))), 'lame', 'e.mp3');
    expect((await decodeError(decodeAudio(empty))).message).toMatch(/holds no audio/);
    const mp3 = encode(writeWav(stereoTone(44100, 1), 44100, 'pcm16').bytes, 'lame', 'f.mp3');
    for (const seed of [1, 2, 3]) {
      const bad = mp3.slice();
      bad.set(
        Uint8Array.from(noise(bad.length - 4, 128, seed), (v) => (v + 128) & 0xff),
        4,
      );
      const outcome = await decodeAudio(bad).catch((e: unknown) => e);
      if (outcome instanceof Error) {
        expect(outcome).toBeInstanceOf(AudioDecodeError);
        expect(outcome.message).toMatch(/damaged|holds no audio/);
      } else {
        expect((outcome as DecodedAudio).notices.join(' ')).toMatch(/skipped \d+ damaged frames?/);
      }
    }
  });

  it('checks the memory limit while decoding', async () => {
    const mp3 = encode(writeWav(stereoTone(44100, 2), 44100, 'pcm16').bytes, 'lame', 'g.mp3');
    const e = await decodeError(decodeAudio(mp3, 'g.mp3', { maxDecodedBytes: 100_000 }));
    expect(e.message).toMatch(/^"g\.mp3" is too long to open: over \d\.\d\d s at 44100 Hz in 2 channels would need more than \d+\.\d KiB of memory \(the limit is 97\.7 KiB\)\.$/);
  });
});

describe('decodeAudio: Ogg Opus (opusenc)', () => {
  it('stereo 48 kHz: exact length after pre-skip, a 1 kHz tone at its level', async () => {
    const d = await decodeAudio(encode(writeWav(stereoTone(48000, 2), 48000, 'pcm16').bytes, 'opusenc', 'a.opus', ['--bitrate', '128']), 'a.opus');
    expect(d.format).toBe('ogg-opus');
    expect(d.sampleRate).toBe(48000);
    expect(d.channels[0].length).toBe(96000);
    expectTone(d, [0.5, 0.25], 0.5);
    expect(d.notices).toEqual([]);
  });

  it('44.1 kHz mono input comes back at 48 kHz (Opus always decodes at 48 kHz), same duration', async () => {
    const d = await decodeAudio(encode(writeWav([tone(1000, 44100, 44100, 0.5)], 44100, 'pcm16').bytes, 'opusenc', 'b.opus'), 'b.ogg');
    expect(d.sampleRate).toBe(48000);
    expect(d.channels.length).toBe(1);
    expect(Math.abs(d.channels[0].length - 48000)).toBeLessThanOrEqual(1);
    expectTone(d, [0.5], 0.5);
    expect(d.notices).toEqual([]); // .ogg holding Opus is fine
  });

  it('cut in half: decodes the first part, with a notice', async () => {
    const opus = encode(writeWav(stereoTone(48000, 2), 48000, 'pcm16').bytes, 'opusenc', 'c.opus');
    const d = await decodeAudio(opus.subarray(0, opus.length >> 1));
    const got = d.channels[0].length;
    expect(got).toBeGreaterThan(96000 * 0.3);
    expect(got).toBeLessThan(96000 * 0.7);
    expect(d.notices).toEqual([`The file ends early (it was cut short): read the ${(got / 48000).toFixed(2)} s that are there.`]);
  });

  it('zero samples, a cut header and garbage after the first page are errors', async () => {
    const empty = encode(new Uint8Array(riff(chunk('fmt ', fmtBody(1, 1, 48000, 16)), chunk('data', []))), 'opusenc', 'e.opus');
    expect((await decodeError(decodeAudio(empty))).message).toMatch(/holds no audio/);
    const opus = encode(writeWav(stereoTone(48000, 1), 48000, 'pcm16').bytes, 'opusenc', 'f.opus');
    for (const cut of [40, 60]) expect((await decodeError(decodeAudio(opus.subarray(0, cut)))).message).toMatch(/ends inside its header|damaged|holds no audio/);
    const firstPage = 27 + opus[26] + opus[27];
    for (const seed of [1, 2, 3]) {
      const bad = opus.slice();
      bad.set(
        Uint8Array.from(noise(bad.length - firstPage, 128, seed), (v) => (v + 128) & 0xff),
        firstPage,
      );
      expect((await decodeError(decodeAudio(bad))).message).toMatch(/holds no audio|damaged/);
    }
  });
});

describe('decodeAudio: files longer than one feed slice (64 KiB) decode seamlessly', () => {
  /** Correlation with the ideal tone in every 50 ms window: a dropped or repeated block shifts the phase and breaks it. */
  function worstWindowCorrelation(x: Float32Array, ideal: Float64Array, rate: number): number {
    const w = Math.round(rate * 0.05);
    let worst = 1;
    for (let a = w; a + w <= x.length - w; a += w) {
      let xy = 0;
      let xx = 0;
      let yy = 0;
      for (let i = a; i < a + w; i++) {
        xy += x[i] * ideal[i];
        xx += x[i] * x[i];
        yy += ideal[i] * ideal[i];
      }
      worst = Math.min(worst, xy / Math.sqrt(xx * yy));
    }
    return worst;
  }

  it('FLAC stays bit-exact over 20 s of stereo noise', async () => {
    const { bytes, expected } = writeWav([noise(882000, 0.5, 3), noise(882000, 0.5, 4)], 44100, 'pcm16');
    const flac = encode(bytes, 'sox', 'long.flac');
    expect(flac.length).toBeGreaterThan(20 * 65536);
    expectSamples((await decodeAudio(flac)).channels, expected);
  });

  for (const [tool, file, rate, args] of [
    ['sox', 'long.ogg', 44100, ['-C', '10']], // top quality: a pure tone is otherwise smaller than one slice
    ['lame', 'long.mp3', 44100, ['-b', '192']],
    ['opusenc', 'long.opus', 48000, ['--bitrate', '128']],
  ] as const) {
    it(`${file}: exact length, and the tone stays in phase with the source in every 50 ms window`, async () => {
      const n = rate * 20;
      const ideal = tone(1000, rate, n, 0.5);
      const encoded = encode(writeWav([ideal, ideal], rate, 'pcm16').bytes, tool, file, [...args]);
      expect(encoded.length).toBeGreaterThan(65536); // at least two slices
      const d = await decodeAudio(encoded);
      expect(d.channels[0].length).toBe(n);
      expect(worstWindowCorrelation(d.channels[0], ideal, rate)).toBeGreaterThan(0.99);
    });
  }
});

// --- what is not audio, or not an accepted format ---------------------------------------------------

describe('decodeAudio: refusals', () => {
  const accepted = /WAV \(PCM or float\), FLAC, MP3, Ogg Vorbis and Ogg Opus/;

  it('an empty file', async () => {
    const e = await decodeError(decodeAudio(new Uint8Array(0), 'nothing.wav'));
    expect(e.message).toBe('"nothing.wav" is empty (0 bytes).');
  });

  it('a file over the size limit', async () => {
    const e = await decodeError(decodeAudio(new Uint8Array(4096), 'big.wav', { maxFileBytes: 2048 }));
    expect(e.message).toBe('"big.wav" is 4.0 KiB; files over 2.0 KiB are not read.');
  });

  it('names what the bytes look like and what is accepted', async () => {
    const aiff = encode(writeWav([tone(1000, 8000, 800, 0.5)], 8000, 'pcm16').bytes, 'sox', 'a.aiff');
    const oggFlacPage = Uint8Array.from([...ascii('OggS'), 0, 2, ...new Array(20).fill(0), 1, 9, ...ascii('\x7fFLAC'), 1, 0, 0, 1]);
    const cases: [Uint8Array, string, string][] = [
      [aiff, 'a.aiff', 'an AIFF audio file (first bytes: 46 4F 52 4D'],
      [Uint8Array.from([0x89, ...ascii('PNG\r\n\x1a\n'), 0, 0, 0, 13]), 'cover.png', 'a PNG image (first bytes: 89 50 4E 47 0D 0A 1A 0A)'],
      [Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0, 16]), 'photo.mp3', 'a JPEG image'],
      [Uint8Array.from(ascii('This is a text file,\nnot a sound.')), 'notes.wav', 'text ("This is a text f…")'],
      [Uint8Array.from([...ascii('RIFF'), ...u32(100), ...ascii('AVI LIST')]), 'clip.avi', 'a RIFF file of type "AVI ", not WAVE'],
      [Uint8Array.from([0, 0, 0, 0x20, ...ascii('ftypM4A '), 0, 0]), 'song.m4a', 'an MP4/M4A file'],
      [Uint8Array.from([0xff, 0xf1, 0x50, 0x80, 0, 0x1f, 0xfc]), 'song.aac', 'AAC audio in ADTS frames'],
      [oggFlacPage, 'x.oga', 'an Ogg file holding FLAC, which is not read'],
      [Uint8Array.from([...ascii('ID3'), 4, 0, 0, 0, 0, 0, 10, ...new Array(10).fill(0)]), 'tag.mp3', 'an ID3 tag with no audio after it'],
      [Uint8Array.from([...ascii('RIFF'), 0, 0]), 'short.wav', 'the start of a RIFF (WAV) header, cut short'],
      [Uint8Array.from([...ascii('OggS'), 0, 2]), 'short.ogg', 'the start of an Ogg page, cut short'],
    ];
    for (const [bytes, name, looksLike] of cases) {
      const e = await decodeError(decodeAudio(bytes, name));
      expect(e.message).toContain(`"${name}" is not in a format LOA Studio reads: it looks like ${looksLike}`);
      expect(e.hint).toMatch(accepted);
    }
    const e = await decodeError(decodeAudio(Uint8Array.from([1, 2, 3, 250, 0, 17, 99, 200, 4])));
    expect(e.message).toBe('The file is not in a format LOA Studio reads: its first bytes (01 02 03 FA 00 11 63 C8) match no audio format.');
  });

  it('the extension never decides, and only a known audio extension that disagrees gets a notice', async () => {
    const wav = writeWav([tone(1000, 8000, 800, 0.5)], 8000, 'pcm16').bytes;
    expect((await decodeAudio(wav, 'clip.mp3')).notices).toEqual(['The file is named .mp3 but is a WAV file; read as WAV.']);
    expect((await decodeAudio(wav, 'folder.v2/clip.OPUS')).notices).toEqual(['The file is named .opus but is a WAV file; read as WAV.']);
    for (const name of ['clip.WAV', 'clip.wave', 'clip', 'clip.bin', 'clip.mp3.wav', undefined]) {
      expect((await decodeAudio(wav, name)).notices).toEqual([]);
    }
  });
});
