import { createHash } from 'node:crypto';
import { access, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LoaError, ModelBundleError } from '../../shared/errors.ts';
import type { DownloadProgress } from '../../shared/studio/studio-api.ts';
import { manifestFiles, type BundleManifest } from '../engine/bundle/manifest.ts';
import { tempDir, TINY_BUNDLE } from '../engine/testing/tiny-bundle.ts';
import { BundleDownloader, type DownloadOptions } from './bundle-download.ts';
import { serveTinyBundle, type BundleServer, type ServeOptions } from './bundle-server.fixture.ts';

let scratch: Awaited<ReturnType<typeof tempDir>>;
const servers: BundleServer[] = [];
beforeEach(async () => {
  scratch = await tempDir('loa-download-');
});
afterEach(async () => {
  servers.splice(0).forEach((s) => s.close());
  await scratch.remove();
});

const bundleDir = () => join(scratch.path, 'models', 'tiny-random');
const sha256 = async (path: string) =>
  createHash('sha256')
    .update(await readFile(path))
    .digest('hex');
async function serve(options: ServeOptions = {}): Promise<BundleServer> {
  const server = await serveTinyBundle(options);
  servers.push(server);
  return server;
}
const downloader = (options: Partial<DownloadOptions> = {}) => new BundleDownloader({ modelsDir: join(scratch.path, 'models'), retryDelayMs: 10, ...options });

/** A leftover from an interrupted download: the first `bytes` of the UNet's weights. */
async function partialUnet(bytes: number): Promise<void> {
  await mkdir(join(bundleDir(), 'weights'), { recursive: true });
  await writeFile(join(bundleDir(), 'weights/unet.safetensors.partial'), (await readFile(join(TINY_BUNDLE, BIG))).subarray(0, bytes));
}

/** The largest file of the tiny bundle (the UNet's weights), for partial-download cases. */
const BIG = 'weights/unet.safetensors';

describe('BundleDownloader', () => {
  it('downloads every listed file byte for byte, reports progress per file, and writes the manifest last', async () => {
    const { url, seen } = await serve();
    const progress: DownloadProgress[] = [];
    const dir = await downloader({ onProgress: (p) => progress.push(p) }).download(url);
    expect(dir).toBe(bundleDir());
    const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as BundleManifest;
    expect(manifest.id).toBe('tiny-random');
    for (const file of ['unet.onnx', 'vocoder.onnx', BIG, 'tokenizers/clap/tokenizer.json']) {
      expect(await sha256(join(dir, file))).toBe(await sha256(join(TINY_BUNDLE, file)));
    }
    const listed = manifestFiles(manifest).map((f) => f.file);
    expect(new Set(listed).size).toBe(21); // 10 graphs + 7 weight files + 4 tokenizer files
    expect(seen.length).toBe(new Set(listed).size + 1); // each once, and the manifest
    const done = progress.filter((p) => p.done);
    expect(done.length).toBe(new Set(listed).size);
    expect(done.every((p) => p.url === url && p.receivedBytes === p.totalBytes)).toBe(true);
    expect((await readdir(dir, { recursive: true })).filter((f) => f.endsWith('.partial'))).toEqual([]);
  });

  it('resumes from the partial bytes when the connection drops halfway through a file', async () => {
    await mkdir(bundleDir(), { recursive: true });
    const { url, seen } = await serve({ dropOnce: BIG, partialDir: bundleDir() });
    await downloader().download(url);
    const unet = seen.filter((s) => s.file === BIG);
    expect(unet.length).toBe(2);
    expect(unet[0].range).toBeNull();
    const start = Number(/^bytes=(\d+)-$/.exec(unet[1].range ?? '')?.[1]);
    expect(start).toBeGreaterThan(0);
    expect(start).toBe(unet[1].partialBytes); // asks for exactly what the partial file lacks
    expect(start).toBeLessThanOrEqual((await readFile(join(TINY_BUNDLE, BIG))).length / 2);
    expect(await sha256(join(bundleDir(), BIG))).toBe(await sha256(join(TINY_BUNDLE, BIG)));
  });

  it('continues a restarted download from the partial file left by the last one', async () => {
    await partialUnet(1_000_000);
    const { url, seen } = await serve();
    await downloader().download(url);
    expect(seen.filter((s) => s.file === BIG).map((s) => s.range)).toEqual(['bytes=1000000-']);
    expect(await sha256(join(bundleDir(), BIG))).toBe(await sha256(join(TINY_BUNDLE, BIG)));
  });

  it('starts the file over when the server ignores the Range header', async () => {
    await partialUnet(1_000_000);
    const { url } = await serve({ ignoreRange: true });
    await downloader().download(url);
    expect(await sha256(join(bundleDir(), BIG))).toBe(await sha256(join(TINY_BUNDLE, BIG)));
  });

  it('skips files already downloaded and verified', async () => {
    const first = await serve();
    await downloader().download(first.url);
    const again = await serve();
    await downloader().download(again.url);
    expect(again.seen.map((s) => s.file)).toEqual(['manifest.json']);
  });

  it('fails on a checksum mismatch, naming the file, deleting the partial, writing no manifest', async () => {
    const { url } = await serve({ editManifest: (m) => (m.components.vocoder.graphs[0].sha256 = '0'.repeat(64)) });
    const error = await downloader()
      .download(url)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelBundleError);
    expect((error as ModelBundleError).file).toBe(join(bundleDir(), 'vocoder.onnx'));
    expect((error as Error).message).toMatch(/vocoder\.onnx does not match its checksum/);
    await expect(access(join(bundleDir(), 'vocoder.onnx.partial'))).rejects.toThrow();
    await expect(access(join(bundleDir(), 'manifest.json'))).rejects.toThrow();
  });

  it('refuses a manifest whose files escape the bundle folder, before downloading anything', async () => {
    for (const evil of ['../../evil.json', '/etc/passwd', 'tokenizers/../../../x', 'C:\\Windows\\x', '..\\..\\x', 'manifest.json']) {
      const { url, seen } = await serve({ editManifest: (m) => (m.tokenizers.t5.files[0].file = evil) });
      const error = await downloader()
        .download(url)
        .catch((e: unknown) => e);
      expect(error, evil).toBeInstanceOf(ModelBundleError);
      expect(seen.map((s) => s.file)).toEqual(['manifest.json']);
    }
  });

  it('refuses a manifest with a bundle id that is not a plain folder name', async () => {
    for (const id of ['..', '../x', 'a/b', '']) {
      const { url } = await serve({ editManifest: (m) => (m.id = id) });
      await expect(downloader().download(url), id).rejects.toThrow(/not a LOA Studio bundle manifest/);
    }
  });

  it('fails at once on a 404, and after its retries when nothing answers', async () => {
    const { url, seen } = await serve();
    const missing = await downloader()
      .download(url.replace('manifest.json', 'missing.json'))
      .catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(LoaError);
    expect((missing as LoaError).code).toBe('IO_FAILED');
    expect((missing as Error).message).toMatch(/HTTP 404/);
    expect(seen.length).toBe(1);
    servers.splice(0).forEach((s) => s.close());
    const refused = await downloader({ retries: 1 })
      .download(url)
      .catch((e: unknown) => e);
    expect((refused as Error).message).toMatch(/Could not download .*ECONNREFUSED/);
  });
});
