import { describe, expect, it } from 'vitest';
import { renderingText } from './rendering-text.ts';

describe('renderingText', () => {
  it('names the region, rate, depth, normalisation and fades', () => {
    expect(renderingText({ takeId: 't', region: { start: 0.5, end: 1.25 }, sampleRate: 48000, format: 'pcm24', normalize: { kind: 'peak', dbfs: -1 }, fadeInMs: 5, fadeOutMs: 5 }))
      .toBe('region 0.5–1.25 s, 48 kHz 24-bit, peak −1 dBFS, fades 5 / 5 ms');
  });

  it('leaves out what was not done: whole take, no normalisation, no fades', () => {
    expect(renderingText({ takeId: 't', sampleRate: 44100, format: 'float32', normalize: { kind: 'none' }, fadeInMs: 0, fadeOutMs: 0 })).toBe('44.1 kHz 32-bit float');
    expect(renderingText({ takeId: 't', sampleRate: 16000, format: 'pcm16', normalize: { kind: 'loudness', lufs: -23 }, fadeInMs: 0, fadeOutMs: 10 })).toBe('16 kHz 16-bit, −23 LUFS, fades 0 / 10 ms');
  });

  it('says when silence was trimmed', () => {
    expect(renderingText({ takeId: 't', trimSilence: true, sampleRate: 48000, format: 'pcm24', normalize: { kind: 'none' }, fadeInMs: 0, fadeOutMs: 5 })).toBe('silence trimmed, 48 kHz 24-bit, fades 0 / 5 ms');
  });
});
