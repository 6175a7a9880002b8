import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { createSocketStudioClient, type SocketStudioClient, type WebSocketFactory } from './ws-studio-client.ts';

/** A studio stand-in that takes only one token (as a restarted server with a new token would) and names itself in answers. */
async function tokenServer(name: string, token: string): Promise<{ wss: WebSocketServer; url: (t: string) => string }> {
  const wss = new WebSocketServer({
    port: 0,
    host: '127.0.0.1',
    verifyClient: (info: { req: { url?: string } }) => new URL(info.req.url ?? '/', 'http://x').searchParams.get('token') === token,
  });
  await new Promise((resolve) => wss.once('listening', resolve));
  wss.on('connection', (ws) =>
    ws.on('message', (data) => {
      const { id, method } = JSON.parse(data.toString());
      ws.send(JSON.stringify({ id, ok: true, result: { server: name, method } }));
    }),
  );
  const port = (wss.address() as AddressInfo).port;
  return { wss, url: (t) => `ws://127.0.0.1:${port}/api?token=${t}` };
}

describe('socket client: a new link in the same tab', () => {
  const servers: WebSocketServer[] = [];
  const clients: SocketStudioClient[] = [];
  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    for (const wss of servers.splice(0)) {
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    }
  });

  it('knocks with a refused token until setUrl gives the new one, then connects at once and sends the waiting calls', async () => {
    const { wss, url } = await tokenServer('restarted', 'new-token');
    servers.push(wss);
    const states: string[] = [];
    // Long backoff: only setUrl's immediate connect can make the call answer within the test.
    const client = createSocketStudioClient({ url: url('old-token'), WebSocket: WebSocket as unknown as WebSocketFactory, backoffMs: 60_000 });
    clients.push(client);
    client.onConnectionChange((state) => states.push(state));
    await expect.poll(() => states.includes('closed')).toBe(true);
    const waiting = client.call('listJobs', []);
    client.setUrl(url('new-token'));
    expect(await waiting).toEqual({ server: 'restarted', method: 'listJobs' });
    expect(states.at(-1)).toBe('open');
  });

  it('moves an open connection to the new URL, failing only the calls in flight', async () => {
    const a = await tokenServer('a', 't1');
    const b = await tokenServer('b', 't2');
    servers.push(a.wss, b.wss);
    const client = createSocketStudioClient({ url: a.url('t1'), WebSocket: WebSocket as unknown as WebSocketFactory });
    clients.push(client);
    expect(await client.call('listTakes', [])).toEqual({ server: 'a', method: 'listTakes' });
    client.setUrl(b.url('t2'));
    expect(await client.call('listTakes', [])).toEqual({ server: 'b', method: 'listTakes' });
    await expect.poll(() => a.wss.clients.size).toBe(0);
  });
});
