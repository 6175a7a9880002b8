import { execFileSync } from 'node:child_process';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiskFullError } from '../../shared/errors.ts';
import { tempDir } from '../engine/testing/tiny-bundle.ts';
import { takePath, writeFileAtomic } from './atomic-write.ts';

describe('takePath', () => {
  it('numbers takes after the first', () => {
    expect(takePath('/a/x.wav', 1)).toBe('/a/x.wav');
    expect(takePath('/a/x.wav', 2)).toBe('/a/x-2.wav');
    expect(takePath('/a/x.WAV', 3)).toBe('/a/x-3.WAV');
    expect(takePath('/a/x', 2)).toBe('/a/x-2');
  });
});

describe('writeFileAtomic', () => {
  let scratch: Awaited<ReturnType<typeof tempDir>>;
  let small: string | undefined;
  beforeAll(async () => {
    scratch = await tempDir('loa-io-');
    const mountPoint = join(scratch.path, 'small');
    await mkdir(mountPoint);
    try {
      // A real full disk: a 64 KiB tmpfs (needs root and mount rights, as CI has).
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mountPoint], { stdio: 'ignore' });
      small = mountPoint;
    } catch {
      console.log('skipping the full-disk case: cannot mount a tmpfs here (needs root)');
    }
  });
  afterAll(async () => {
    if (small) execFileSync('umount', [small]);
    await scratch.remove();
  });

  it('writes the whole file and leaves no temporary behind', async () => {
    const path = join(scratch.path, 'deep', 'a.bin');
    await writeFileAtomic(path, new Uint8Array([1, 2, 3]));
    expect([...(await readFile(path))]).toEqual([1, 2, 3]);
    expect(await readdir(join(scratch.path, 'deep'))).toEqual(['a.bin']);
  });

  it('on a full disk: throws DiskFullError, keeps the old file intact, leaves no partial file', async () => {
    if (!small) return;
    const path = join(small, 'take.wav');
    await writeFile(path, 'previous take');
    const error = await writeFileAtomic(path, new Uint8Array(256 * 1024)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DiskFullError);
    expect((error as DiskFullError).message).toBe(`The disk is full: could not write ${path}.`);
    expect(await readFile(path, 'utf8')).toBe('previous take');
    expect(await readdir(small)).toEqual(['take.wav']);
  });
});
