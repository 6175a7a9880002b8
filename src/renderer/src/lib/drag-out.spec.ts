import { describe, expect, it } from 'vitest';
import { downloadUrlData, dragFileName, newDownloadId } from './drag-out.ts';

describe('drag-out names and ids', () => {
  it('makes a 22-character base64url id from 16 random bytes', () => {
    const id = newDownloadId((b) => b.fill(0xfb));
    expect(id).toBe('-_v7-_v7-_v7-_v7-_v7-w');
    expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(newDownloadId()).not.toBe(newDownloadId());
  });

  it('names the dropped file after the prompt and seed, and the region when there is one', () => {
    expect(dragFileName('Glass shattering on concrete!', 1234)).toBe('glass-shattering-on-concrete_1234.wav');
    expect(dragFileName('Café door: slam', 7, { start: 0.5, end: 1.25 })).toBe('cafe-door-slam_7_0.50-1.25s.wav');
    expect(dragFileName('???', 3)).toBe('take_3.wav');
    expect(dragFileName('a'.repeat(30) + ' ' + 'b'.repeat(30), 1)).toBe(`${'a'.repeat(30)}_1.wav`);
  });

  it('keeps DownloadURL to its three fields', () => {
    expect(downloadUrlData('a:b.wav', 'http://127.0.0.1:5/drag/x')).toBe('audio/wav:a-b.wav:http://127.0.0.1:5/drag/x');
  });
});
