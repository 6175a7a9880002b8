import LibSampleRate from '@alexanderolsen/libsamplerate-js';
import { describe, expect, it } from 'vitest';
import { InvalidRequestError } from '../../shared/errors.ts';
import type { ExportOptions } from '../../shared/studio/studio-api.ts';
import { decodeWav } from '../audio/wav.ts';
import { integratedLoudness } from './loudness.ts';
import { DRAG_FADE_MS, PEAK_CEILING_DBFS, renderExport, resampleBest, soundBounds } from './render-export.ts';

function sine(freq: number, amp: number, n: number, rate: number): Float32Array {
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = amp * Math.sin((2 * Math.PI * freq * i) / rate);
  return x;
}

const opts = (o: Partial<ExportOptions> = {}): ExportOptions => ({
  format: 'float32',
  sampleRate: 48000,
  normalize: { kind: 'none' },
  fadeInMs: 0,
  fadeOutMs: 0,
  nameTemplate: '{prompt-slug}_{seed}_{take}',
  ...o,
});

const peakDb = (x: Float32Array): number => 20 * Math.log10(x.reduce((m, v) => Math.max(m, Math.abs(v)), 0));

async function rejection(p: Promise<unknown>): Promise<InvalidRequestError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidRequestError);
    return e as InvalidRequestError;
  }
  throw new Error('expected a rejection');
}

describe('resampleBest (libsamplerate SRC_SINC_BEST_QUALITY)', () => {
  it('returns ⌈n·to/from⌉ samples, within 1 of what libsamplerate’s own simple() returns', async () => {
    const x = sine(440, 0.5, 4001, 16000);
    const y = await resampleBest(x, 16000, 44100);
    expect(y.length).toBe(11028); // 4001 · 44100/16000 = 11027.8
    const src = await LibSampleRate.create(1, 16000, 44100, { converterType: LibSampleRate.ConverterType.SRC_SINC_BEST_QUALITY });
    const ref = src.simple(x);
    src.destroy();
    expect(ref.length).toBe(11027);
    // Our chunked full() + zero flush is bit-identical to src_simple wherever both have samples.
    expect(y.subarray(0, ref.length)).toEqual(ref);
  });

  it('upsamples a 1 kHz sine 16 → 48 kHz to within −80 dB of the ideal sine, across a chunk boundary', async () => {
    const n = 16000 * 5; // 80,000 input samples: two 65,536-sample chunks, then the zero flush
    const y = await resampleBest(sine(1000, 0.5, n, 16000), 16000, 48000);
    expect(y.length).toBe(n * 3);
    const ideal = sine(1000, 0.5, n * 3, 48000);
    let err = 0;
    for (let i = 4800; i < y.length - 4800; i++) err = Math.max(err, Math.abs(y[i] - ideal[i]));
    expect(err).toBeLessThan(0.5 * 1e-4);
  }, 60_000);

  it('is deterministic and does not touch its input', async () => {
    const x = sine(3000, 0.8, 4000, 48000);
    const copy = x.slice();
    const a = await resampleBest(x, 48000, 44100);
    const b = await resampleBest(x, 48000, 44100);
    expect(a).toEqual(b);
    expect(x).toEqual(copy);
    expect(a.length).toBe(3675);
  });
});

describe('renderExport', () => {
  it('renders a region 16 → 48 kHz: ⌈n·3⌉ = 3n frames, 48 kHz header', async () => {
    const take = sine(500, 0.5, 16000, 16000);
    const out = await renderExport(take, 16000, opts(), { start: 0.25, end: 0.75 });
    expect(out.frames).toBe(8000 * 3);
    const wav = decodeWav(out.bytes);
    expect(wav.sampleRate).toBe(48000);
    expect(wav.channels[0].length).toBe(24000);
    // 44.1 kHz: 0.1–0.3331 s = samples 1600..5330 → 3730 · 2.75625 = 10280.8 → 10281.
    const cd = await renderExport(take, 16000, opts({ sampleRate: 44100 }), { start: 0.1, end: 0.3331 });
    expect(cd.frames).toBe(10281);
  });

  it('clamps a region to the take and refuses an empty one', async () => {
    const take = sine(500, 0.5, 16000, 16000);
    expect((await renderExport(take, 16000, opts({ sampleRate: 16000 }), { start: -2, end: 0.5 })).frames).toBe(8000);
    expect((await rejection(renderExport(take, 16000, opts(), { start: 2, end: 3 }))).field).toBe('region');
    expect((await rejection(renderExport(take, 16000, opts(), { start: 0.5, end: 0.5 }))).field).toBe('region');
    expect((await rejection(renderExport(take, 16000, opts(), { start: Number.NaN, end: 1 }))).field).toBe('region');
    expect((await rejection(renderExport(new Float32Array(0), 16000, opts()))).field).toBe('region');
  });

  it('fades: first and last samples 0, equal-power shape, middle untouched; fades clamp to half the length', async () => {
    const take = new Float32Array(48000).fill(0.5);
    const out = await renderExport(take, 48000, opts({ fadeInMs: 10, fadeOutMs: 20 }));
    const y = decodeWav(out.bytes).channels[0];
    expect(y[0]).toBe(0);
    expect(y[y.length - 1]).toBe(0);
    expect(y[240]).toBeCloseTo(0.5 * Math.SQRT1_2, 6); // half-way through the 480-sample fade-in: −3 dB
    expect(y[y.length - 1 - 480]).toBeCloseTo(0.5 * Math.SQRT1_2, 6); // half-way through the 960-sample fade-out
    expect(y.subarray(480, y.length - 960).every((v) => v === 0.5)).toBe(true);
    const long = decodeWav((await renderExport(take, 48000, opts({ fadeInMs: 5000, fadeOutMs: 5000 }))).bytes).channels[0];
    expect(long[24000]).toBe(0.5); // both fades stop at the middle
    expect(long[12000]).toBeCloseTo(0.5 * Math.SQRT1_2, 6);
    expect(DRAG_FADE_MS).toBe(5);
    const drag = decodeWav((await renderExport(take, 48000, opts({ fadeInMs: DRAG_FADE_MS, fadeOutMs: DRAG_FADE_MS }), { start: 0.2, end: 0.3 })).bytes).channels[0];
    expect([drag.length, drag[0], drag[240], drag[4799]]).toEqual([4800, 0, 0.5, 0]);
  });

  it('peak-normalises to −1.00 dBFS in every format', async () => {
    for (const [format, rate] of [
      ['pcm16', 48000],
      ['pcm24', 16000],
      ['float32', 48000],
    ] as const) {
      const take = sine(700, 0.1, rate / 4, rate); // the 16 kHz one goes through the resampler
      const out = await renderExport(take, rate, opts({ format, normalize: { kind: 'peak', dbfs: -1 } }));
      expect(Math.abs(peakDb(decodeWav(out.bytes).channels[0]) + 1)).toBeLessThan(0.01);
      expect(Math.abs(out.peakDbfs + 1)).toBeLessThan(0.001);
      expect(out.gainDb).toBeGreaterThan(18.9); // 0.1 → ≈0.891: +19 dB
      expect(out.limited).toBe(false);
    }
  });

  it('loudness-normalises a −30 LUFS sine to −23 LUFS', async () => {
    const take = sine(997, 10 ** (-27 / 20), 16000 * 2, 16000); // 0.0447 peak ≈ −30.0 LUFS
    const measuredIn = integratedLoudness([take], 16000);
    expect(Math.abs(measuredIn + 30)).toBeLessThan(0.1);
    const out = await renderExport(take, 16000, opts({ format: 'pcm24', normalize: { kind: 'loudness', lufs: -23 } }));
    const y = decodeWav(out.bytes).channels[0];
    expect(Math.abs(integratedLoudness([y], 48000) + 23)).toBeLessThan(0.1);
    expect(Math.abs(out.lufs + 23)).toBeLessThan(0.1);
    expect(out.gainDb).toBeCloseTo(7, 1);
    expect(out.limited).toBe(false);
  });

  it('holds the gain at the −1 dBFS ceiling when the loudness target would need more, and says so', async () => {
    const take = sine(997, 10 ** (-27 / 20), 48000 * 3, 48000); // ≈ −30 LUFS, peak −27 dBFS
    const out = await renderExport(take, 48000, opts({ normalize: { kind: 'loudness', lufs: -2 } }));
    expect(out.limited).toBe(true);
    expect(PEAK_CEILING_DBFS).toBe(-1);
    expect(Math.abs(out.peakDbfs + 1)).toBeLessThan(0.001);
    expect(out.gainDb).toBeCloseTo(26, 3);
    expect(Math.abs(out.lufs + 4.01)).toBeLessThan(0.05); // −30.01 + 26
  });

  it('decodes back to the same values within quantisation: 16-bit, 24-bit, 32-bit float', async () => {
    const take = sine(1234, 0.9, 4800, 48000);
    const within: Record<string, number> = { pcm16: 0.5 / 32768 + 1e-9, pcm24: 0.5 / 8388608 + 1e-9, float32: 0 };
    for (const format of ['pcm16', 'pcm24', 'float32'] as const) {
      const wav = decodeWav((await renderExport(take, 48000, opts({ format }))).bytes);
      expect(wav.format).toBe(format);
      let err = 0;
      for (let i = 0; i < take.length; i++) err = Math.max(err, Math.abs(wav.channels[0][i] - take[i]));
      expect(err).toBeLessThanOrEqual(within[format]);
    }
  });

  it('counts what 16/24-bit PCM had to clip (never silently); float32 keeps it', async () => {
    const take = Float32Array.of(0, 1.5, -1.25, 0.5, 1);
    const pcm = await renderExport(take, 48000, opts({ format: 'pcm16' }));
    expect(pcm.clippedSamples).toBe(2);
    const float = await renderExport(take, 48000, opts({ format: 'float32' }));
    expect(float.clippedSamples).toBe(0);
    expect(decodeWav(float.bytes).channels[0][1]).toBe(1.5);
  });

  it('leaves silence alone: no gain, −Infinity peak and loudness', async () => {
    const out = await renderExport(new Float32Array(48000), 48000, opts({ normalize: { kind: 'loudness', lufs: -14 } }));
    expect([out.gainDb, out.peakDbfs, out.lufs, out.limited]).toEqual([0, -Infinity, -Infinity, false]);
  });

  it('produces identical bytes on every run (resample, fades, loudness, 24-bit)', async () => {
    const take = sine(321, 0.3, 16000, 16000);
    const o = opts({ format: 'pcm24', fadeInMs: 50, fadeOutMs: 50, normalize: { kind: 'loudness', lufs: -18 } });
    const a = await renderExport(take, 16000, o, { start: 0.1, end: 0.5 });
    const b = await renderExport(take, 16000, o, { start: 0.1, end: 0.5 });
    expect(Buffer.from(a.bytes).equals(Buffer.from(b.bytes))).toBe(true);
    expect(a.bytes.length).toBe(44 + 19200 * 3);
  });

  it('trims silence before the sound and after it, keeping a 5 ms lead and a 20 ms tail; nothing when off', async () => {
    // 0.3 s of silence, 0.5 s of tone, 0.4 s of a −70 dB hiss (below −60 dB from the peak), 0.1 s silence.
    const rate = 16000;
    const take = new Float32Array(Math.round(1.3 * rate));
    take.set(sine(440, 0.5, 0.5 * rate, rate), 0.3 * rate);
    for (let i = 0.8 * rate; i < 1.2 * rate; i++) take[i] = 0.5 * 10 ** (-70 / 20) * (i % 2 ? 1 : -1);
    const [start, end] = soundBounds(take, rate, 0, take.length);
    expect(start).toBe(0.3 * rate + 1 - 80); // sin(0) = 0: the sound's first non-zero sample, less 5 ms
    expect(end).toBeGreaterThan(0.8 * rate - 10);
    expect(end).toBeLessThanOrEqual(0.8 * rate + 320);
    const trimmed = await renderExport(take, rate, opts({ sampleRate: 16000, trimSilence: true }));
    expect(trimmed.frames).toBe(end - start);
    expect((await renderExport(take, rate, opts({ sampleRate: 16000 }))).frames).toBe(take.length);
    // Within a region, the region's own silence is what goes.
    expect(soundBounds(take, rate, 0.2 * rate, 0.5 * rate)).toEqual([0.3 * rate + 1 - 80, 0.5 * rate]);
    // A silent span stays whole.
    expect(soundBounds(new Float32Array(100), rate, 10, 90)).toEqual([10, 90]);
  });

  it('high-pass option: a take with a DC offset exports centred on 0, and the fades still end on 0', async () => {
    const rate = 16000;
    const take = sine(1000, 0.3, rate, rate).map((v) => v + 0.2);
    const mean = (x: Float32Array) => x.reduce((s, v) => s + v, 0) / x.length;
    const plain = decodeWav((await renderExport(take, rate, opts({ fadeInMs: 5, fadeOutMs: 5 }))).bytes).channels[0];
    const filtered = decodeWav((await renderExport(take, rate, opts({ fadeInMs: 5, fadeOutMs: 5, highPass: true }))).bytes).channels[0];
    expect(mean(plain)).toBeGreaterThan(0.19);
    expect(Math.abs(mean(filtered))).toBeLessThan(0.005);
    expect(filtered[0]).toBe(0);
    expect(Math.abs(filtered[filtered.length - 1])).toBe(0);
  });

  it('rejects bad options with the field named', async () => {
    const take = new Float32Array(100);
    expect((await rejection(renderExport(take, 48000, opts({ fadeInMs: -1 })))).field).toBe('fadeInMs');
    expect((await rejection(renderExport(take, 48000, opts({ format: 'mp3' as 'pcm16' })))).field).toBe('format');
    take[3] = 0.5;
    expect((await rejection(renderExport(take, 48000, opts({ normalize: { kind: 'peak', dbfs: 3 } })))).field).toBe('normalize.dbfs');
  });
});
