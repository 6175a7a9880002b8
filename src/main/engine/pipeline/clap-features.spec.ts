import { describe, expect, it } from 'vitest';
import { AUDIOLDM2_CLAP_AUDIO, clapAudioFeatures, fitClapLength, rankByClap } from './clap-features.ts';

const CFG = AUDIOLDM2_CLAP_AUDIO;
const tone = (n: number, rate: number, hz: number, amp: number): Float32Array => Float32Array.from({ length: n }, (_, i) => amp * Math.sin((2 * Math.PI * hz * i) / rate));

describe('fitClapLength', () => {
  it('keeps an exact-length clip', () => {
    const x = Float32Array.from({ length: 480000 }, (_, i) => i % 5);
    const y = fitClapLength(x, 480000);
    expect(y === x).toBe(false); // a copy (not.toBe would deep-compare 480000 values for its message)
    expect(Buffer.from(y.buffer).equals(Buffer.from(x.buffer))).toBe(true);
  });

  it('crops longer clips at the centre', () => {
    // 600000 samples: first half +0.1, second half −0.1 → window 60000..540000, split in its middle.
    const x = Float32Array.from({ length: 600000 }, (_, i) => (i < 300000 ? 0.1 : -0.1));
    x[60000] = 7; // first sample of the centred window
    x[539999] = 9; // last sample of the centred window
    const y = fitClapLength(x, 480000);
    expect(y.length).toBe(480000);
    expect(y[0]).toBe(7);
    expect(y[479999]).toBe(9);
    expect(y[239999]).toBe(Math.fround(0.1));
    expect(y[240000]).toBe(Math.fround(-0.1));
    // odd excess: ⌊(480001 − 480000)/2⌋ = 0
    const odd = Float32Array.from({ length: 480001 }, (_, i) => i);
    expect(fitClapLength(odd, 480000)[0]).toBe(0);
  });

  it('repeat-pads shorter clips: ⌊max/len⌋ whole copies, then zeros', () => {
    const x = Float32Array.from({ length: 130000 }, (_, i) => 1 + (i % 1000));
    const y = fitClapLength(x, 480000);
    expect(y.length).toBe(480000);
    for (const start of [0, 130000, 260000]) {
      expect(y[start]).toBe(1);
      expect(y[start + 129999]).toBe(x[129999]);
    }
    expect(y.subarray(390000).every((v) => v === 0)).toBe(true);
    expect(() => fitClapLength(new Float32Array(0), 480000)).toThrow(/empty/);
  });
});

describe('clapAudioFeatures', () => {
  it.each([
    ['1 s (repeat-padded)', 16000],
    ['10 s (exact after 16 → 48 kHz)', 160000],
    ['12 s (centre-cropped)', 192000],
    ['10.24 s (the default AudioLDM 2 length)', 163840],
  ])('%s → 1001 × 64', (_label, n) => {
    const f = clapAudioFeatures(tone(n, 16000, 440, 0.3), 16000, CFG);
    expect(f.length).toBe(1001 * 64);
    expect(f.every(Number.isFinite)).toBe(true);
  });

  it('matches a NumPy re-implementation of the extractor on a 48 kHz clip', () => {
    // 0.5·sin(1 kHz) + 0.1·sin(5 kHz), 480000 samples at 48 kHz; reference values from NumPy
    // (reflect pad, periodic Hann, |rfft|², librosa Slaney bank, 10·log10(max(·, 1e−10))).
    const n = 480000;
    const x = Float32Array.from({ length: n }, (_, i) => 0.5 * Math.sin((2 * Math.PI * 1000 * i) / 48000) + 0.1 * Math.sin((2 * Math.PI * 5000 * i) / 48000));
    const f = clapAudioFeatures(x, 48000, CFG);
    const row = (t: number): number[] => Array.from(f.subarray(t * 64, (t + 1) * 64));
    const mid = row(500);
    expect(mid.indexOf(Math.max(...mid))).toBe(17);
    expect(mid[17]).toBeCloseTo(23.270435083133194, 3);
    expect(mid[0]).toBeCloseTo(-68.81448286281596, 1);
    expect(row(0)[15]).toBeCloseTo(19.601302873114886, 3);
    expect(row(1000)[16]).toBeCloseTo(20.00974831372984, 3);
    expect(Math.min(...mid)).toBeGreaterThanOrEqual(-100);
  });

  it('silence sits on the −100 dB floor', () => {
    const f = clapAudioFeatures(new Float32Array(16000), 16000, CFG);
    expect(f.every((v) => v === -100)).toBe(true);
  });

  it('the centre crop is what gets analysed: a 1 kHz → 3 kHz clip switches in the middle frame', () => {
    // 14 s at 16 kHz: 1 kHz for the first 7 s, 3 kHz after. The centred 10 s window holds 5 s of
    // each, so the switch lands on frame 500 of 1001 (a left crop would put it at 700).
    const n = 14 * 16000;
    const x = Float32Array.from({ length: n }, (_, i) => (i < n / 2 ? 0.5 * Math.sin((2 * Math.PI * 1000 * i) / 16000) : 0.5 * Math.sin((2 * Math.PI * 3000 * i) / 16000)));
    const f = clapAudioFeatures(x, 16000, CFG);
    let lowFrames = 0;
    for (let t = 0; t < 1001; t++) {
      const r = Array.from(f.subarray(t * 64, (t + 1) * 64));
      if (r.indexOf(Math.max(...r)) < 25) lowFrames++; // 1 kHz peaks near mel 17, 3 kHz near 33
    }
    expect(Math.abs(lowFrames - 500)).toBeLessThanOrEqual(2);
  });
});

describe('rankByClap', () => {
  const text = Float32Array.of(1, 0, 0);
  it('orders by cosine · logitScale, best first', () => {
    const audio = [Float32Array.of(0, 1, 0), Float32Array.of(0.6, 0.8, 0), Float32Array.of(1, 0, 0), Float32Array.of(-1, 0, 0)];
    const r = rankByClap(text, audio, 10);
    expect(r.map((x) => x.index)).toEqual([2, 1, 0, 3]);
    expect(r.map((x) => x.score)).toEqual([10, expect.closeTo(6, 6), 0, -10]);
  });

  it('normalises defensively and keeps input order on ties', () => {
    const audio = [Float32Array.of(0, 3, 4), Float32Array.of(5, 0, 0), Float32Array.of(0, 0, 2), Float32Array.of(0.5, 0, 0)];
    const r = rankByClap(Float32Array.of(2, 0, 0), audio, 1);
    expect(r.map((x) => x.index)).toEqual([1, 3, 0, 2]);
    expect(r[0].score).toBeCloseTo(1, 12);
    expect(r[1].score).toBeCloseTo(1, 12);
  });

  it('rejects mismatched or degenerate inputs', () => {
    expect(() => rankByClap(text, [Float32Array.of(1, 0)], 1)).toThrow(/2 values/);
    expect(() => rankByClap(text, [new Float32Array(3)], 1)).toThrow(/audio embedding 0/);
    expect(() => rankByClap(text, [text], 0)).toThrow(/logitScale/);
    expect(rankByClap(text, [], 1)).toEqual([]);
  });
});
