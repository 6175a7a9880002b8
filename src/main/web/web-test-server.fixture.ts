// Test harness shared by the browser-mode hardening specs and fuzz/web-*.fuzz.ts: the real server
// with a real StudioService (no model unless one is named: then it starts in moments) on 127.0.0.1 in a
// temp folder, plus a raw-socket client that sends exactly the bytes it is given. Not a spec itself.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveMediaPath } from '../studio/media-paths.ts';
import { StudioService } from '../studio/studio-service.ts';
import { UploadStore } from '../studio/upload-store.ts';
import { startStudioWebServer, type StudioWebServer } from './studio-web-server.ts';
import { newToken } from './token.ts';

export interface TestStudioWeb {
  server: StudioWebServer;
  service: StudioService;
  token: string;
  /** The temp folder: config/, library/, renderer/ (a two-file stand-in page). */
  dir: string;
  logs: string[];
  close(): Promise<void>;
}

/**
 * `settings`: a settings.json the config folder holds before the studio starts (as a user's would).
 * `bundleDir`: a model for the studio to load (in the background, as the real server does).
 */
export async function startTestStudioWeb(options: { allowRoots?: string[]; settings?: Record<string, unknown>; heartbeatMs?: number; bundleDir?: string } = {}): Promise<TestStudioWeb> {
  const dir = await mkdtemp(join(tmpdir(), 'loa-web-hard-'));
  const rendererDir = join(dir, 'renderer');
  await mkdir(join(rendererDir, 'assets'), { recursive: true });
  await writeFile(join(rendererDir, 'index.html'), '<!doctype html><title>LOA Studio</title>');
  await writeFile(join(rendererDir, 'assets', 'index.js'), 'export {};');
  if (options.settings) {
    await mkdir(join(dir, 'config'), { recursive: true });
    await writeFile(join(dir, 'config', 'settings.json'), JSON.stringify(options.settings));
  }
  const token = newToken();
  const uploads = new UploadStore(join(dir, 'config', 'uploads'));
  const service = new StudioService({
    uploads,
    configDir: join(dir, 'config'),
    libraryDir: join(dir, 'library'),
    ...(options.bundleDir ? { bundleDir: options.bundleDir } : {}),
    mediaUrl: (kind, id) => `/media/${kind}/${encodeURIComponent(id)}?token=${token}`,
  });
  await service.whenReady();
  const logs: string[] = [];
  const server = await startStudioWebServer({
    service,
    resolveMedia: (kind, id) => resolveMediaPath(service, kind, id),
    rendererDir,
    host: '127.0.0.1',
    port: 0,
    token,
    log: (line) => logs.push(line),
    uploads,
    allowRoots: options.allowRoots,
    heartbeatMs: options.heartbeatMs,
  });
  return {
    server,
    service,
    token,
    dir,
    logs,
    async close() {
      await server.close();
      await service.dispose();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface RawExchange {
  /** Everything the server sent before it closed the connection or the time ran out. */
  text: string;
  /** Whether the server closed the connection (rather than the time running out). */
  closed: boolean;
}

/**
 * Sends `bytes` on a fresh TCP connection to 127.0.0.1:`port` and collects the answer: until the
 * server closes, or `quietMs` after the last byte arrived (a kept-alive connection), or `timeoutMs`
 * with nothing at all. The client does not half-close: Node's server drops a request whose client has.
 */
export function rawExchange(port: number, bytes: string | Uint8Array, timeoutMs = 2_000, quietMs = 150): Promise<RawExchange> {
  return new Promise((done) => {
    const chunks: Buffer[] = [];
    const socket = connect({ host: '127.0.0.1', port });
    let settled = false;
    const finish = (closed: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      done({ text: Buffer.concat(chunks).toString('latin1'), closed });
    };
    let timer = setTimeout(() => finish(false), timeoutMs);
    socket.on('data', (chunk) => {
      chunks.push(chunk);
      clearTimeout(timer);
      timer = setTimeout(() => finish(false), quietMs);
    });
    socket.on('error', () => finish(true));
    socket.on('close', () => finish(true));
    socket.on('connect', () => socket.write(typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes));
  });
}

/** The status code of the first response line, or null when there was none. */
export function statusOf(exchange: RawExchange): number | null {
  const match = /^HTTP\/1\.[01] (\d{3})/.exec(exchange.text);
  return match ? Number(match[1]) : null;
}
