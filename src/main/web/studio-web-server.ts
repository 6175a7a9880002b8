/**
 * Browser mode: the built renderer, the Studio API over a WebSocket and the media files over HTTP,
 * on one port. Same service, same validation (dispatchCall) and same CSP as the Electron app, so
 * the renderer runs unchanged in any Chromium. The token guards /api and /media; the static page
 * itself holds no data and reads the token from its URL fragment, which browsers never send.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { RpcResponse } from '../../shared/studio/rpc.ts';
import { parseClientRequest } from '../../shared/studio/rpc.ts';
import type { StudioApi } from '../../shared/studio/studio-api.ts';
import { InvalidRequestError, toErrorEnvelope } from '../../shared/errors.ts';
import { dispatchCall, type CallGuard } from '../studio/dispatch.ts';
import { MAX_UPLOAD_BYTES, type UploadStore } from '../studio/upload-store.ts';
import { contentSecurityPolicy, securityHeaders } from './csp.ts';
import { fileResponse, sendResponse } from './file-response.ts';
import { mediaResponse, type MediaResolver } from './media-request.ts';
import { resolveStaticFile } from './static-files.ts';
import { tokenMatches } from './token.ts';

export interface StudioWebServerOptions {
  service: StudioApi;
  resolveMedia: MediaResolver;
  /** The built renderer (out/renderer). */
  rendererDir: string;
  host: string;
  /** 0 picks a free port. */
  port: number;
  token: string;
  log: (message: string) => void;
  /** Where `POST /upload` puts dropped reference files until importReference takes them. */
  uploads?: UploadStore;
}

/**
 * A browser may be on another machine (bind address opt-in): it names no path on this one. Files
 * reach the studio as uploads instead.
 */
export const browserGuard: CallGuard = (call) => {
  if ((call.method === 'importReference' || call.method === 'readRecipe') && call.args[0].kind === 'file') {
    throw new InvalidRequestError('source.kind', 'In browser mode a reference comes as an upload, not a path on the server.', 'Drop the file on the reference lane.');
  }
};

/** Reads a request body up to `limit` bytes; null when it is longer (the rest is not read). */
async function readBody(req: IncomingMessage, limit: number): Promise<Uint8Array | null> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return null;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      req.destroy();
      return null;
    }
    chunks.push(chunk as Buffer);
  }
  return new Uint8Array(Buffer.concat(chunks));
}

export interface StudioWebServer {
  /** http://host:port/#token=… — the one line the CLI prints. */
  readonly pageUrl: string;
  readonly origin: string;
  readonly port: number;
  close(): Promise<void>;
}

/** The browser's limit on one frame is generous; ours only has to fit a request or a settings patch. */
const MAX_FRAME_BYTES = 1 << 20;

export async function startStudioWebServer(options: StudioWebServerOptions): Promise<StudioWebServer> {
  const { service, token, log } = options;
  const sockets = new Set<WebSocket>();
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });

  // connect-src names the exact ws origin the page was loaded from (works for 127.0.0.1, localhost or a LAN name).
  const headersFor = (req: IncomingMessage) => securityHeaders(contentSecurityPolicy({ connect: req.headers.host ? [`ws://${req.headers.host}`] : [] }));

  async function handleHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://studio.invalid');
    const headers = headersFor(req);
    const method = req.method ?? 'GET';
    if (url.pathname === '/upload' && method === 'POST') {
      await handleUpload(req, res, url, headers);
      return;
    }
    if (method !== 'GET' && method !== 'HEAD') {
      res.writeHead(405, { ...headers, Allow: 'GET, HEAD' }).end();
      return;
    }
    if (url.pathname === '/api') {
      res.writeHead(tokenMatches(url.searchParams.get('token'), token) ? 426 : 401, headers).end();
      return;
    }
    const media = /^\/media\/([^/]+)\/([^/]+)$/.exec(url.pathname);
    if (url.pathname.startsWith('/media/')) {
      if (!tokenMatches(url.searchParams.get('token'), token)) {
        res.writeHead(401, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' }).end('Unauthorized');
        return;
      }
      const kind = media?.[1] ?? '';
      const response = await mediaResponse(options.resolveMedia, kind, media?.[2] ?? '', { range: req.headers.range, method, headers });
      await sendResponse(res, response);
      return;
    }
    const file = resolveStaticFile(options.rendererDir, url.pathname);
    const response = file ? await fileResponse(file, { method, headers }) : null;
    if (!response || response.status === 404) {
      res.writeHead(404, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' }).end('Not found');
      return;
    }
    await sendResponse(res, response);
  }

  async function handleUpload(req: IncomingMessage, res: ServerResponse, url: URL, headers: Record<string, string>): Promise<void> {
    const json = (status: number, body: unknown) => res.writeHead(status, { ...headers, 'Content-Type': 'application/json' }).end(JSON.stringify(body));
    const origin = req.headers.origin;
    // Like the socket: a token, and no other site's page posting with it.
    if (!tokenMatches(url.searchParams.get('token'), token) || (origin !== undefined && origin !== `http://${req.headers.host}`)) {
      json(401, { error: toErrorEnvelope(new InvalidRequestError('token', 'Unauthorized upload.', 'Open the studio from the link `npm run studio:web` printed.')) });
      return;
    }
    if (!options.uploads) {
      json(404, { error: toErrorEnvelope(new InvalidRequestError('upload', 'This server takes no uploads.')) });
      return;
    }
    const bytes = await readBody(req, MAX_UPLOAD_BYTES);
    if (bytes === null) {
      json(413, { error: toErrorEnvelope(new InvalidRequestError('upload', `The file is larger than ${MAX_UPLOAD_BYTES / 1024 ** 2} MB.`, 'Trim the clip first.')) });
      return;
    }
    if (bytes.length === 0) {
      json(400, { error: toErrorEnvelope(new InvalidRequestError('upload', 'The file is empty (0 bytes).', 'Choose a sound file.')) });
      return;
    }
    json(200, { uploadId: await options.uploads.put(bytes) });
  }

  function handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://studio.invalid');
    // Cross-site WebSocket hijacking: a page from another origin may not open our socket, even
    // with a stolen token. Browsers always send Origin; non-browser clients (tests) may omit it.
    const origin = req.headers.origin;
    const sameOrigin = origin === undefined || origin === `http://${req.headers.host}`;
    if (url.pathname !== '/api' || !tokenMatches(url.searchParams.get('token'), token) || !sameOrigin) {
      log(`Refused a WebSocket from ${req.socket.remoteAddress ?? '?'} (${url.pathname === '/api' ? (sameOrigin ? 'bad token' : `origin ${origin}`) : url.pathname})`);
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => onSocket(ws));
  }

  function onSocket(ws: WebSocket): void {
    sockets.add(ws);
    ws.on('close', () => sockets.delete(ws));
    ws.on('error', (error) => log(`WebSocket error: ${error.message}`));
    ws.on('message', (data, isBinary) => {
      const request = isBinary ? null : parseClientRequest(data.toString());
      if (!request) {
        ws.close(1003, 'Expected a JSON request {id, method, args}.');
        return;
      }
      void dispatchCall(service, request.method, request.args, (method, error) => log(`${method} failed unexpectedly: ${(error as Error)?.stack ?? String(error)}`), browserGuard).then((outcome) => {
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ id: request.id, ...outcome } satisfies RpcResponse));
      });
    });
  }

  const unsubscribe = service.onEvent((event) => {
    const frame = JSON.stringify({ event });
    for (const ws of sockets) if (ws.readyState === ws.OPEN) ws.send(frame);
  });

  const server = createServer((req, res) => {
    handleHttp(req, res).catch((error: unknown) => {
      log(`HTTP ${req.method} ${req.url?.replace(/token=[^&]*/, 'token=…')} failed: ${String(error)}`);
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    });
  });
  server.on('upgrade', handleUpgrade);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });

  const port = (server.address() as AddressInfo).port;
  const hostInUrl = options.host.includes(':') ? `[${options.host}]` : options.host;
  const origin = `http://${hostInUrl}:${port}`;
  return {
    pageUrl: `${origin}/#token=${token}`,
    origin,
    port,
    async close() {
      unsubscribe();
      for (const ws of sockets) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
