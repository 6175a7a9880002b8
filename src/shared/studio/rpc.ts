/**
 * The browser-mode wire format: JSON text frames on one WebSocket.
 * The renderer sends requests with its own ids; main answers each id once and pushes events
 * (no id) to every socket. Errors travel as `ErrorEnvelope`, the same as over Electron IPC.
 */
import type { ErrorEnvelope } from '../errors.ts';
import { packPeaksReplacer, unpackPeaksReviver } from './peaks-wire.ts';
import type { StudioEvent, StudioMethod } from './studio-api.ts';

export interface RpcRequest {
  id: number;
  method: StudioMethod;
  args: unknown[];
}

/** What every transport returns for one call: Electron IPC resolves to this too. */
export type CallOutcome = { ok: true; result: unknown } | { ok: false; error: ErrorEnvelope };

export type RpcResponse = { id: number } & CallOutcome;

export interface RpcPush {
  event: StudioEvent;
}

export type RpcServerMessage = RpcResponse | RpcPush;

/** Encodes one frame for the page: waveform peaks packed (peaks-wire.ts), everything else plain JSON. */
export function encodeServerMessage(message: RpcServerMessage): string {
  return JSON.stringify(message, packPeaksReplacer);
}

/** Decodes one frame from the server; anything else is a protocol bug worth a loud error. */
export function parseServerMessage(text: string): RpcServerMessage {
  const message = JSON.parse(text, unpackPeaksReviver) as unknown;
  if (typeof message === 'object' && message !== null) {
    if ('event' in message) return message as RpcPush;
    if ('id' in message && 'ok' in message) return message as RpcResponse;
  }
  throw new Error(`Unexpected message from the studio server: ${text.slice(0, 200)}`);
}

/**
 * Decodes one frame from a client. Only the envelope is checked here; the method name and the
 * arguments are validated by `validateCall` before anything runs.
 */
export function parseClientRequest(text: string): { id: number; method: unknown; args: unknown } | null {
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof message !== 'object' || message === null) return null;
  const { id, method, args } = message as Record<string, unknown>;
  if (typeof id !== 'number' || !Number.isSafeInteger(id)) return null;
  return { id, method, args };
}
