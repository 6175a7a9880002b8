import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeWav, encodeWav, listWavChunks } from './wav.ts';
import { cueChunks, markersAtFrames, readCueMarkers } from './wav-cues.ts';

const dir = mkdtempSync(join(tmpdir(), 'loa-wav-cues-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const tone = Float32Array.from({ length: 4001 }, (_, i) => 0.25 * Math.sin(i / 9));

describe('cue markers', () => {
  it('round-trip with their names (odd lengths padded, UTF-8 kept) after the other chunks', () => {
    const markers = [
      { frame: 0, label: 'from' },
      { frame: 2500, label: 'seam ☔' },
      { frame: 4001, label: 'end' },
    ];
    const bytes = encodeWav([tone], 16000, 'pcm16', { chunks: cueChunks(markers) });
    expect(listWavChunks(bytes).map((c) => c.id)).toEqual(['fmt ', 'data', 'cue ', 'LIST']);
    expect(readCueMarkers(bytes)).toEqual(markers);
    // 4 + 24 per point; the adtl list: 'adtl' + one labl per marker.
    expect(listWavChunks(bytes)[2].body.length).toBe(4 + 24 * 3);
    expect(decodeWav(bytes).channels[0]).toEqual(decodeWav(encodeWav([tone], 16000, 'pcm16')).channels[0]);
  });

  it('leave the file valid for sox, which reads its length and samples as before', () => {
    const path = join(dir, 'cued.wav');
    writeFileSync(path, encodeWav([tone], 16000, 'float32', { chunks: cueChunks([{ frame: 1000, label: 'seam' }]) }));
    expect(execFileSync('sox', ['--i', '-s', path]).toString().trim()).toBe('4001');
    expect(execFileSync('sox', ['--i', '-r', path]).toString().trim()).toBe('16000');
  });

  it('are none for a file without a cue chunk, and none are written for no markers', () => {
    expect(readCueMarkers(encodeWav([tone], 16000, 'float32'))).toEqual([]);
    expect(cueChunks([])).toEqual([]);
  });

  it('refuse a frame that is not a whole number ≥ 0', () => {
    expect(() => cueChunks([{ frame: -1, label: 'x' }])).toThrow(RangeError);
    expect(() => cueChunks([{ frame: 1.5, label: 'x' }])).toThrow(RangeError);
  });

  it('are placed from seconds at the take rate, rounded and kept inside the take', () => {
    expect(
      markersAtFrames(
        [
          { at: 0.50003, label: 'a' },
          { at: 9, label: 'b' },
          { at: -0.1, label: 'c' },
        ],
        16000,
        40000,
      ),
    ).toEqual([
      { frame: 8000, label: 'a' },
      { frame: 40000, label: 'b' },
      { frame: 0, label: 'c' },
    ]);
  });
});
