/**
 * Browser mode against the real thing: a real server on 127.0.0.1, the real StudioService running
 * the real engine on models/tiny with a library in a temp folder, and real `ws` clients (through the
 * renderer's own WebSocket client where a typed API is wanted).
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { LoaError } from '../../shared/errors.ts';
import type { StudioEvent, TakeInfo } from '../../shared/studio/studio-api.ts';
import { webStudioClient, type StudioClient } from '../../renderer/src/api/studio-client.ts';
import type { WebSocketFactory } from '../../renderer/src/api/ws-studio-client.ts';
import type { StudioService } from '../studio/studio-service.ts';
import { decodeWav, encodeWav } from '../audio/wav.ts';
import { resolveMediaPath } from '../studio/media-paths.ts';
import type { StudioWebServer } from './studio-web-server.ts';
import { newToken } from './token.ts';
import { startTestStudioWeb, type TestStudioWeb } from './web-test-server.fixture.ts';

const TINY = resolve(import.meta.dirname, '../../../models/tiny');

/** Opens a socket and reports how the handshake went: 'open' or the HTTP status it was refused with. */
function handshake(url: string, headers: Record<string, string> = {}): Promise<'open' | number> {
  return new Promise((done) => {
    const ws = new WebSocket(url, { headers });
    ws.on('open', () => {
      ws.close();
      done('open');
    });
    ws.on('unexpected-response', (_req, res) => done(res.statusCode ?? 0));
    ws.on('error', () => done(-1));
  });
}

async function until<T>(probe: () => T | undefined, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Nothing arrived within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('studio web server (real service on models/tiny)', () => {
  let token: string;
  let service: StudioService;
  let server: StudioWebServer;
  let api: StudioClient;
  let web: TestStudioWeb;
  const events: StudioEvent[] = [];

  beforeAll(async () => {
    web = await startTestStudioWeb({ bundleDir: TINY });
    ({ token, service, server } = web);
    api = webStudioClient(`ws://127.0.0.1:${server.port}/api?token=${token}`, WebSocket as unknown as WebSocketFactory);
    api.onEvent((event) => events.push(event));
  });

  afterAll(async () => {
    api?.close?.();
    await web?.close();
  });

  const http = (path: string, init?: RequestInit) => fetch(`${server.origin}${path}`, init);

  // How soon it answers is a benchmark's figure (bench:studio), not a test's.
  it('answers the API while the model loads in the background', async () => {
    const status = await api.getModelStatus();
    expect(['loading', 'ready']).toContain(status.state);
  });

  it('serves the page with the production CSP, naming its own WebSocket origin', async () => {
    const page = await http('/');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = page.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("worker-src 'self' blob:");
    expect(csp).toContain(`connect-src 'self' ws://127.0.0.1:${server.port}`);
    expect((await http('/assets/index.js')).status).toBe(200);
    expect((await http('/nope.js')).status).toBe(404);
    expect((await http('/', { method: 'POST' })).status).toBe(405);
  });

  it('takes a reference upload with the token from its own origin, and imports it over the socket', async () => {
    const wav = encodeWav([Float32Array.from({ length: 22050 }, (_, i) => 0.3 * Math.sin(i / 4))], 22050, 'pcm16');
    expect((await http('/upload?name=a.wav', { method: 'POST', body: wav })).status).toBe(401);
    expect((await http(`/upload?token=${token}`, { method: 'POST', body: wav, headers: { Origin: 'http://evil.example' } })).status).toBe(401);
    const empty = await http(`/upload?token=${token}`, { method: 'POST', body: new Uint8Array(0) });
    expect(empty.status).toBe(400);
    expect(((await empty.json()) as { error: { message: string } }).error.message).toMatch(/empty/);
    const ok = await http(`/upload?token=${token}&name=a.wav`, { method: 'POST', body: wav });
    expect(ok.status).toBe(200);
    const { uploadId } = (await ok.json()) as { uploadId: string };
    await until(() => (events.some((e) => e.type === 'model' && e.status.state === 'ready') ? true : undefined), 120_000).catch(() => undefined);
    const ref = await api.importReference({ kind: 'upload', uploadId, name: 'a.wav' });
    expect(ref).toMatchObject({ name: 'a.wav', sampleRate: 16000, samples: 16000 });
    const media = await http(ref.audioUrl);
    expect(media.status).toBe(200);
    expect(decodeWav(new Uint8Array(await media.arrayBuffer())).channels[0].length).toBe(16000);
  });

  it('refuses a server path as a reference source in browser mode', async () => {
    const error = await api.importReference({ kind: 'file', path: '/etc/passwd' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LoaError);
    expect((error as LoaError).message).toMatch(/comes as an upload, not a path on the server/);
  });

  it('refuses the socket without the token, with a wrong one, or from another origin (401)', async () => {
    const base = `ws://127.0.0.1:${server.port}`;
    expect(await handshake(`${base}/api`)).toBe(401);
    expect(await handshake(`${base}/api?token=${newToken()}`)).toBe(401);
    expect(await handshake(`${base}/api?token=${token.slice(0, -1)}`)).toBe(401);
    expect(await handshake(`${base}/other?token=${token}`)).toBe(401);
    expect(await handshake(`${base}/api?token=${token}`, { Origin: 'http://evil.example' })).toBe(401);
    expect(await handshake(`${base}/api?token=${token}`, { Origin: `http://127.0.0.1:${server.port}` })).toBe('open');
    expect((await http('/api')).status).toBe(401);
  });

  it('refuses media without the token, or with a wrong one (401)', async () => {
    expect((await http('/media/take/anything')).status).toBe(401);
    expect((await http(`/media/take/anything?token=${newToken()}`)).status).toBe(401);
  });

  it('rejects an invalid payload with a typed error naming the field', async () => {
    const error = await api.updateTake('take-1', { rating: 7 as 0 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LoaError);
    expect(error).toMatchObject({ name: 'InvalidRequestError', code: 'INVALID_REQUEST', field: 'rating' });
    const raw = await new Promise<unknown>((done) => {
      const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api?token=${token}`);
      ws.on('open', () => ws.send(JSON.stringify({ id: 7, method: 'generate', args: [{ prompt: 'x', steps: -3 }] })));
      ws.on('message', (data) => {
        done(JSON.parse(data.toString()));
        ws.close();
      });
    });
    expect(raw).toMatchObject({ id: 7, ok: false, error: { code: 'INVALID_REQUEST', field: 'steps' } });
  });

  describe('a generated take', () => {
    let take: TakeInfo;

    beforeAll(async () => {
      const job = await api.generate({ prompt: 'rain on a tin roof', seconds: 1, steps: 2, takes: 1, seed: 7 });
      const finished = (e: StudioEvent) => e.type === 'job' && e.job.jobId === job.jobId && ['done', 'failed', 'cancelled'].includes(e.job.state);
      const done = await until(() => events.find(finished), 60_000);
      expect(done).toMatchObject({ job: { state: 'done' } });
      const takeEvent = events.find((e): e is { type: 'take'; take: TakeInfo } => e.type === 'take' && e.take.jobId === job.jobId);
      take = takeEvent!.take;
    }, 90_000);

    it("pushed 'job' progress and 'take' events to the socket", () => {
      expect(events.some((e) => e.type === 'job' && e.job.state === 'running')).toBe(true);
      expect(take).toMatchObject({ seed: 7, sampleRate: 16000, samples: 16000 });
      expect(take.audioUrl).toBe(`/media/take/${take.id}?token=${token}`);
    });

    it('serves its WAV over /media: the right bytes, and 206 for a Range', async () => {
      const onDisk = await readFile(await resolveMediaPath(service, 'take', take.id));
      const whole = await http(take.audioUrl);
      expect(whole.status).toBe(200);
      expect(whole.headers.get('content-type')).toBe('audio/wav');
      const bytes = Buffer.from(await whole.arrayBuffer());
      expect(bytes.equals(onDisk)).toBe(true);
      expect(bytes.subarray(0, 4).toString('latin1')).toBe('RIFF');
      const part = await http(take.audioUrl, { headers: { Range: 'bytes=44-1067' } });
      expect(part.status).toBe(206);
      expect(part.headers.get('content-range')).toBe(`bytes 44-1067/${onDisk.length}`);
      expect(Buffer.from(await part.arrayBuffer()).equals(onDisk.subarray(44, 1068))).toBe(true);
    });

    it('serves a rendered export (the drag-out file) by name', async () => {
      const exported = await api.prepareDrag(take.id, { start: 0.1, end: 0.6 });
      expect(exported.url).toBe(`/media/export/${encodeURIComponent(exported.fileName)}?token=${token}`);
      const response = await http(exported.url);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('audio/wav');
      expect(Buffer.from(await response.arrayBuffer()).equals(await readFile(exported.path))).toBe(true);
    });

    it('answers 404 to traversal attempts, even with the token', async () => {
      for (const path of [
        '/media/take/..%2f..%2fetc%2fpasswd',
        '/media/take/..%2f..%2fconfig%2fsettings.json',
        '/media/export/..%2fsettings.json',
        '/media/export/%2e%2e',
        '/media/take/%2e%2e%2f%2e%2e%2fetc%2fpasswd',
        '/media/model/unet.onnx',
        `/media/take/${take.id}%2f..`,
      ]) {
        expect((await http(`${path}?token=${token}`)).status, path).toBe(404);
      }
      expect((await http('/..%2f..%2f..%2fetc%2fpasswd')).status).toBe(404);
    });
  });
});
