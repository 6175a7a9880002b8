import { describe, expect, it } from 'vitest';
import { decodePeaks, encodePeaks } from '../library/peaks-blob.ts';
import { packPeaks, unpackPeaks } from './peaks-wire.ts';
import { encodeServerMessage, parseServerMessage } from './rpc.ts';

/** Min/max pairs the way computePeaks makes them: a decaying noise envelope, some beyond full scale. */
function envelope(pairs: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < pairs; i++) {
    const level = 1.3 * Math.exp((-4 * i) / pairs) * (0.5 + 0.5 * Math.abs(Math.sin(i * 1.7)));
    out.push(-level * 0.9, level);
  }
  return out;
}

describe('peaks on the browser-mode wire', () => {
  it('carries exactly the values the library stores, in a string a fraction of the JSON numbers', () => {
    const peaks = envelope(2000);
    const packed = packPeaks(peaks);
    expect(unpackPeaks(packed)).toEqual(decodePeaks(encodePeaks(peaks)));
    // 4 000 bytes as base64: 5 336 characters; the same peaks as JSON numbers are over 60 000.
    expect(packed.i8).toHaveLength(5336);
    expect(JSON.stringify(decodePeaks(encodePeaks(peaks))).length).toBeGreaterThan(60_000);
  });

  it('packs every take and reference peaks in answers and events, and the page reads them back as numbers', () => {
    const stored = decodePeaks(encodePeaks(envelope(300)));
    const takes = [
      { id: 'a', peaks: stored, params: { prompt: 'glass' } },
      { id: 'b', peaks: [], params: { prompt: 'door' } },
    ];
    const answer = encodeServerMessage({ id: 4, ok: true, result: takes });
    expect(answer).not.toContain(String(stored[1]));
    expect(parseServerMessage(answer)).toEqual({ id: 4, ok: true, result: takes });

    const event = encodeServerMessage({ event: { type: 'take', take: takes[0] } as never });
    expect(parseServerMessage(event)).toEqual({ event: { type: 'take', take: takes[0] } });
  });

  it('decodes a take peaks once, when first read, and lets them be replaced', () => {
    const stored = decodePeaks(encodePeaks(envelope(50)));
    const take = (parseServerMessage(encodeServerMessage({ id: 1, ok: true, result: { id: 'a', peaks: stored } })) as { result: { peaks: number[] } }).result;
    expect(Object.getOwnPropertyDescriptor(take, 'peaks')?.get).toBeTypeOf('function');
    const first = take.peaks;
    expect(first).toEqual(stored);
    expect(take.peaks).toBe(first);
    expect(Object.getOwnPropertyDescriptor(take, 'peaks')?.value).toBe(first);
    expect({ ...take }).toEqual({ id: 'a', peaks: stored });
    take.peaks = [0, 1];
    expect(take.peaks).toEqual([0, 1]);
  });

  it('leaves anything else called peaks alone', () => {
    const odd = { id: 1, ok: true as const, result: { peaks: [0.5], other: { peaks: 'text' }, more: { peaks: [1, 'x'] } } };
    expect(parseServerMessage(encodeServerMessage(odd))).toEqual(odd);
  });
});
