import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../engine/testing/tiny-bundle.ts';
import { readSoundWordCache, soundWordCachePath, writeSoundWordCache } from './sound-word-cache.ts';

let scratch: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  scratch = await tempDir('loa-sound-words-');
});
afterAll(async () => {
  await scratch.remove();
});

describe('the sound-word cache', () => {
  it('names a file per model and vocabulary', () => {
    const a = soundWordCachePath('/c', 'ab'.repeat(32), ['x', 'y']);
    expect(a).toMatch(/^\/c\/sound-words-abababababababab-[0-9a-f]{16}\.f32$/);
    expect(soundWordCachePath('/c', 'cd'.repeat(32), ['x', 'y'])).not.toBe(a);
    expect(soundWordCachePath('/c', 'ab'.repeat(32), ['x', 'z'])).not.toBe(a);
  });

  it('reads back what it wrote (creating the folder), and nothing that does not fit', async () => {
    const path = join(scratch.path, 'nested', 'words.f32');
    const matrix = Float32Array.from({ length: 12 }, (_, i) => i / 7);
    await writeSoundWordCache(path, matrix);
    expect(await readSoundWordCache(path, 3)).toEqual(matrix);
    expect(await readSoundWordCache(path, 5)).toBeNull(); // 12 values are not 5 rows
    expect(await readSoundWordCache(join(scratch.path, 'absent.f32'), 3)).toBeNull();
    await writeFile(path, new Uint8Array(new Float32Array([1, NaN, 0]).buffer));
    expect(await readSoundWordCache(path, 3)).toBeNull();
    await writeFile(path, new Uint8Array(0));
    expect(await readSoundWordCache(path, 3)).toBeNull();
  });
});
