import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../engine/testing/tiny-bundle.ts';
import { MediaRequestError, mediaPath, resolveMedia, resolveMediaPath, type MediaRoots } from './media-paths.ts';
import { ReferenceNotFoundError, TakeNotFoundError } from '../library/library-errors.ts';

let scratch: Awaited<ReturnType<typeof tempDir>>;
let roots: MediaRoots;
let takeFile: string;

beforeAll(async () => {
  scratch = await tempDir('loa-media-');
  const library = join(scratch.path, 'library');
  const exportsDir = join(library, 'Exports');
  takeFile = join(library, 'Generations', '2025-01-01', 'rain_1_abc.wav');
  await mkdir(join(library, 'Generations', '2025-01-01'), { recursive: true });
  await mkdir(join(exportsDir, 'sub'), { recursive: true });
  await writeFile(takeFile, 'take');
  await mkdir(join(library, 'References'), { recursive: true });
  await writeFile(join(library, 'References', 'ref1.wav'), 'reference');
  await writeFile(join(exportsDir, 'rain_1_01.wav'), 'export');
  await writeFile(join(exportsDir, 'rain 100% (2).wav'), 'export with odd characters');
  await writeFile(join(exportsDir, '%2e%2e'), 'a file literally named %2e%2e');
  await writeFile(join(exportsDir, '.rain.wav.123.partial'), 'half written');
  await writeFile(join(exportsDir, 'sub', 'deep.wav'), 'nested');
  await writeFile(join(scratch.path, 'secret.txt'), 'secret');
  await symlink(join(scratch.path, 'secret.txt'), join(exportsDir, 'link-out.wav'));
  await symlink(join(exportsDir, 'rain_1_01.wav'), join(exportsDir, 'link-in.wav'));
  await symlink(join(scratch.path, 'secret.txt'), join(library, 'Generations', 'escaped.wav'));
  const files: Record<string, string> = { abc: takeFile, escaped: join(library, 'Generations', 'escaped.wav'), gone: join(library, 'Generations', 'gone.wav') };
  roots = {
    libraryDir: library,
    exportsDir,
    references: {
      get: (id: string) => {
        if (id !== 'ref1') throw new ReferenceNotFoundError(id);
        return undefined as never;
      },
      file: (id: string) => join(library, 'References', `${id}.wav`),
    },
    takes: {
      file: (id) => {
        if (!files[id]) throw new TakeNotFoundError(id);
        return files[id];
      },
    },
  };
});
afterAll(async () => {
  await scratch.remove();
});

async function refusal(path: string): Promise<number> {
  const error = await resolveMedia(path, roots).then(
    (p) => new Error(`resolved ${path} to ${p}`),
    (e: unknown) => e,
  );
  expect(error, path).toBeInstanceOf(MediaRequestError);
  return (error as MediaRequestError).status;
}

describe('resolveMedia', () => {
  it('resolves a take id in the store and an export directly inside the Exports folder', async () => {
    expect(await resolveMedia('take/abc', roots)).toBe(takeFile);
    expect(await resolveMedia('/take/abc', roots)).toBe(takeFile);
    expect(await resolveMedia(mediaPath('export', 'rain_1_01.wav'), roots)).toBe(join(roots.exportsDir, 'rain_1_01.wav'));
    expect(await resolveMedia(mediaPath('export', 'rain 100% (2).wav'), roots)).toBe(join(roots.exportsDir, 'rain 100% (2).wav'));
    expect(mediaPath('export', 'rain 100% (2).wav')).toBe('export/rain%20100%25%20(2).wav');
  });

  it('resolves a reference by id only: unknown ids are 404, anything else 400', async () => {
    expect(await resolveMedia('reference/ref1', roots)).toMatch(/References[\\/]ref1\.wav$/);
    await expect(resolveMedia('reference/ref2', roots)).rejects.toMatchObject({ status: 404 });
    await expect(resolveMedia('reference/..%2Fref1', roots)).rejects.toMatchObject({ status: 400 });
    await expect(resolveMedia('reference/ref1.wav', roots)).rejects.toMatchObject({ status: 400 });
  });

  it('follows a symlink that stays inside the Exports folder', async () => {
    expect(await resolveMedia('export/link-in.wav', roots)).toBe(join(roots.exportsDir, 'rain_1_01.wav'));
  });

  it.each([
    ['plain traversal', 'export/../secret.txt'],
    ['traversal as the whole path', '../../etc/passwd'],
    ['encoded dots', 'export/%2e%2e'],
    ['encoded dots and slash', 'export/%2e%2e%2fsecret.txt'],
    ['upper-case encoding', 'export/%2E%2E%2F%2E%2E%2Fsecret.txt'],
    ['encoded slash into a subfolder', 'export/sub%2fdeep.wav'],
    ['raw subfolder', 'export/sub/deep.wav'],
    ['encoded backslash', 'export/..%5c..%5csecret.txt'],
    ['absolute path', 'export//etc/passwd'],
    ['encoded absolute path', 'export/%2fetc%2fpasswd'],
    ['windows drive', 'export/C:%5cWindows%5cwin.ini'],
    ['NUL byte', 'export/rain_1_01.wav%00.txt'],
    ['raw NUL byte', 'export/rain_1_01.wav\u0000'],
    ['a dot', 'export/.'],
    ['hidden partial file', 'export/.rain.wav.123.partial'],
    ['symlink pointing outside', 'export/link-out.wav'],
    ['take id with traversal', 'take/..%2f..%2fsecret.txt'],
    ['take id as a path', 'take/abc/../../secret.txt'],
    ['take symlinked outside the library', 'take/escaped'],
    ['unknown take', 'take/nope'],
    ['take file deleted', 'take/gone'],
    ['missing export', 'export/none.wav'],
    ['unknown kind', 'model/unet.onnx'],
    ['no name', 'export/'],
    ['malformed escape', 'export/%zz.wav'],
    ['a folder', 'export/sub'],
  ])('refuses %s', async (_name, path) => {
    expect([400, 403, 404]).toContain(await refusal(path));
  });

  it('answers double encoding with the literal name only, never a step up', async () => {
    expect(await resolveMedia('export/%252e%252e', roots)).toBe(join(roots.exportsDir, '%2e%2e'));
    expect(await refusal('export/%252e%252e%252fsecret.txt')).toBe(404);
  });

  it('says 403 for escapes and 404 for absent files', async () => {
    expect(await refusal('export/link-out.wav')).toBe(403);
    expect(await refusal('take/escaped')).toBe(403);
    expect(await refusal('export/%2e%2e')).toBe(403);
    expect(await refusal('take/nope')).toBe(404);
    expect(await refusal('export/none.wav')).toBe(404);
  });

  it('takes a decoded kind and id from transports that split the URL themselves', async () => {
    const source = { mediaRoots: async () => roots };
    expect(await resolveMediaPath(source, 'take', 'abc')).toBe(takeFile);
    expect(await resolveMediaPath(source, 'export', 'rain 100% (2).wav')).toBe(join(roots.exportsDir, 'rain 100% (2).wav'));
    await expect(resolveMediaPath(source, 'export', '../secret.txt')).rejects.toMatchObject({ status: 403 });
    await expect(resolveMediaPath(source, 'export', '%2e%2e')).resolves.toBe(join(roots.exportsDir, '%2e%2e')); // a literal name, decoded once
    await expect(resolveMediaPath(source, 'take', '../../secret.txt')).rejects.toMatchObject({ status: 400 });
  });
});
