import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { InvalidRequestError, LoaError, toErrorEnvelope } from '../../../shared/errors.ts';
import type { StudioBridge } from '../../../shared/studio/bridge.ts';
import type { StudioEvent } from '../../../shared/studio/studio-api.ts';
import { electronStudioClient, tokenFromLocation, webSocketUrl, webStudioClient } from './studio-client.ts';
import type { WebSocketFactory } from './ws-studio-client.ts';

describe('locating the browser-mode socket', () => {
  it('reads the token from the fragment first, then the query', () => {
    expect(tokenFromLocation({ hash: '#token=abc_-1', search: '' })).toBe('abc_-1');
    expect(tokenFromLocation({ hash: '', search: '?token=q' })).toBe('q');
    expect(tokenFromLocation({ hash: '#other=1', search: '' })).toBeNull();
  });
  it('builds ws:// or wss:// on the page host', () => {
    expect(webSocketUrl({ protocol: 'http:', host: '127.0.0.1:5173' }, 'a+b')).toBe('ws://127.0.0.1:5173/api?token=a%2Bb');
    expect(webSocketUrl({ protocol: 'https:', host: 'studio.lan' }, 't')).toBe('wss://studio.lan/api?token=t');
  });
});

describe('electron client', () => {
  it('unwraps results and rebuilds typed errors from the bridge envelope', async () => {
    const listeners: Array<(event: StudioEvent) => void> = [];
    const drags: unknown[] = [];
    const bridge: StudioBridge = {
      call: async (method, ...args) =>
        method === 'updateTake' ? { ok: false, error: toErrorEnvelope(new InvalidRequestError('rating', 'rating must be 0 to 5')) } : { ok: true, result: { method, args } },
      onEvent: (listener) => {
        listeners.push(listener);
        return () => listeners.splice(listeners.indexOf(listener), 1);
      },
      startDrag: (takeId, region) => drags.push([takeId, region]),
      fileAction: async (action, takeId) =>
        takeId === 'gone' ? { ok: false, error: toErrorEnvelope(new InvalidRequestError('takeId', 'no such take')) } : (drags.push([action, takeId]), { ok: true, result: null }),
      pathForFile: () => '',
      pickFolder: async (purpose) => ({ ok: true, result: `/picked/${purpose}` }),
    };
    const api = electronStudioClient(bridge);
    expect(api.kind).toBe('electron');
    expect(await api.cancel('job-1')).toEqual({ method: 'cancel', args: ['job-1'] });
    const error = await api.updateTake('t', { rating: 9 as 0 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect((error as InvalidRequestError).field).toBe('rating');
    const seen: StudioEvent[] = [];
    const off = api.onEvent((e) => seen.push(e));
    listeners[0]({ type: 'export', done: 1, total: 2 });
    off();
    expect(listeners).toHaveLength(0);
    expect(seen).toEqual([{ type: 'export', done: 1, total: 2 }]);
    api.startDrag?.('t1', { start: 0, end: 1 });
    await api.fileAction?.('reveal', 't2');
    expect(drags).toEqual([
      ['t1', { start: 0, end: 1 }],
      ['reveal', 't2'],
    ]);
    // The keyboard's Copy file / Reveal in folder fails with the typed error, like any call.
    expect(await api.fileAction?.('copy', 'gone').catch((e: unknown) => e)).toBeInstanceOf(InvalidRequestError);
    // Browse…: the folder the person chose in main's dialog.
    expect(await api.pickFolder?.('model')).toBe('/picked/model');
  });
});

describe('reference from a file', () => {
  function bridgeWith(path: string, calls: unknown[][]): StudioBridge {
    return {
      call: async (method, ...args) => {
        calls.push([method, ...args]);
        return { ok: true, result: { id: 'ref-1' } };
      },
      onEvent: () => () => {},
      startDrag: () => {},
      fileAction: async () => ({ ok: true, result: null }),
      pathForFile: () => path,
      pickFolder: async () => ({ ok: true, result: null }),
    };
  }

  it('Electron: imports the file by its path on disk', async () => {
    const calls: unknown[][] = [];
    const api = electronStudioClient(bridgeWith('/home/me/tone.wav', calls));
    expect(await api.referenceFromFile(new File([new Uint8Array(2)], 'tone.wav'))).toEqual({ id: 'ref-1' });
    expect(calls).toEqual([['importReference', { kind: 'file', path: '/home/me/tone.wav' }]]);
  });

  it('Electron: reads the recipe of a dropped WAV by its path on disk', async () => {
    const calls: unknown[][] = [];
    const api = electronStudioClient(bridgeWith('/home/me/take.wav', calls));
    await api.recipeFromFile(new File([new Uint8Array(2)], 'take.wav'));
    expect(calls).toEqual([['readRecipe', { kind: 'file', path: '/home/me/take.wav' }]]);
  });

  it('Electron: a file with no path on disk is a typed error, not a call', async () => {
    const calls: unknown[][] = [];
    const api = electronStudioClient(bridgeWith('', calls));
    const error = await api.referenceFromFile(new File([], 'pasted.wav')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect((error as InvalidRequestError).hint).toMatch(/Save it/);
    expect(calls).toEqual([]);
  });
});

describe('web client over a real WebSocket', () => {
  let server: WebSocketServer | undefined;
  const clients: Array<{ close?(): void }> = [];
  afterEach(async () => {
    for (const client of clients.splice(0)) client.close?.();
    for (const ws of server?.clients ?? []) ws.terminate();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
  });

  /** A stand-in server: echoes calls, fails `updateTake` with a typed error, answers nothing to `generate`. */
  async function echoServer(port = 0): Promise<{ wss: WebSocketServer; url: string }> {
    const wss = new WebSocketServer({ port, host: '127.0.0.1' });
    await new Promise((resolve) => wss.once('listening', resolve));
    wss.on('connection', (ws) =>
      ws.on('message', (data) => {
        const { id, method, args } = JSON.parse(data.toString());
        if (method === 'generate') return;
        if (method === 'updateTake') ws.send(JSON.stringify({ id, ok: false, error: toErrorEnvelope(new InvalidRequestError('rating', 'bad rating')) }));
        else ws.send(JSON.stringify({ id, ok: true, result: { method, args } }));
      }),
    );
    server = wss;
    return { wss, url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/api?token=t` };
  }

  it('calls, rebuilds errors and fans out pushed events', async () => {
    const { wss, url } = await echoServer();
    const api = webStudioClient(url, WebSocket as unknown as WebSocketFactory);
    clients.push(api);
    expect(api.kind).toBe('web');
    expect(await api.listTakes()).toEqual({ method: 'listTakes', args: [] });
    await expect(api.updateTake('t', { rating: 9 as 0 })).rejects.toMatchObject({ name: 'InvalidRequestError', field: 'rating' });
    const seen: StudioEvent[] = [];
    const seenToo: StudioEvent[] = [];
    api.onEvent((e) => seen.push(e));
    api.onEvent((e) => seenToo.push(e));
    for (const client of wss.clients) client.send(JSON.stringify({ event: { type: 'export', done: 2, total: 3 } }));
    await expect.poll(() => seen.length).toBe(1);
    expect(seenToo).toEqual(seen);
  });

  it('uploads a file, then imports the upload by id', async () => {
    const { url } = await echoServer();
    const posted: { url: string; size: number }[] = [];
    const api = webStudioClient(url, WebSocket as unknown as WebSocketFactory, {
      url: (name) => `http://studio/upload?token=t&name=${encodeURIComponent(name)}`,
      fetch: async (target, init) => {
        posted.push({ url: target, size: init.body.size });
        return { ok: true, status: 200, text: async () => '{"uploadId":"up-7"}' };
      },
    });
    clients.push(api);
    const result = await api.referenceFromFile(new File([new Uint8Array(10)], 'a b.wav'));
    expect(posted).toEqual([{ url: 'http://studio/upload?token=t&name=a%20b.wav', size: 10 }]);
    expect(result).toEqual({ method: 'importReference', args: [{ kind: 'upload', uploadId: 'up-7', name: 'a b.wav' }] });
    // A dropped WAV's recipe travels the same way.
    expect(await api.recipeFromFile(new File([new Uint8Array(4)], 'take.wav'))).toEqual({ method: 'readRecipe', args: [{ kind: 'upload', uploadId: 'up-7' }] });
    expect(posted.at(-1)).toEqual({ url: 'http://studio/upload?token=t&name=take.wav', size: 4 });
  });

  it('fails calls in flight when the socket drops, reconnects, then sends again', async () => {
    const { wss, url } = await echoServer();
    const port = (wss.address() as AddressInfo).port;
    const api = webStudioClient(url, WebSocket as unknown as WebSocketFactory);
    clients.push(api);
    const states: string[] = [];
    api.onConnectionChange?.((s) => states.push(s));
    await api.listJobs();
    const pending = api.generate({ prompt: 'rain' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    await new Promise<void>((resolve) => {
      for (const client of wss.clients) client.terminate();
      wss.close(() => resolve());
    });
    const error = await pending.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LoaError);
    expect((error as LoaError).code).toBe('IO_FAILED');
    // Calls made while the server is down wait for the reconnect instead of failing.
    const later = api.listTakes();
    await echoServer(port);
    expect(await later).toEqual({ method: 'listTakes', args: [] });
    expect(states).toContain('closed');
    expect(states.at(-1)).toBe('open');
  });
});
