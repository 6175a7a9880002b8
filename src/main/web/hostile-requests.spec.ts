/**
 * Issue 12 §1 and §4 (the browser-mode half): bytes from the network, unauthenticated or not,
 * never throw outside a handler that answers. A real server with a real StudioService on
 * 127.0.0.1, driven by raw TCP sockets that send exactly the bytes under test.
 */
import { readdir } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { UploadStore, UploadTooLargeError } from '../studio/upload-store.ts';
import { parseHostHeader, parseRequestTarget } from './request-target.ts';
import { rawExchange, startTestStudioWeb, statusOf, type TestStudioWeb } from './web-test-server.fixture.ts';

const UPGRADE = 'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n';

describe('parseRequestTarget / parseHostHeader', () => {
  it('read ordinary targets and hosts', () => {
    expect(parseRequestTarget('/api?token=abc')?.searchParams.get('token')).toBe('abc');
    expect(parseRequestTarget('/media/take/x%2Fy')?.pathname).toBe('/media/take/x%2Fy');
    expect(['127.0.0.1:5173', 'localhost', 'studio.lan:80', '[::1]:5173'].map(parseHostHeader)).toEqual(['127.0.0.1:5173', 'localhost', 'studio.lan:80', '[::1]:5173']);
  });
  it('return null, never throw, for what they cannot read', () => {
    for (const target of ['//[', '//evil.example/api', '*', 'http://evil.example/', 'example.com:443', '', '/'.padEnd(9000, 'a'), undefined]) {
      expect(parseRequestTarget(target)).toBeNull();
    }
    for (const host of ['a b', "x; script-src 'unsafe-eval'", 'x/y', '[zz]', '', 'h'.repeat(300), undefined]) expect(parseHostHeader(host)).toBeNull();
  });
});

describe('hostile requests against a running browser-mode server', () => {
  let web: TestStudioWeb;
  let port: number;
  const alive = async () => statusOf(await rawExchange(port, 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'));

  beforeAll(async () => {
    web = await startTestStudioWeb();
    port = web.server.port;
  });
  afterAll(async () => {
    await web?.close();
  });

  it('answers `GET //[` with Upgrade: websocket with 400 and keeps serving (it used to end the process)', async () => {
    const answer = await rawExchange(port, `GET //[ HTTP/1.1\r\nHost: 127.0.0.1\r\n${UPGRADE}\r\n`);
    expect(statusOf(answer)).toBe(400);
    expect(answer.closed).toBe(true);
    expect(await alive()).toBe(200);
  });

  it('answers 400 to targets and Hosts it cannot read, on plain requests and upgrades alike', async () => {
    const targets = ['//[', '//evil.example/api', '*', 'http://evil.example/api', '/%zz?token=%ff'];
    for (const target of targets) {
      for (const upgrade of ['', UPGRADE]) {
        const answer = await rawExchange(port, `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\n${upgrade}\r\n`);
        expect([400, 401, 404], `${target} ${upgrade ? '(upgrade)' : ''}: ${answer.text.slice(0, 40)}`).toContain(statusOf(answer));
      }
    }
    // A Host that would add a CSP directive of its own, or a path, is refused before it reaches a header.
    for (const host of ["127.0.0.1; script-src 'unsafe-eval'", '127.0.0.1/x', '[::1']) {
      expect(statusOf(await rawExchange(port, `GET / HTTP/1.1\r\nHost: ${host}\r\n\r\n`))).toBe(400);
      expect(statusOf(await rawExchange(port, `GET /api?token=${web.token} HTTP/1.1\r\nHost: ${host}\r\n${UPGRADE}\r\n`))).toBe(400);
    }
    expect(await alive()).toBe(200);
  });

  it('fuzzer finding (seed 7, case 83, against the old server): `TRACE //` was a 500 with a logged TypeError; now 400', async () => {
    const input = 'TRACE // HTTP/1.1\r\nHost: 127.0.0.1\r\nRange: bytes=99999999999999999999-\r\nOrigin: http://evil.example\r\nRange: bytes=0-0,1-1\r\n\r\n';
    const before = web.logs.length;
    expect(statusOf(await rawExchange(port, input))).toBe(400);
    expect(web.logs.slice(before).filter((line) => /failed/.test(line))).toEqual([]);
  });

  it('survives a client that resets the connection while its upgrade is being refused', async () => {
    for (let i = 0; i < 20; i++) {
      await new Promise<void>((done) => {
        const socket = connect({ host: '127.0.0.1', port }, () => {
          socket.write(`GET /api?token=wrong HTTP/1.1\r\nHost: 127.0.0.1\r\n${UPGRADE}\r\n`);
          socket.resetAndDestroy();
          done();
        });
        socket.on('error', () => done());
      });
    }
    expect(await alive()).toBe(200);
  });

  it('answers a 100 000-deep argument over the socket with INVALID_REQUEST and logs no unexpected failure', async () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const reply = await new Promise<Record<string, unknown>>((done, fail) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/api?token=${web.token}`);
      ws.on('open', () => ws.send(`{"id":1,"method":"updateSettings","args":[{"theme":${deep}}]}`));
      ws.on('message', (data) => {
        const message = JSON.parse(data.toString()) as Record<string, unknown>;
        if ('id' in message) {
          ws.close();
          done(message);
        }
      });
      ws.on('error', fail);
    });
    expect(reply).toMatchObject({ id: 1, ok: false, error: { code: 'INVALID_REQUEST', field: 'args' } });
    expect(web.logs.filter((line) => /unexpectedly/.test(line))).toEqual([]);
  });

  it('closes a socket that sends a frame over 1 MB (maxPayload), and keeps serving', async () => {
    const code = await new Promise<number>((done) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/api?token=${web.token}`);
      ws.on('open', () => ws.send('x'.repeat((1 << 20) + 1)));
      ws.on('close', (closeCode) => done(closeCode));
      ws.on('error', () => undefined);
    });
    expect(code).toBe(1009); // "message too big"
    expect(await alive()).toBe(200);
  });

  it('refuses an upload that declares more than the limit before reading it (413)', async () => {
    const answer = await rawExchange(port, `POST /upload?token=${web.token} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: ${2 * 1024 ** 3}\r\n\r\nxxxx`);
    expect(statusOf(answer)).toBe(413);
    expect(answer.text).toMatch(/larger than 1024 MB/);
  });
});

describe('WebSocket heartbeat', () => {
  it('drops a socket whose peer stopped answering pings, and keeps one that answers', async () => {
    const web = await startTestStudioWeb({ heartbeatMs: 100 });
    try {
      const url = `ws://127.0.0.1:${web.server.port}/api?token=${web.token}`;
      const open = (autoPong: boolean) =>
        new Promise<WebSocket>((done) => {
          const ws = new WebSocket(url, { autoPong });
          ws.on('open', () => done(ws));
        });
      const [silent, answering] = await Promise.all([open(false), open(true)]);
      const closed = new Promise<number>((done) => silent.on('close', (code) => done(code)));
      expect(await closed).toBe(1006); // terminated: no close frame
      expect(answering.readyState).toBe(WebSocket.OPEN);
      answering.close();
    } finally {
      await web.close();
    }
  });
});

describe('UploadStore.receive', () => {
  it('streams to disk, and stops at the limit with nothing left behind', async () => {
    const web = await startTestStudioWeb();
    try {
      const dir = join(web.dir, 'uploads');
      const store = new UploadStore(dir);
      const id = await store.receive(Readable.from([Buffer.alloc(600), Buffer.alloc(400)]), 1000);
      expect((await store.take(id)).length).toBe(1000);
      // An endless body: refused as soon as it passes the limit, not after it ends.
      async function* endless() {
        for (;;) yield Buffer.alloc(64 * 1024);
      }
      await expect(store.receive(endless(), 1 << 20)).rejects.toBeInstanceOf(UploadTooLargeError);
      await expect(store.receive(Readable.from([]), 1000)).rejects.toThrow(/empty/);
      expect(await readdir(dir)).toEqual([]);
    } finally {
      await web.close();
    }
  });
});
