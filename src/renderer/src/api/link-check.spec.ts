import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { checkLink, type GetLike } from './link-check.ts';

const get: GetLike = (url, init) => fetch(url, init);

describe('checkLink', () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
  });

  it('tells a studio that knows our token from one that restarted with another, and from none at all', async () => {
    // The browser-mode server's /api answer to a plain GET: 426 for its token, 401 for any other.
    server = createServer((req, res) => res.writeHead(new URL(req.url ?? '/', 'http://x').searchParams.get('token') === 'current' ? 426 : 401).end());
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    expect(await checkLink(get, origin, 'current')).toBe('accepted');
    expect(await checkLink(get, origin, 'from-before-the-restart')).toBe('refused');
    await new Promise<void>((resolve) => server!.close(() => resolve()));
    server = undefined;
    expect(await checkLink(get, origin, 'current')).toBe('unreachable');
  });
});
