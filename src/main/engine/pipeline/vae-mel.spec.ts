import { describe, expect, it } from 'vitest';
import { melFilterBank, melFrequencies } from '../../audio/mel.ts';
import { fitMelFrames, normaliseForVae, vaeLogMel, VAE_MEL_FLOOR } from './vae-mel.ts';

const config = { sampleRate: 16000, hopLength: 160, melBins: 64 };

describe('VAE mel front-end (docs/engine-spec.md §4.1)', () => {
  it('has floor(n/160) + 1 frames of 64 bins; silence is ln(1e-5) = −11.5129', () => {
    const mel = vaeLogMel(new Float32Array(16000), config);
    expect(mel.frames).toBe(101);
    expect(mel.data.length).toBe(101 * 64);
    for (const v of mel.data) expect(v).toBeCloseTo(-11.512925, 5);
    expect(vaeLogMel(new Float32Array(16159), config).frames).toBe(101);
    expect(vaeLogMel(new Float32Array(16160), config).frames).toBe(102);
  });

  it('puts a 1 kHz tone in the mel band whose centre is nearest 1 kHz, at the magnitude the window predicts', () => {
    const n = 16000;
    const x = new Float32Array(n);
    for (let i = 0; i < n; i++) x[i] = 0.5 * Math.sin((2 * Math.PI * 1000 * i) / 16000);
    const mel = vaeLogMel(x, config);
    const centres = melFrequencies(66, 0, 8000).slice(1, 65);
    let nearest = 0;
    for (let m = 1; m < 64; m++) if (Math.abs(centres[m] - 1000) < Math.abs(centres[nearest] - 1000)) nearest = m;
    const frame = 50;
    const row = mel.data.subarray(frame * 64, frame * 64 + 64);
    const loudest = row.indexOf(Math.max(...row));
    expect(Math.abs(loudest - nearest)).toBeLessThanOrEqual(1);
    // Bin 64 is exactly 1 kHz. The periodic Hann's spectrum is 0.5 at the tone's bin and 0.25 at
    // each neighbour, times A·N/2 = 0.5·1024/2: |X| = 128, 64, 64 and zero elsewhere.
    const bank = melFilterBank({ sampleRate: 16000, nFft: 1024, nMels: 64, fMin: 0, fMax: 8000 });
    const w = (k: number) => bank[loudest * 513 + k];
    expect(row[loudest]).toBeCloseTo(Math.log(64 * w(63) + 128 * w(64) + 64 * w(65)), 4);
  });

  it('pads with silence, not zeros, and cuts to the asked frames', () => {
    const mel = vaeLogMel(new Float32Array(1600), config); // 11 frames
    const padded = fitMelFrames(mel, 16, 64);
    expect(padded.length).toBe(16 * 64);
    expect(Array.from(padded.subarray(11 * 64))).toEqual(new Array(5 * 64).fill(Math.fround(Math.log(VAE_MEL_FLOOR))));
    expect(fitMelFrames(mel, 4, 64)).toEqual(mel.data.subarray(0, 4 * 64));
  });

  it('normalises like read_wav_file: DC removed, peak 0.5, and reports the gain', () => {
    const x = Float32Array.from([0.1, 0.3, 0.2, -0.1]); // mean 0.125
    const { samples, gain } = normaliseForVae(x);
    expect(Math.max(...samples.map(Math.abs))).toBeCloseTo(0.5, 6);
    expect(gain).toBeCloseTo(0.5 / 0.225, 6);
    expect(samples.reduce((a, b) => a + b, 0)).toBeCloseTo(0, 6);
    expect(normaliseForVae(new Float32Array(8)).gain).toBe(1);
  });
});
