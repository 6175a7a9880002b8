// Folder import decides by content (issue 12, item 12): .mp2/.mp1/.mpga files were passed over
// without a word although the decoder reads them; now every file below the folder is either
// imported or listed with the reason it was not.
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeWav } from '../audio/wav.ts';
import { tempDir } from '../engine/testing/tiny-bundle.ts';
import { importFolder, scanFolder } from './folder-import.ts';
import { LibraryStore } from './library-store.ts';

/** `count` MPEG audio frames of `length` bytes with the given header and no bits allocated (valid silence). */
function mpegFrames(header: number[], length: number, count: number): Uint8Array {
  const out = new Uint8Array(length * count);
  for (let f = 0; f < count; f++) out.set(header, f * length);
  return out;
}
// ISO/IEC 11172-3: MPEG-1 Layer II, 192 kb/s, 44.1 kHz, stereo: 144·192000/44100 = 626 bytes a frame.
const MP2 = mpegFrames([0xff, 0xfd, 0xa0, 0x00], 626, 50);
// MPEG-1 Layer I, 128 kb/s, 44.1 kHz: 4·⌊12·128000/44100⌋ = 136 bytes a frame.
const MP1 = mpegFrames([0xff, 0xff, 0x40, 0x00], 136, 200);
const tone = Float32Array.from({ length: 8000 }, (_, i) => 0.3 * Math.sin(i / 5));
const WAV = encodeWav([tone], 16000, 'pcm16');

let scratch: Awaited<ReturnType<typeof tempDir>>;
let folder: string;
beforeAll(async () => {
  scratch = await tempDir('loa-folder-import-');
  folder = join(scratch.path, 'sounds');
  await mkdir(join(folder, 'sub'), { recursive: true });
  await mkdir(join(folder, '.cache'));
  const files: Record<string, Uint8Array | string> = {
    'a.mp2': MP2,
    'b.mp1': MP1,
    'c.mpga': MP2,
    'd.wav': WAV,
    'sub/no-extension': WAV, // audio without any extension
    'sub/really-a-wav.txt': WAV, // a wrong extension costs nothing
    'notes.txt': 'Recorded at the harbour, 2024.\n',
    'cover.png': new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]),
    'empty.wav': new Uint8Array(0),
    'broken.wav': new TextEncoder().encode('RIFF\x04\x00\x00\x00WAVEjunkjunkjunk'),
    '.hidden.wav': WAV,
    '.cache/x.wav': WAV,
  };
  for (const [name, body] of Object.entries(files)) await writeFile(join(folder, name), body);
  await symlink(join(folder, 'sub'), join(folder, 'loop-link'));
  await symlink(join(folder, 'd.wav'), join(folder, 'e-link.wav'));
});
afterAll(async () => {
  await scratch.remove();
});

describe('folder import', () => {
  it('finds audio by content and lists every other file with its reason', async () => {
    const scan = await scanFolder(folder);
    expect(scan.audio.map((p) => p.slice(folder.length + 1))).toEqual(['a.mp2', 'b.mp1', 'broken.wav', 'c.mpga', 'd.wav', 'e-link.wav', 'sub/no-extension', 'sub/really-a-wav.txt']);
    expect(scan.skipped.map((s) => [s.path.slice(folder.length + 1), s.reason])).toEqual([
      ['cover.png', expect.stringMatching(/^not an audio format LOA Studio reads: it looks like a PNG image/)],
      ['empty.wav', 'an empty file (0 bytes)'],
      ['loop-link', expect.stringMatching(/^a link to a folder/)],
      ['notes.txt', expect.stringMatching(/^not an audio format LOA Studio reads: it looks like text \("Recorded at the/)],
    ]);
  });

  it('imports MP2, MP1 and .mpga files and reports every skipped file, the decoder’s refusals included', { timeout: 120_000 }, async () => {
    const library = await LibraryStore.open(join(scratch.path, 'library'));
    try {
      const progress: Array<[number, number, number]> = [];
      const report = await importFolder(library, folder, 16000, (done, total, _current, skipped) => progress.push([done, total, skipped]));
      expect(report.imported).toBe(7);
      expect(report.skipped.map((s) => s.path.slice(folder.length + 1))).toEqual(['broken.wav', 'cover.png', 'empty.wav', 'loop-link', 'notes.txt']);
      expect(report.skipped[0].reason).toMatch(/"broken\.wav" is a WAV file LOA Studio cannot read/);
      expect(progress[0]).toEqual([0, 8, 4]);
      expect(progress.at(-1)).toEqual([8, 8, 5]);
      const names = library
        .listReferences()
        .map((r) => r.name)
        .sort();
      expect(names).toEqual(['a.mp2', 'b.mp1', 'c.mpga', 'd.wav', 'e-link.wav', 'sub/no-extension', 'sub/really-a-wav.txt']);
    } finally {
      library.close();
    }
  });
});
