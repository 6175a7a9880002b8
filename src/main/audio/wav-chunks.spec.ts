import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeWav, encodeWav, listWavChunks, readSmplLoops } from './wav.ts';

const dir = mkdtempSync(join(tmpdir(), 'loa-wav-chunks-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const tone = Float32Array.from({ length: 1001 }, (_, i) => 0.5 * Math.sin(i / 9));

describe('WAV metadata chunks', () => {
  it('writes a smpl chunk with one forward, endless loop that reads back exactly', () => {
    const bytes = encodeWav([tone], 16000, 'pcm16', { loop: { start: 0, end: 1000 } });
    expect(listWavChunks(bytes).map((c) => c.id)).toEqual(['fmt ', 'data', 'smpl']);
    const smpl = listWavChunks(bytes).find((c) => c.id === 'smpl')!;
    expect(smpl.body.length).toBe(60);
    const v = new DataView(smpl.body.buffer, smpl.body.byteOffset);
    expect(v.getUint32(8, true)).toBe(62500); // sample period in ns at 16 kHz
    expect(v.getUint32(12, true)).toBe(60);
    expect(readSmplLoops(bytes)).toEqual([{ type: 0, start: 0, end: 1000, playCount: 0 }]);
    // the odd-sized data chunk (2002 bytes is even; 1001 pcm16 frames) and the audio are intact
    expect(Array.from(decodeWav(bytes).channels[0].subarray(0, 5))).toEqual(Array.from(decodeWav(encodeWav([tone], 16000, 'pcm16')).channels[0].subarray(0, 5)));
  });

  it('pads odd-sized chunks and keeps the file valid for an independent reader (sox)', () => {
    const odd = { id: 'LOAx', body: new TextEncoder().encode('odd') };
    const bytes = encodeWav([tone], 16000, 'pcm24', { loop: { start: 10, end: 900 }, chunks: [odd] }); // 3003 data bytes: odd
    expect(listWavChunks(bytes).map((c) => [c.id, c.body.length])).toEqual([
      ['fmt ', 16],
      ['data', 3003],
      ['smpl', 60],
      ['LOAx', 3],
    ]);
    expect(bytes.length % 2).toBe(0);
    const path = join(dir, 'loop.wav');
    writeFileSync(path, bytes);
    expect(execFileSync('sox', ['--i', '-s', path]).toString().trim()).toBe('1001');
    expect(execFileSync('sox', ['--i', '-r', path]).toString().trim()).toBe('16000');
    const raw = execFileSync('sox', [path, '-t', 'f32', '-']);
    const viaSox = new Float32Array(raw.buffer, raw.byteOffset, raw.length / 4);
    const ours = decodeWav(bytes).channels[0];
    expect(viaSox.length).toBe(1001);
    for (let i = 0; i < 1001; i++) expect(viaSox[i]).toBeCloseTo(ours[i], 6);
  });

  it('refuses loop points outside the audio and malformed chunk ids', () => {
    expect(() => encodeWav([tone], 16000, 'float32', { loop: { start: 0, end: 1001 } })).toThrow(RangeError);
    expect(() => encodeWav([tone], 16000, 'float32', { loop: { start: 5, end: 4 } })).toThrow(RangeError);
    expect(() => encodeWav([tone], 16000, 'float32', { chunks: [{ id: 'toolong', body: new Uint8Array(1) }] })).toThrow(/4 printable/);
  });
});
