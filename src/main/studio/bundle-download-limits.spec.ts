/**
 * Issue 12 §4: a manifest URL that never stops sending (or says it is huge) is refused at the
 * 4 MB cap while the body streams, not after reading all of it. Real HTTP servers on 127.0.0.1.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LoaError, ModelBundleError } from '../../shared/errors.ts';
import { tempDir } from '../engine/testing/tiny-bundle.ts';
import { BundleDownloader, readCapped } from './bundle-download.ts';

let scratch: Awaited<ReturnType<typeof tempDir>>;
const servers: Server[] = [];
beforeEach(async () => {
  scratch = await tempDir('loa-download-limits-');
});
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    server.close();
  }
  await scratch.remove();
});

/** A server whose every answer is `respond`; returns its URL and how many body bytes it managed to send. */
async function serve(respond: (res: import('node:http').ServerResponse, sent: { bytes: number }) => void): Promise<{ url: string; sent: { bytes: number } }> {
  const sent = { bytes: 0 };
  const server = createServer((_req, res) => respond(res, sent));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/manifest.json`, sent };
}

/** Writes 64 kB chunks for as long as the client reads them. */
function endless(res: import('node:http').ServerResponse, sent: { bytes: number }): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  const chunk = Buffer.alloc(64 * 1024, 0x20);
  const pump = () => {
    while (!res.destroyed && res.write(chunk)) sent.bytes += chunk.length;
    if (!res.destroyed) res.once('drain', pump);
  };
  res.on('close', () => res.removeAllListeners('drain'));
  pump();
}

const downloader = () => new BundleDownloader({ modelsDir: `${scratch.path}/models`, retries: 0, retryDelayMs: 1, idleTimeoutMs: 10_000 });

describe('manifest download limits', () => {
  it('refuses an endless manifest once it passes 4 MB, having read little more', async () => {
    const { url, sent } = await serve(endless);
    const started = performance.now();
    const error = await downloader()
      .download(url)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelBundleError);
    expect((error as LoaError).message).toMatch(/too big to be a bundle manifest/);
    expect(performance.now() - started).toBeLessThan(5_000);
    // What the server got out: the cap plus socket buffers, not gigabytes.
    await new Promise((r) => setTimeout(r, 200));
    expect(sent.bytes).toBeLessThan(32 * 1024 ** 2);
  });

  it('refuses a declared Content-Length over the cap without reading the body', async () => {
    const { url } = await serve((res) => {
      res.writeHead(200, { 'content-length': String(5 * 1024 ** 3) });
      res.write(Buffer.alloc(1024));
    });
    await expect(downloader().download(url)).rejects.toThrow(/too big to be a bundle manifest/);
  });

  it('gives up on a manifest that stops arriving (timeout), with a download error', async () => {
    const { url } = await serve((res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"format": "loa-studio-bundle"'); // then nothing
    });
    const quick = new BundleDownloader({ modelsDir: `${scratch.path}/models`, retries: 0, retryDelayMs: 1, idleTimeoutMs: 300 });
    const error = await quick.download(url).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LoaError);
    expect((error as LoaError).code).toBe('IO_FAILED');
  });

  it('readCapped returns a body within the limit whole', async () => {
    const body = new Uint8Array(3000).map((_, i) => i & 0xff);
    expect(await readCapped(new Response(body), 3000, () => new Error('too big'))).toEqual(body);
    await expect(readCapped(new Response(body), 2999, () => new Error('too big'))).rejects.toThrow('too big');
  });
});
