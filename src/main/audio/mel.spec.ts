import { describe, expect, it } from 'vitest';
import { applyMelFilterBank, hzToMelSlaney, logClamp, melFilterBank, melFrequencies, melToHzSlaney, periodicHann, powerToDb, stft } from './mel.ts';

interface BankStats {
  total: number;
  max: number;
  argmax: [number, number];
  rowSums: number[];
  nonZero: (row: number) => [number, number];
}

function stats(bank: Float32Array, nMels: number, bins: number): BankStats {
  let total = 0;
  let max = -1;
  let argmax: [number, number] = [0, 0];
  const rowSums: number[] = [];
  for (let m = 0; m < nMels; m++) {
    let s = 0;
    for (let k = 0; k < bins; k++) {
      const v = bank[m * bins + k];
      s += v;
      if (v > max) {
        max = v;
        argmax = [m, k];
      }
    }
    rowSums.push(s);
    total += s;
  }
  const nonZero = (row: number): [number, number] => {
    const r = Array.from(bank.subarray(row * bins, (row + 1) * bins));
    const first = r.findIndex((v) => v > 0);
    return [first, r.length - 1 - [...r].reverse().findIndex((v) => v > 0)];
  };
  return { total, max, argmax, rowSums, nonZero };
}

describe('periodicHann (docs/engine-spec.md §8.6)', () => {
  it('Hann(1024)', () => {
    const w = periodicHann(1024);
    expect(w[0]).toBe(0);
    expect(w[1]).toBeCloseTo(9.4123587e-6, 13);
    expect(w[512]).toBe(1);
    expect(w.reduce((a, b) => a + b, 0)).toBeCloseTo(512, 10);
    expect(w[1023]).toBeCloseTo(w[1], 15); // periodic: symmetric about n/2, not (n−1)/2
  });
});

describe('Slaney mel scale', () => {
  it('is linear below 1 kHz and logarithmic above, and round-trips', () => {
    expect(hzToMelSlaney(1000)).toBeCloseTo(15, 12);
    expect(hzToMelSlaney(200 / 3)).toBeCloseTo(1, 12);
    expect(hzToMelSlaney(6400)).toBeCloseTo(42, 12); // 15 + 27 mels per factor 6.4
    for (const hz of [0, 50, 999, 1000, 4321, 14000, 24000]) expect(melToHzSlaney(hzToMelSlaney(hz))).toBeCloseTo(hz, 8);
  });

  it('centre frequencies of the 16 kHz bank (docs/engine-spec.md §8.6)', () => {
    const f = melFrequencies(66, 0, 8000);
    expect(f[1]).toBeCloseTo(46.4058, 4);
    expect(f[2]).toBeCloseTo(92.8116, 4);
    expect(f[3]).toBeCloseTo(139.2174, 4);
    expect(f[64]).toBeCloseTo(7626.159, 3);
    expect(f[65]).toBeCloseTo(8000, 9);
  });
});

describe('melFilterBank = librosa.filters.mel, Slaney scale + norm (docs/engine-spec.md §8.6)', () => {
  it('AudioLDM 2 16 kHz: 64 × 513, 0–8000 Hz', () => {
    const bank = melFilterBank({ sampleRate: 16000, nFft: 1024, nMels: 64, fMin: 0, fMax: 8000 });
    expect(bank.length).toBe(64 * 513);
    const want = [0.0072556408, 0.0145112816, 0.0213311519, 0.0140755121, 0.0068198703];
    want.forEach((v, i) => expect(bank[1 + i]).toBeCloseTo(v, 9));
    expect(bank[0]).toBe(0);
    expect(bank[6]).toBe(0);
    const s = stats(bank, 64, 513);
    expect(s.max).toBeCloseTo(0.02133115, 8);
    expect(s.argmax).toEqual([0, 3]);
    expect(s.rowSums[0]).toBeCloseTo(0.06399345, 7);
    expect(Math.min(...s.rowSums)).toBeCloseTo(0.06323287, 7);
    expect(s.rowSums.indexOf(Math.min(...s.rowSums))).toBe(24);
    expect(Math.max(...s.rowSums)).toBeCloseTo(0.06513735, 8);
    expect(s.rowSums.indexOf(Math.max(...s.rowSums))).toBe(23);
    expect(s.nonZero(0)).toEqual([1, 5]);
    expect(s.nonZero(63)).toEqual([466, 511]);
    for (let m = 0; m < 64; m++) {
      expect(bank[m * 513]).toBe(0);
      expect(bank[m * 513 + 512]).toBe(0);
    }
    expect(s.total).toBeCloseTo(4.09588003, 6);
  });

  it('CLAP feature extractor: 48 kHz, n_fft 1024, 64 mels, 50–14000 Hz', () => {
    const bank = melFilterBank({ sampleRate: 48000, nFft: 1024, nMels: 64, fMin: 50, fMax: 14000 });
    expect(bank[2]).toBeCloseTo(0.0150118135, 9);
    expect(bank[3]).toBeCloseTo(0.0059514851, 9);
    const s = stats(bank, 64, 513);
    expect(s.nonZero(0)).toEqual([2, 3]);
    expect(s.total).toBeCloseTo(1.36443281, 6);
    expect(s.max).toBeCloseTo(0.01814952, 8);
    expect(s.argmax).toEqual([5, 8]);
    expect(s.nonZero(63)).toEqual([268, 298]);
  });

  it('48 kHz model: 256 × 1025, 20–24000 Hz', () => {
    const bank = melFilterBank({ sampleRate: 48000, nFft: 2048, nMels: 256, fMin: 20, fMax: 24000 });
    expect(bank.length).toBe(256 * 1025);
    expect(bank[1]).toBeCloseTo(0.0137625784, 9);
    expect(bank[2]).toBeCloseTo(0.0189506114, 9);
    const s = stats(bank, 256, 1025);
    expect(s.total).toBeCloseTo(10.91697407, 5);
    expect(s.max).toBeCloseTo(0.06242332, 8);
    expect(s.argmax).toEqual([17, 13]);
  });

  it('rejects impossible ranges', () => {
    expect(() => melFilterBank({ sampleRate: 16000, nFft: 1024, nMels: 64, fMin: 0, fMax: 9000 })).toThrow(RangeError);
  });
});

describe('stft', () => {
  it('centred frames: 1 + ⌊n/hop⌋, reflect-padded at the edges', () => {
    const x = Float32Array.from({ length: 1000 }, (_, i) => Math.sin(i * 0.05) + (i % 7) / 10);
    const spec = stft(x, { nFft: 256, hop: 100, power: 2 });
    expect(spec.frames).toBe(11);
    expect(spec.bins).toBe(129);
    // Frame 0 by hand: samples −128..127 with x[−j] = x[j]; bin 5.
    const w = periodicHann(256);
    let re = 0;
    let im = 0;
    for (let k = 0; k < 256; k++) {
      const v = x[Math.abs(k - 128)] * w[k];
      re += v * Math.cos((2 * Math.PI * 5 * k) / 256);
      im -= v * Math.sin((2 * Math.PI * 5 * k) / 256);
    }
    expect(spec.data[5]).toBeCloseTo(re * re + im * im, 3);
    const mag = stft(x, { nFft: 256, hop: 100, power: 1 });
    expect(mag.data[5]).toBeCloseTo(Math.sqrt(spec.data[5]), 4);
  });

  it('constant padding and center=false', () => {
    const x = Float32Array.from({ length: 512 }, () => 1);
    const zeroPad = stft(x, { nFft: 256, hop: 128, power: 1, padMode: 'constant' });
    const reflected = stft(x, { nFft: 256, hop: 128, power: 1 });
    expect(reflected.data[0]).toBeCloseTo(128, 9); // DC of a full Hann window on ones = Σw
    expect(zeroPad.data[0]).toBeCloseTo(64.5, 9); // only w[128..255] sees ones: 64 + w[128]/2
    const plain = stft(x, { nFft: 256, hop: 128, power: 1, center: false });
    expect(plain.frames).toBe(3);
    expect(plain.data[0]).toBeCloseTo(128, 9);
  });

  it('whole chain (docs/engine-spec.md §8.6): 1 s 1 kHz sine at 0.5 → 101 frames, middle frame peaks in mel bin 21 ≈ 1.041084', () => {
    const x = Float32Array.from({ length: 16000 }, (_, n) => 0.5 * Math.sin((2 * Math.PI * 1000 * n) / 16000));
    const bank = melFilterBank({ sampleRate: 16000, nFft: 1024, nMels: 64, fMin: 0, fMax: 8000 });
    const spec = stft(x, { nFft: 1024, hop: 160, power: 1 });
    expect(spec.frames).toBe(101);
    const logMel = logClamp(applyMelFilterBank(spec, bank, 64), 1e-5);
    const middle = Array.from(logMel.subarray(50 * 64, 51 * 64));
    const peak = Math.max(...middle);
    expect(middle.indexOf(peak)).toBe(21);
    expect(peak).toBeCloseTo(1.041084, 5);

    const silence = logClamp(applyMelFilterBank(stft(new Float32Array(16000), { nFft: 1024, hop: 160, power: 1 }), bank, 64), 1e-5);
    expect(silence.every((v) => v === Math.fround(Math.log(1e-5)))).toBe(true);
    expect(silence[0]).toBeCloseTo(-11.512925, 6);
  });

  it('powerToDb floors at 1e-10 → −100 dB', () => {
    expect(Array.from(powerToDb(Float32Array.of(0, 1, 100)))).toEqual([-100, 0, 20]);
  });

  it('a 60 s clip gives 6001 frames × 64 mels at both rates (its speed is in npm run bench:audio)', () => {
    const x16 = Float32Array.from({ length: 60 * 16000 }, (_, n) => Math.sin(n * 0.01));
    const bank16 = melFilterBank({ sampleRate: 16000, nFft: 1024, nMels: 64, fMin: 0, fMax: 8000 });
    expect(applyMelFilterBank(stft(x16, { nFft: 1024, hop: 160, power: 1 }), bank16, 64).length).toBe(6001 * 64);
    const x48 = Float32Array.from({ length: 60 * 48000 }, (_, n) => Math.sin(n * 0.01));
    const bank48 = melFilterBank({ sampleRate: 48000, nFft: 1024, nMels: 64, fMin: 50, fMax: 14000 });
    expect(applyMelFilterBank(stft(x48, { nFft: 1024, hop: 480, power: 2 }), bank48, 64).length).toBe(6001 * 64);
  });
});
