/**
 * Browser-mode transport: the Studio API over one WebSocket (`src/shared/studio/rpc.ts`).
 * Requests made while disconnected wait and go out on reconnect; requests in flight when the socket
 * drops fail (they may already have run, and `generate` must not run twice).
 * The WebSocket class is injected so the same code runs in Chromium and in Node tests (`ws`).
 */
import { LoaError, fromErrorEnvelope } from '../../../shared/errors.ts';
import { parseServerMessage, type RpcRequest } from '../../../shared/studio/rpc.ts';
import type { StudioEvent, StudioMethod } from '../../../shared/studio/studio-api.ts';

/** The part of the WHATWG WebSocket this client uses (the browser's and `ws`'s both fit). */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: unknown) => void) | null;
  onerror: ((event: unknown) => void) | null;
}
export type WebSocketFactory = new (url: string) => WebSocketLike;

export type ConnectionState = 'connecting' | 'open' | 'closed';

export interface SocketClientOptions {
  url: string;
  WebSocket: WebSocketFactory;
  /** First reconnect delay; doubles on every failure up to `maxBackoffMs`. */
  backoffMs?: number;
  maxBackoffMs?: number;
}

export interface SocketStudioClient {
  call(method: StudioMethod, args: unknown[]): Promise<unknown>;
  onEvent(listener: (event: StudioEvent) => void): () => void;
  /** Lets the UI show "reconnecting…" and refetch lists after a reconnect. */
  onConnectionChange(listener: (state: ConnectionState) => void): () => void;
  /**
   * Connects to another URL from now on (a new link pasted into the tab: a new token). An open
   * socket is closed (its calls in flight fail as on any drop) and the new one is tried at once.
   */
  setUrl(url: string): void;
  close(): void;
}

const OPEN = 1;

export function connectionLostError(): LoaError {
  return new LoaError('IO_FAILED', 'Lost the connection to the studio server before it answered.', 'Check that `npm run studio:web` is still running; the page reconnects by itself. Then try again.');
}

export function createSocketStudioClient(options: SocketClientOptions): SocketStudioClient {
  const backoffMs = options.backoffMs ?? 250;
  const maxBackoffMs = options.maxBackoffMs ?? 5_000;
  const inFlight = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  const waiting: RpcRequest[] = [];
  const eventListeners = new Set<(event: StudioEvent) => void>();
  const stateListeners = new Set<(state: ConnectionState) => void>();
  let nextId = 1;
  let delay = backoffMs;
  let socket: WebSocketLike | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;
  let url = options.url;

  const setState = (state: ConnectionState) => stateListeners.forEach((listener) => listener(state));

  function connect(): void {
    setState('connecting');
    const ws = new options.WebSocket(url);
    socket = ws;
    ws.onopen = () => {
      delay = backoffMs;
      setState('open');
      for (const request of waiting.splice(0)) ws.send(JSON.stringify(request));
    };
    ws.onmessage = (event) => {
      const message = parseServerMessage(String(event.data));
      if ('event' in message) {
        eventListeners.forEach((listener) => listener(message.event));
        return;
      }
      const pending = inFlight.get(message.id);
      if (!pending) return;
      inFlight.delete(message.id);
      if (message.ok) pending.resolve(message.result);
      else pending.reject(fromErrorEnvelope(message.error));
    };
    // `error` is always followed by `close`; reconnecting is handled there.
    ws.onerror = () => undefined;
    ws.onclose = () => {
      if (socket !== ws) return;
      socket = undefined;
      for (const [id, pending] of inFlight) {
        if (waiting.some((request) => request.id === id)) continue;
        inFlight.delete(id);
        pending.reject(connectionLostError());
      }
      setState('closed');
      if (closed) return;
      timer = setTimeout(connect, delay);
      delay = Math.min(delay * 2, maxBackoffMs);
    };
  }

  connect();

  return {
    call(method, args) {
      if (closed) return Promise.reject(connectionLostError());
      const request: RpcRequest = { id: nextId++, method, args };
      return new Promise((resolve, reject) => {
        inFlight.set(request.id, { resolve, reject });
        if (socket && socket.readyState === OPEN) socket.send(JSON.stringify(request));
        else waiting.push(request);
      });
    },
    onEvent(listener) {
      eventListeners.add(listener);
      return () => eventListeners.delete(listener);
    },
    onConnectionChange(listener) {
      stateListeners.add(listener);
      return () => stateListeners.delete(listener);
    },
    setUrl(next) {
      if (closed || next === url) return;
      url = next;
      delay = backoffMs;
      clearTimeout(timer);
      const current = socket;
      if (current) {
        // Its onclose would schedule a retry with backoff; this one connects now instead.
        current.onclose = null;
        socket = undefined;
        current.close(1000, 'new link');
        for (const [id, pending] of inFlight) {
          if (waiting.some((request) => request.id === id)) continue;
          inFlight.delete(id);
          pending.reject(connectionLostError());
        }
        setState('closed');
      }
      connect();
    },
    close() {
      closed = true;
      clearTimeout(timer);
      socket?.close(1000, 'client closed');
      for (const pending of inFlight.values()) pending.reject(connectionLostError());
      inFlight.clear();
      waiting.length = 0;
    },
  };
}
