/**
 * Browser mode: the built renderer, the Studio API over a WebSocket and the media files over HTTP,
 * on one port. Same service, same validation (dispatchCall) and same CSP as the Electron app, so
 * the renderer runs unchanged in any Chromium. The token guards /api, /media, /upload and POST
 * /drag; the static page itself holds no data and reads the token from its URL fragment, which
 * browsers never send. `GET /drag/<id>` (drag-out) carries no token: a single-use id instead.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { encodeServerMessage, parseClientRequest, type RpcResponse } from '../../shared/studio/rpc.ts';
import type { StudioApi } from '../../shared/studio/studio-api.ts';
import { InvalidRequestError, LoaError, toErrorEnvelope } from '../../shared/errors.ts';
import { dispatchCall } from '../studio/dispatch.ts';
import { MAX_UPLOAD_BYTES, UploadTooLargeError, type UploadStore } from '../studio/upload-store.ts';
import { contentSecurityPolicy, securityHeaders } from './csp.ts';
import { DragDownloads, parseDragRegistration } from './drag-downloads.ts';
import { fileResponse, sendResponse } from './file-response.ts';
import { mediaResponse, type MediaResolver } from './media-request.ts';
import { parseHostHeader, parseRequestTarget } from './request-target.ts';
import { browserPathGuard, ServerPathPolicy } from './server-paths.ts';
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
  /**
   * Folders a page may name on the server (`--allow-root`); none by default, so a browser names no
   * server path at all: files reach the studio as uploads (server-paths.ts).
   */
  allowRoots?: readonly string[];
  /** How often each socket is pinged; one that has not answered the last ping by the next is dropped. */
  heartbeatMs?: number;
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
const HEARTBEAT_MS = 30_000;
/** Uploads received at once; each streams to disk, so this bounds open files, not memory. */
const MAX_UPLOADS_IN_FLIGHT = 4;
const UPLOAD_IDLE_MS = 30_000;
/** Far more than a few studio tabs need (each holds a socket plus a handful of media requests). */
const MAX_CONNECTIONS = 256;
/** Unsent bytes one socket may hold before it counts as stalled (a page reading normally stays near 0). */
const MAX_BUFFERED_BYTES = 64 << 20;
/** `{id, takeId, region}` is under 200 bytes. */
const MAX_DRAG_BODY = 4096;

export async function startStudioWebServer(options: StudioWebServerOptions): Promise<StudioWebServer> {
  const { service, token, log } = options;
  const sockets = new Set<WebSocket>();
  // No compression: a small deflated frame could inflate far past maxPayload's intent.
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES, perMessageDeflate: false });
  const guard = browserPathGuard(await ServerPathPolicy.create(options.allowRoots), () => service.getSettings());
  let uploadsInFlight = 0;
  const drags = new DragDownloads();

  // connect-src names the exact ws origin the page was loaded from (works for 127.0.0.1, localhost or a LAN name).
  // Only a Host that parseHostHeader accepted gets here, so it cannot add a directive of its own.
  const headersFor = (host: string | undefined) => securityHeaders(contentSecurityPolicy({ connect: host ? [`ws://${host}`] : [] }));

  async function handleHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = parseRequestTarget(req.url);
    // A request without Host (HTTP/1.0) is fine; one with a Host we cannot read is not.
    const host = req.headers.host === undefined ? undefined : parseHostHeader(req.headers.host);
    if (!url || host === null) {
      res.writeHead(400, { 'Content-Type': 'text/plain; charset=utf-8', Connection: 'close' }).end('Bad request');
      return;
    }
    const headers = headersFor(host);
    const method = req.method ?? 'GET';
    if (url.pathname === '/upload' && method === 'POST') {
      await handleUpload(req, res, url, host, headers);
      return;
    }
    if (url.pathname === '/drag' && method === 'POST') {
      await handleDragRegistration(req, res, url, host, headers);
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
    const drag = /^\/drag\/([^/]+)(?:\/[^/]*)?$/.exec(url.pathname);
    if (drag) {
      await handleDragDownload(res, drag[1], method, headers);
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

  async function handleUpload(req: IncomingMessage, res: ServerResponse, url: URL, host: string | undefined, headers: Record<string, string>): Promise<void> {
    const json = (status: number, body: unknown) => res.writeHead(status, { ...headers, 'Content-Type': 'application/json' }).end(JSON.stringify(body));
    const origin = req.headers.origin;
    // Like the socket: a token, and no other site's page posting with it.
    if (!tokenMatches(url.searchParams.get('token'), token) || (origin !== undefined && origin !== `http://${host}`)) {
      json(401, { error: toErrorEnvelope(new InvalidRequestError('token', 'Unauthorized upload.', 'Open the studio from the link `npm run studio:web` printed.')) });
      return;
    }
    if (!options.uploads) {
      json(404, { error: toErrorEnvelope(new InvalidRequestError('upload', 'This server takes no uploads.')) });
      return;
    }
    const tooLarge = () => json(413, { error: toErrorEnvelope(new UploadTooLargeError(MAX_UPLOAD_BYTES)) });
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > MAX_UPLOAD_BYTES) {
      tooLarge();
      return;
    }
    if (uploadsInFlight >= MAX_UPLOADS_IN_FLIGHT) {
      res.writeHead(503, { ...headers, 'Content-Type': 'application/json', 'Retry-After': '5' });
      res.end(JSON.stringify({ error: toErrorEnvelope(new InvalidRequestError('upload', 'The studio is receiving other files right now.', 'Drop the file again in a moment.')) }));
      return;
    }
    // A body that stops arriving is dropped rather than holding its file open until requestTimeout.
    req.setTimeout(UPLOAD_IDLE_MS, () => req.destroy(new Error('the upload stalled')));
    uploadsInFlight++;
    try {
      json(200, { uploadId: await options.uploads.receive(req, MAX_UPLOAD_BYTES) });
    } catch (error) {
      if (error instanceof UploadTooLargeError) {
        tooLarge();
        res.once('finish', () => req.destroy()); // the rest of the body is not read
      } else if (error instanceof LoaError) {
        json(400, { error: toErrorEnvelope(error) });
      } else if (req.destroyed) {
        res.destroy(); // the client went away or stalled: nobody to answer
      } else {
        throw error;
      }
    } finally {
      uploadsInFlight--;
    }
  }

  /** `POST /drag?token=…` `{id, takeId, region?}`: the page names the download id it is about to drag out. */
  async function handleDragRegistration(req: IncomingMessage, res: ServerResponse, url: URL, host: string | undefined, headers: Record<string, string>): Promise<void> {
    const json = (status: number, body: unknown) => res.writeHead(status, { ...headers, 'Content-Type': 'application/json' }).end(JSON.stringify(body));
    const origin = req.headers.origin;
    if (!tokenMatches(url.searchParams.get('token'), token) || (origin !== undefined && origin !== `http://${host}`)) {
      json(401, { error: toErrorEnvelope(new InvalidRequestError('token', 'Unauthorized drag.', 'Open the studio from the link `npm run studio:web` printed.')) });
      return;
    }
    let body = '';
    for await (const chunk of req) {
      body += String(chunk);
      if (body.length > MAX_DRAG_BODY) {
        json(413, { error: toErrorEnvelope(new InvalidRequestError('drag', 'The drag registration is too large.')) });
        res.once('finish', () => req.destroy());
        return;
      }
    }
    try {
      const { id, request } = parseDragRegistration(body);
      if (!drags.register(id, request)) throw new InvalidRequestError('drag.id', 'That download id is taken, or too many drags are waiting.', 'Drag again.');
      res.writeHead(204, headers).end();
    } catch (error) {
      if (!(error instanceof LoaError)) throw error;
      json(400, { error: toErrorEnvelope(error) });
    }
  }

  /**
   * `GET /drag/<id>[/<name>]`, fetched by whatever the take was dropped on: no token (it would leave
   * the page); the id works once. Only now is the export rendered into the Exports folder.
   */
  async function handleDragDownload(res: ServerResponse, id: string, method: string, headers: Record<string, string>): Promise<void> {
    const notFound = () => res.writeHead(404, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' }).end('Not found');
    // A HEAD must not use up the id the GET that follows needs.
    const request = method === 'GET' ? await drags.claim(id) : null;
    if (!request) {
      notFound();
      return;
    }
    let exported;
    try {
      exported = await service.prepareDrag(request.takeId, request.region);
    } catch (error) {
      if (!(error instanceof LoaError)) throw error;
      log(`Drag-out of take ${request.takeId} failed: ${error.message}`);
      notFound();
      return;
    }
    const disposition = `attachment; filename="${exported.fileName.replace(/[^\x20-\x7e]|["\\]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(exported.fileName)}`;
    await sendResponse(res, await fileResponse(exported.path, { method, headers: { ...headers, 'Content-Disposition': disposition, 'Cache-Control': 'no-store' } }));
  }

  /** Answers a refused upgrade on the raw socket (there is no ServerResponse for an upgrade) and closes it. */
  function refuseUpgrade(socket: Duplex, status: 400 | 401): void {
    if (socket.destroyed) return;
    const reason = status === 400 ? 'Bad Request' : 'Unauthorized';
    socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`, () => socket.destroy());
  }

  // Node hands an upgrade's socket over with none of its own listeners, not even for 'error', and a
  // throw here is outside any request handler: so every byte is read without throwing, and anything
  // unforeseen still ends in an answer and a log line, never in the process exiting.
  function handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    try {
      const url = parseRequestTarget(req.url);
      const host = parseHostHeader(req.headers.host);
      if (!url || !host) {
        log(`Refused a WebSocket from ${req.socket.remoteAddress ?? '?'} (malformed request line or Host)`);
        refuseUpgrade(socket, 400);
        return;
      }
      // Cross-site WebSocket hijacking: a page from another origin may not open our socket, even
      // with a stolen token. Browsers always send Origin; non-browser clients (tests) may omit it.
      const origin = req.headers.origin;
      const sameOrigin = origin === undefined || origin === `http://${host}`;
      if (url.pathname !== '/api' || !tokenMatches(url.searchParams.get('token'), token) || !sameOrigin) {
        log(`Refused a WebSocket from ${req.socket.remoteAddress ?? '?'} (${url.pathname === '/api' ? (sameOrigin ? 'bad token' : 'foreign origin') : 'not /api'})`);
        refuseUpgrade(socket, 401);
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => onSocket(ws));
    } catch (error) {
      log(`WebSocket upgrade failed: ${String(error)}`);
      refuseUpgrade(socket, 400);
    }
  }

  /**
   * Sends one frame, unless the client has stopped reading: a socket whose unsent frames pile up
   * past MAX_BUFFERED_BYTES is dropped (the page reconnects), so a stalled client cannot grow the server.
   */
  function send(ws: WebSocket, frame: string): void {
    if (ws.readyState !== ws.OPEN) return;
    if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      log('Dropped a WebSocket that stopped reading its messages.');
      ws.terminate();
      return;
    }
    ws.send(frame);
  }

  // A peer that vanished without closing (sleep, a dropped network) would hold its socket and its
  // connection slot for ever; browsers answer pings by themselves, so silence means it is gone.
  const alive = new WeakSet<WebSocket>();
  const heartbeat = setInterval(() => {
    for (const ws of sockets) {
      if (!alive.has(ws)) {
        ws.terminate();
        continue;
      }
      alive.delete(ws);
      ws.ping();
    }
  }, options.heartbeatMs ?? HEARTBEAT_MS);
  heartbeat.unref();

  function onSocket(ws: WebSocket): void {
    sockets.add(ws);
    alive.add(ws);
    ws.on('pong', () => alive.add(ws));
    ws.on('close', () => sockets.delete(ws));
    ws.on('error', (error) => log(`WebSocket error: ${error.message}`));
    ws.on('message', (data, isBinary) => {
      const request = isBinary ? null : parseClientRequest(data.toString());
      if (!request) {
        ws.close(1003, 'Expected a JSON request {id, method, args}.');
        return;
      }
      void dispatchCall(service, request.method, request.args, (method, error) => log(`${method} failed unexpectedly: ${(error as Error)?.stack ?? String(error)}`), guard)
        .then((outcome) => send(ws, encodeServerMessage({ id: request.id, ...outcome } satisfies RpcResponse)))
        // An answer that cannot be encoded or sent must not become an unhandled rejection (which ends the process).
        .catch((error: unknown) => log(`Answering ${String(request.method).slice(0, 40)} failed unexpectedly: ${String(error)}`));
    });
  }

  const unsubscribe = service.onEvent((event) => {
    const frame = encodeServerMessage({ event });
    for (const ws of sockets) send(ws, frame);
  });

  const server = createServer((req, res) => {
    handleHttp(req, res).catch((error: unknown) => {
      log(`HTTP ${req.method} ${req.url?.replace(/token=[^&]*/, 'token=…')} failed: ${String(error)}`);
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    });
  });
  server.on('upgrade', handleUpgrade);
  // Bytes from the network arrive within limits: the header block within 20 s, a whole request
  // (an upload included) within 10 min, a silent connection is closed after 2 min, and at most
  // MAX_CONNECTIONS sockets are open at once. Malformed requests get Node's own 400 (clientError).
  server.headersTimeout = 20_000;
  server.requestTimeout = 600_000;
  server.timeout = 120_000;
  server.maxConnections = MAX_CONNECTIONS;
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
      clearInterval(heartbeat);
      for (const ws of sockets) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
