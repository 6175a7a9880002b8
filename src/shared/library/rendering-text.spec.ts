import { describe, expect, it } from 'vitest';
import { renderingText, resultText } from './rendering-text.ts';

describe('renderingText', () => {
  it('names the region, rate, depth, normalisation and fades', () => {
    expect(renderingText({ takeId: 't', region: { start: 0.5, end: 1.25 }, sampleRate: 48000, format: 'pcm24', normalize: { kind: 'peak', dbfs: -1 }, fadeInMs: 5, fadeOutMs: 5 })).toBe(
      'region 0.5–1.25 s, 48 kHz 24-bit, peak −1 dBFS, fades 5 / 5 ms',
    );
  });

  it('leaves out what was not done: whole take, no normalisation, no fades', () => {
    expect(renderingText({ takeId: 't', sampleRate: 44100, format: 'float32', normalize: { kind: 'none' }, fadeInMs: 0, fadeOutMs: 0 })).toBe('44.1 kHz 32-bit float');
    expect(renderingText({ takeId: 't', sampleRate: 16000, format: 'pcm16', normalize: { kind: 'loudness', lufs: -23 }, fadeInMs: 0, fadeOutMs: 10 })).toBe('16 kHz 16-bit, −23 LUFS, fades 0 / 10 ms');
  });

  it('says when silence was trimmed', () => {
    expect(renderingText({ takeId: 't', trimSilence: true, sampleRate: 48000, format: 'pcm24', normalize: { kind: 'none' }, fadeInMs: 0, fadeOutMs: 5 })).toBe(
      'silence trimmed, 48 kHz 24-bit, fades 0 / 5 ms',
    );
  });

  it('says a loop take was rendered as a seamless loop without fades', () => {
    expect(renderingText({ takeId: 't', loop: true, sampleRate: 48000, format: 'pcm24', normalize: { kind: 'none' }, fadeInMs: 0, fadeOutMs: 0 })).toBe('seamless loop, 48 kHz 24-bit, no fades');
  });

  it('says what the export reached, and when the peak ceiling kept a loudness target from being reached', () => {
    const base = { takeId: 't', sampleRate: 48000, format: 'pcm24', normalize: { kind: 'loudness', lufs: -23 }, fadeInMs: 0, fadeOutMs: 5 } as const;
    expect(renderingText({ ...base, result: { lufs: -36.83, peakDbfs: -1, gainDb: 12.5, limited: true, ceilingDbfs: -1 } })).toBe(
      '48 kHz 24-bit, −23 LUFS, fades 0 / 5 ms; reached −36.8 LUFS, peak −1 dBFS; loudness target not reached: the −1 dBFS peak ceiling limited the gain',
    );
    expect(resultText({ lufs: -23.004, peakDbfs: -7.25, gainDb: 3, limited: false, ceilingDbfs: -1 })).toBe('reached −23 LUFS, peak −7.3 dBFS');
    expect(resultText({ lufs: null, peakDbfs: null, gainDb: 0, limited: false, ceilingDbfs: -1 })).toBe('silent');
  });
});
