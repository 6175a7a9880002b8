import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentSecurityPolicy } from './csp.ts';
import { mediaResponse, parseMediaId } from './media-request.ts';
import { resolveStaticFile } from './static-files.ts';
import { newToken, tokenMatches } from './token.ts';

describe('resolveStaticFile', () => {
  const root = '/srv/out/renderer';
  it('maps paths inside the renderer folder, / to index.html', () => {
    expect(resolveStaticFile(root, '/')).toBe('/srv/out/renderer/index.html');
    expect(resolveStaticFile(root, '/assets/index-abc.js')).toBe('/srv/out/renderer/assets/index-abc.js');
    expect(resolveStaticFile(root, '/assets/a%20b.css')).toBe('/srv/out/renderer/assets/a b.css');
  });
  it('refuses anything that leaves the folder or is malformed', () => {
    expect(resolveStaticFile(root, '/..%2f..%2fetc%2fpasswd')).toBeNull();
    expect(resolveStaticFile(root, '/%2e%2e/secret')).toBeNull();
    expect(resolveStaticFile(root, '/..\\..\\windows')).toBeNull();
    expect(resolveStaticFile(root, '/a%00.js')).toBeNull();
    expect(resolveStaticFile(root, '/%E0%A4%A')).toBeNull();
  });
});

describe('parseMediaId', () => {
  it('accepts a kind and one plain segment', () => {
    expect(parseMediaId('take', 'tk_01')).toEqual({ kind: 'take', id: 'tk_01' });
    expect(parseMediaId('export', 'dog%20bark_42_01.wav')).toEqual({ kind: 'export', id: 'dog bark_42_01.wav' });
  });
  it('refuses other kinds, separators, dot segments and bad escapes', () => {
    expect(parseMediaId('model', 'unet.onnx')).toBeNull();
    expect(parseMediaId('take', '..%2f..%2fetc%2fpasswd')).toBeNull();
    expect(parseMediaId('take', '..%5cwin.ini')).toBeNull();
    expect(parseMediaId('take', '..')).toBeNull();
    expect(parseMediaId('take', '%00')).toBeNull();
    expect(parseMediaId('take', '%E0%A4%A')).toBeNull();
    expect(parseMediaId('take', '')).toBeNull();
  });
});

describe('mediaResponse', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'loa-media-'));
    await writeFile(join(dir, 'a.wav'), Buffer.alloc(64, 7));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const resolver = (kind: string, id: string) => (kind === 'take' && id === 'a' ? join(dir, 'a.wav') : null);

  it('serves what the resolver allows, with Range', async () => {
    expect((await mediaResponse(resolver, 'take', 'a')).status).toBe(200);
    const partial = await mediaResponse(resolver, 'take', 'a', { range: 'bytes=0-9' });
    expect(partial.status).toBe(206);
    expect((await partial.arrayBuffer()).byteLength).toBe(10);
  });

  it('answers every refusal with the same 404', async () => {
    const throwing = () => {
      throw new Error('unknown take');
    };
    for (const response of [
      await mediaResponse(resolver, 'take', 'b'),
      await mediaResponse(resolver, 'take', '..%2fa.wav'),
      await mediaResponse(resolver, 'model', 'a'),
      await mediaResponse(throwing, 'take', 'a'),
      await mediaResponse(resolver, 'take', 'a', { method: 'POST' }),
    ]) {
      expect(response.status).toBe(404);
    }
  });
});

describe('token', () => {
  it('is 32 url-safe characters from 24 random bytes, new every launch', () => {
    const token = newToken();
    expect(token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(newToken()).not.toBe(token);
  });
  it('matches only itself', () => {
    const token = newToken();
    expect(tokenMatches(token, token)).toBe(true);
    expect(tokenMatches(`${token}x`, token)).toBe(false);
    expect(tokenMatches(token.slice(1), token)).toBe(false);
    expect(tokenMatches('', token)).toBe(false);
    expect(tokenMatches(null, token)).toBe(false);
  });
});

describe('contentSecurityPolicy', () => {
  const csp = contentSecurityPolicy({ connect: ['ws://127.0.0.1:5173', 'loa-media:'], media: ['loa-media:'] });
  const directive = (name: string) => csp.split('; ').find((d) => d.startsWith(`${name} `));
  it('denies by default and allows only our own scripts', () => {
    expect(directive('default-src')).toBe("default-src 'none'");
    expect(directive('script-src')).toBe("script-src 'self'");
    expect(directive('object-src')).toBe("object-src 'none'");
    expect(directive('frame-ancestors')).toBe("frame-ancestors 'none'");
  });
  it('lets the wavesurfer spectrogram worker start from a blob: URL', () => {
    expect(directive('worker-src')).toBe("worker-src 'self' blob:");
  });
  it('names the socket and media origins it was given', () => {
    expect(directive('connect-src')).toBe("connect-src 'self' ws://127.0.0.1:5173 loa-media:");
    expect(directive('media-src')).toBe("media-src 'self' blob: loa-media:");
  });
});
