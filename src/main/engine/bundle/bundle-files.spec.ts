// Bundle files that are not what they claim (issue 12, item 6): each of these made `models verify`
// and `generate` hang forever before. Real FIFOs, symlinks and /dev/zero; a timeout per test
// turns a hang into a failure.
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelBundleError } from '../../../shared/errors.ts';
import { copyTinyBundle, editManifest, tempDir } from '../testing/tiny-bundle.ts';
import { MAX_MANIFEST_BYTES } from './bundle-files.ts';
import { manifestHash, readManifest } from './manifest.ts';
import { ChecksumCache, verifyBundleFiles } from './verify-files.ts';

let scratch: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  scratch = await tempDir('loa-bundle-files-');
});
afterAll(async () => {
  await scratch.remove();
});

/** What `models verify` does before loading graphs: read the manifest, then check every file. */
async function verifyError(dir: string): Promise<ModelBundleError> {
  try {
    await verifyBundleFiles(dir, await readManifest(dir), new ChecksumCache());
  } catch (error) {
    expect(error).toBeInstanceOf(ModelBundleError);
    return error as ModelBundleError;
  }
  throw new Error('expected the bundle to be refused');
}

const onPosix = process.platform !== 'win32';

describe.runIf(onPosix)('bundle files that are not regular files inside the bundle', () => {
  it('a manifest.json that is a FIFO is refused at once', { timeout: 5000 }, async () => {
    const dir = await copyTinyBundle(join(scratch.path, 'fifo'));
    await rm(join(dir, 'manifest.json'));
    execFileSync('mkfifo', [join(dir, 'manifest.json')]);
    const error = await verifyError(dir);
    expect(error.message).toMatch(/manifest\.json is a FIFO \(named pipe\), not a regular file/);
    await expect(manifestHash(dir)).rejects.toThrow(/not a regular file/);
  });

  it('a graph that is a symlink to /dev/zero with "bytes": 0 is refused, not hashed forever', { timeout: 5000 }, async () => {
    const dir = await copyTinyBundle(join(scratch.path, 'zero'));
    await rm(join(dir, 'vocoder.onnx'));
    await symlink('/dev/zero', join(dir, 'vocoder.onnx'));
    await editManifest(dir, (m) => {
      m.components.vocoder.graphs[0].bytes = 0;
    });
    const error = await verifyError(dir);
    expect(error.file).toBe(join(dir, 'vocoder.onnx'));
    expect(error.message).toMatch(/vocoder\.onnx is a link to \/dev\/zero, outside the bundle folder/);
  });

  it('a graph that is a FIFO inside the bundle is refused', { timeout: 5000 }, async () => {
    const dir = await copyTinyBundle(join(scratch.path, 'graph-fifo'));
    await rm(join(dir, 'unet.onnx'));
    execFileSync('mkfifo', [join(dir, 'unet.onnx')]);
    expect((await verifyError(dir)).message).toMatch(/unet\.onnx is a FIFO \(named pipe\), not a regular file/);
  });

  it('a symlink to a regular file outside the bundle is refused (realpath, not just the name)', async () => {
    const dir = await copyTinyBundle(join(scratch.path, 'outside'));
    const away = join(scratch.path, 'elsewhere.onnx');
    await rename(join(dir, 'projection.onnx'), away);
    await symlink(away, join(dir, 'projection.onnx'));
    expect((await verifyError(dir)).message).toMatch(/projection\.onnx is a link to .*elsewhere\.onnx, outside the bundle folder/);
  });

  it('a graph that is a folder is refused', async () => {
    const dir = await copyTinyBundle(join(scratch.path, 'folder'));
    await rm(join(dir, 'vocoder.onnx'));
    await mkdir(join(dir, 'vocoder.onnx'));
    expect((await verifyError(dir)).message).toMatch(/vocoder\.onnx is a folder, not a regular file/);
  });

  it('a symlink that stays inside the bundle, and a bundle folder reached through a symlink, still verify', async () => {
    const dir = await copyTinyBundle(join(scratch.path, 'inside'));
    await mkdir(join(dir, 'real'));
    await rename(join(dir, 'vocoder.onnx'), join(dir, 'real', 'vocoder.onnx'));
    await symlink(join('real', 'vocoder.onnx'), join(dir, 'vocoder.onnx'));
    const linked = join(scratch.path, 'linked-bundle');
    await symlink(dir, linked);
    await verifyBundleFiles(linked, await readManifest(linked));
    expect(await manifestHash(linked)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('a manifest over the size limit is refused without reading it whole', async () => {
    const dir = await copyTinyBundle(join(scratch.path, 'huge'));
    const text = await readFile(join(dir, 'manifest.json'), 'utf8');
    await writeFile(join(dir, 'manifest.json'), text + ' '.repeat(MAX_MANIFEST_BYTES));
    expect((await verifyError(dir)).message).toMatch(/manifest\.json is \d+ bytes; a bundle manifest is at most/);
  });

  it('a missing manifest still says there is no bundle here', async () => {
    const dir = join(scratch.path, 'empty');
    await mkdir(dir);
    expect((await verifyError(dir)).message).toMatch(/manifest\.json is missing/);
  });
});
