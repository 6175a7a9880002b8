// Test harness shared by the download specs: models/tiny over HTTP on 127.0.0.1, with Range
// support and a record of every request. Not a spec itself (no tests here).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { BundleManifest } from '../engine/bundle/manifest.ts';
import { TINY_BUNDLE } from '../engine/testing/tiny-bundle.ts';

export interface SeenRequest {
  file: string;
  range: string | null;
  /** Size of the client's `<file>.partial` when the request arrived (null: none, or no partialDir given). */
  partialBytes: number | null;
}

export interface ServeOptions {
  editManifest?: (m: BundleManifest) => void;
  /** The first full request for this file gets half of it, then the connection is cut. */
  dropOnce?: string;
  ignoreRange?: boolean;
  /** Where the client keeps its partial files, to record their size as each request arrives. */
  partialDir?: string;
}

export interface BundleServer {
  url: string;
  seen: SeenRequest[];
  close(): void;
}

export async function serveTinyBundle(options: ServeOptions = {}): Promise<BundleServer> {
  const seen: SeenRequest[] = [];
  let dropped = false;
  const manifest = JSON.parse(await readFile(join(TINY_BUNDLE, 'manifest.json'), 'utf8')) as BundleManifest;
  options.editManifest?.(manifest);
  const server: Server = createServer(async (req, res) => {
    const file = decodeURIComponent(new URL(req.url!, 'http://x').pathname.replace(/^\/bundles\/tiny\//, ''));
    const partialBytes = options.partialDir
      ? await stat(join(options.partialDir, `${file}.partial`)).then(
          (s) => s.size,
          () => null,
        )
      : null;
    seen.push({ file, range: req.headers.range ?? null, partialBytes });
    if (file === 'manifest.json') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(manifest));
      return;
    }
    let body: Buffer;
    try {
      body = await readFile(join(TINY_BUNDLE, file));
    } catch {
      res.writeHead(404).end();
      return;
    }
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    if (range && !options.ignoreRange) {
      const start = Number(range[1]);
      res.writeHead(206, { 'content-length': body.length - start, 'content-range': `bytes ${start}-${body.length - 1}/${body.length}` }).end(body.subarray(start));
      return;
    }
    res.writeHead(200, { 'content-length': body.length });
    if (file === options.dropOnce && !dropped) {
      dropped = true;
      // Let the first half reach the client, then cut the connection mid-body.
      res.write(body.subarray(0, body.length >> 1), () => setTimeout(() => res.socket?.destroy(), 100));
      return;
    }
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/bundles/tiny/manifest.json`,
    seen,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}
