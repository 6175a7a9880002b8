import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { AudioDecodeError, LoaError, toErrorEnvelope } from '../../../shared/errors.ts';
import { parseUploadAnswer, uploadFile, uploadUrl } from './upload.ts';

describe('upload URL', () => {
  it('carries the token and the encoded file name on the page host', () => {
    expect(uploadUrl({ protocol: 'http:', host: '127.0.0.1:5173' }, 'a+b', 'rain & wind é.wav')).toBe('http://127.0.0.1:5173/upload?token=a%2Bb&name=rain%20%26%20wind%20%C3%A9.wav');
  });
});

describe("the server's answer", () => {
  it('returns the upload id', () => {
    expect(parseUploadAnswer(200, '{"uploadId":"up-1"}')).toBe('up-1');
  });
  it('rebuilds the typed error of an error envelope', () => {
    const body = JSON.stringify({ error: toErrorEnvelope(new AudioDecodeError('"x.wav" is not audio.', 'Use a WAV file.')) });
    const error = (() => {
      try {
        parseUploadAnswer(400, body);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(AudioDecodeError);
    expect(error).toMatchObject({ code: 'AUDIO_DECODE', message: '"x.wav" is not audio.', hint: 'Use a WAV file.' });
  });
  it('words a non-JSON or id-less answer as an I/O failure', () => {
    expect(() => parseUploadAnswer(413, 'Payload Too Large')).toThrow(/HTTP 413: Payload Too Large/);
    expect(() => parseUploadAnswer(200, '{}')).toThrow(LoaError);
    expect(() => parseUploadAnswer(200, '{}')).toThrow(/HTTP 200/);
  });
});

describe('uploading over real HTTP', () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  async function start(handler: (body: Buffer, url: URL) => [number, string]): Promise<string> {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const [status, body] = handler(Buffer.concat(chunks), new URL(req.url ?? '/', 'http://x'));
        res.writeHead(status, { 'Content-Type': 'application/json' }).end(body);
      });
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    return `127.0.0.1:${(server!.address() as AddressInfo).port}`;
  }

  it('POSTs the raw bytes and returns the id', async () => {
    const seen: { bytes: number[]; name: string | null; token: string | null }[] = [];
    const host = await start((body, url) => {
      seen.push({ bytes: [...body], name: url.searchParams.get('name'), token: url.searchParams.get('token') });
      return [200, '{"uploadId":"u42"}'];
    });
    const file = new File([new Uint8Array([82, 73, 70, 70, 0, 255])], 'tone 1.wav');
    expect(await uploadFile(fetch, uploadUrl({ protocol: 'http:', host }, 'tok', file.name), file)).toBe('u42');
    expect(seen).toEqual([{ bytes: [82, 73, 70, 70, 0, 255], name: 'tone 1.wav', token: 'tok' }]);
  });

  it('turns a refused connection into a typed I/O error', async () => {
    const host = await start(() => [200, '{}']);
    await new Promise<void>((resolve) => server!.close(() => resolve()));
    server = undefined;
    const error = await uploadFile(fetch, `http://${host}/upload`, new Blob([new Uint8Array(4)])).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LoaError);
    expect((error as LoaError).code).toBe('IO_FAILED');
  });
});
