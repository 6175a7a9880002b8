/**
 * A seeded, bounded fuzzer for browser mode's network surface: raw HTTP requests (from a grammar
 * of the requests the server understands, and byte-level mutants of them), WebSocket upgrades,
 * raw WebSocket frames, and Studio API calls with generated arguments over an authenticated socket.
 * Everything goes over raw TCP to a real server on 127.0.0.1 (the real StudioService, no model, in
 * a temp folder); nothing else is reached (downloadModel is pointed back at the server itself).
 *
 * What counts as a finding: a 5xx answer, a log line for an error no handler expected ("failed
 * unexpectedly", "upgrade failed"), an uncaught exception or unhandled rejection in the process,
 * or the server no longer answering a plain GET. Each case draws from its own generator
 * (FuzzRandom.forCase), so a finding replays alone from its seed and case number.
 *
 *   npm run fuzz:web -- [--seed <n>] [--seconds <s>] [--cases <n>] [--case <i>]   (npm run fuzz: 60 s, a new seed)
 */
import { connect } from 'node:net';
import { STUDIO_METHODS } from '../src/shared/studio/studio-api.ts';
import { rawExchange, startTestStudioWeb, statusOf, type TestStudioWeb } from '../src/main/web/web-test-server.fixture.ts';
import { fuzzLoop, isEntryModule, runFuzzCli, type FuzzOptions, type FuzzReport } from './fuzz-runner.ts';
import { FuzzRandom } from './prng.ts';

export type WebFuzzOptions = FuzzOptions;

export interface WebFinding {
  seed: number;
  index: number;
  kind: string;
  problem: string;
  /** The bytes or message sent, for the regression test (latin1 / JSON, cut at 2 kB). */
  input: string;
}

export type WebFuzzReport = FuzzReport<WebFinding>;

/** One generated input: what to send, and how to judge the answer. */
interface FuzzCase {
  kind: 'http' | 'http-mutant' | 'ws-raw' | 'ws-call';
  bytes?: Uint8Array;
  messages?: string[];
}

/** Log lines that mean a handler met an error it did not expect (a bug), as opposed to a refusal. */
const UNEXPECTED_LOG = /unexpectedly|upgrade failed|^HTTP .* failed/i;
const UPGRADE_HEADERS = ['Upgrade: websocket', 'Connection: Upgrade', 'Sec-WebSocket-Version: 13', 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=='];

// ---------------------------------------------------------------- inputs

function latin1(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0) & 0xff);
}

function randomText(rng: FuzzRandom, max: number): string {
  return String.fromCharCode(...rng.bytes(rng.size(max)));
}

function percentEncoded(rng: FuzzRandom, max: number): string {
  return [...rng.bytes(rng.size(max))].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');
}

function mediaName(rng: FuzzRandom): string {
  return rng.pick([
    'passwd',
    '..',
    '.',
    '%2e%2e',
    '%00',
    'a%2fb',
    '..%5c..%5cwin.ini',
    '.hidden.partial',
    'x'.repeat(rng.pick([64, 65, 300, 5000])),
    'take-1',
    percentEncoded(rng, 40),
    randomText(rng, 20),
  ]);
}

function target(rng: FuzzRandom, token: string): string {
  const t = rng.chance(0.6) ? token : rng.pick(['', 'x', token.slice(1), `${token}%00`, percentEncoded(rng, 40)]);
  return rng.pick([
    '/',
    '/index.html',
    '/assets/index.js',
    '/assets/../../../etc/passwd',
    '/%2e%2e/%2e%2e/etc/passwd',
    '/api',
    `/api?token=${t}`,
    `/api?token=${t}&token=x`,
    `/media/take/${mediaName(rng)}?token=${t}`,
    `/media/export/${mediaName(rng)}?token=${t}`,
    `/media/reference/${mediaName(rng)}?token=${t}`,
    `/media/${mediaName(rng)}/${mediaName(rng)}?token=${t}`,
    `/media/take?token=${t}`,
    `/upload?token=${t}&name=${mediaName(rng)}`,
    '//[',
    '//',
    '*',
    'http://127.0.0.1/',
    'example.com:443',
    '/%',
    '/%zz',
    '/\u00ff\u00fe',
    `/${'a/'.repeat(rng.range(1, 3000))}`,
    `/?${'&'.repeat(rng.range(1, 5000))}`,
    `/${randomText(rng, 64)}`,
    randomText(rng, 32),
  ]);
}

function header(rng: FuzzRandom, port: number): string {
  return rng.pick([
    `Host: 127.0.0.1:${port}`,
    'Host: localhost',
    'Host: ',
    "Host: 127.0.0.1; script-src 'unsafe-eval'",
    'Host: [::1',
    `Host: ${randomText(rng, 40)}`,
    `Origin: http://127.0.0.1:${port}`,
    'Origin: http://evil.example',
    'Origin: null',
    `Origin: ${randomText(rng, 30)}`,
    ...UPGRADE_HEADERS,
    'Sec-WebSocket-Version: 8',
    `Sec-WebSocket-Key: ${randomText(rng, 24)}`,
    'Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits',
    'Content-Length: 0',
    'Content-Length: 5',
    'Content-Length: -1',
    'Content-Length: abc',
    'Content-Length: 18446744073709551616',
    `Content-Length: ${2 * 1024 ** 3}`,
    'Transfer-Encoding: chunked',
    'Transfer-Encoding: gzip, chunked',
    'Expect: 100-continue',
    'Range: bytes=0-',
    'Range: bytes=-0',
    'Range: bytes=5-1',
    'Range: bytes=0-0,1-1',
    'Range: bytes=99999999999999999999-',
    `Range: ${randomText(rng, 30)}`,
    `X-${randomText(rng, 8).replace(/[^A-Za-z]/g, 'a')}: ${'v'.repeat(rng.pick([1, 100, 20_000]))}`,
    `${randomText(rng, 12)}: ${randomText(rng, 12)}`,
  ]);
}

function httpRequest(rng: FuzzRandom, port: number, token: string): string {
  const method = rng.pick(['GET', 'GET', 'GET', 'HEAD', 'POST', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'CONNECT', 'TRACE', 'get', 'G\u0000T', randomText(rng, 8)]);
  const version = rng.pick(['HTTP/1.1', 'HTTP/1.1', 'HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'HTTP/1.1x', 'http/1.1', '']);
  const headers = Array.from({ length: rng.size(8) }, () => header(rng, port));
  if (rng.chance(0.8)) headers.unshift(`Host: 127.0.0.1:${port}`);
  if (rng.chance(0.3)) headers.push(...UPGRADE_HEADERS);
  let body = '';
  if (headers.some((h) => h.startsWith('Transfer-Encoding'))) {
    body = rng.chance(0.5) ? `${rng.range(0, 40).toString(16)}\r\n${randomText(rng, 40)}\r\n0\r\n\r\n` : randomText(rng, 100);
  } else if (rng.chance(0.4)) {
    body = randomText(rng, 2000);
  }
  return `${method} ${target(rng, token)} ${version}\r\n${headers.join('\r\n')}\r\n\r\n${body}`;
}

/** A request the server understands, then 1–4 byte-level edits. */
function mutant(rng: FuzzRandom, port: number, token: string): Uint8Array {
  const valid = rng.pick([
    `GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`,
    `GET /media/take/abc?token=${token} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nRange: bytes=0-99\r\n\r\n`,
    `GET /api?token=${token} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n${UPGRADE_HEADERS.join('\r\n')}\r\n\r\n`,
    `POST /upload?token=${token}&name=a.wav HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Length: 12\r\n\r\nRIFF....WAVE`,
  ]);
  let bytes = [...latin1(valid)];
  for (let n = rng.range(1, 4); n > 0; n--) {
    const at = rng.int(bytes.length + 1);
    switch (rng.int(6)) {
      case 0:
        if (bytes.length > 0) bytes[Math.min(at, bytes.length - 1)] ^= 1 << rng.int(8);
        break;
      case 1:
        bytes.splice(at, 0, ...rng.bytes(rng.size(64)));
        break;
      case 2:
        bytes.splice(at, rng.size(32));
        break;
      case 3:
        bytes.splice(at, 0, ...bytes.slice(at, at + rng.size(64)));
        break;
      case 4:
        bytes = bytes.filter((b, i) => !(b === 13 && rng.chance(0.5) && i >= 0));
        break; // CRLF → LF
      default:
        bytes = bytes.slice(0, at);
    }
  }
  return Uint8Array.from(bytes);
}

/** One WebSocket frame from a client, sometimes broken on purpose (no mask, bad opcode, lying length). */
function wsFrame(rng: FuzzRandom): Uint8Array {
  const payload = rng.chance(0.5) ? latin1(JSON.stringify({ id: rng.int(10), method: rng.pick(STUDIO_METHODS), args: [] })) : rng.bytes(rng.size(300));
  const fin = rng.chance(0.85) ? 0x80 : 0;
  const rsv = rng.chance(0.1) ? rng.pick([0x40, 0x20, 0x10]) : 0;
  const opcode = rng.chance(0.8) ? rng.pick([0x1, 0x2, 0x8, 0x9, 0xa, 0x0]) : rng.int(16);
  const masked = rng.chance(0.9);
  const declared = rng.chance(0.85) ? payload.length : rng.pick([0, 125, 126, 65535, 65536, 2 ** 32, Number.MAX_SAFE_INTEGER]);
  const head: number[] = [fin | rsv | opcode];
  if (declared < 126) head.push((masked ? 0x80 : 0) | declared);
  else if (declared < 65536) head.push((masked ? 0x80 : 0) | 126, declared >> 8, declared & 0xff);
  else {
    head.push((masked ? 0x80 : 0) | 127);
    const big = BigInt(declared);
    for (let i = 7; i >= 0; i--) head.push(Number((big >> BigInt(8 * i)) & 0xffn));
  }
  const mask = masked ? rng.bytes(4) : new Uint8Array(0);
  const body = payload.map((b, i) => (masked ? b ^ mask[i % 4] : b));
  return Uint8Array.from([...head, ...mask, ...body]);
}

const INTERESTING_STRINGS = [
  '',
  ' ',
  '/etc/passwd',
  '../../etc',
  'C:\\Windows',
  '\u0000',
  '%00',
  '__proto__',
  'constructor',
  'a'.repeat(5000),
  '\ud800',
  '{prompt-slug}',
  'take-1',
  'dGhl',
  'http://127.0.0.1:1/x',
  '2026-13-45',
];
const INTERESTING_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'kind',
  'path',
  'takeId',
  'takeIds',
  'referenceId',
  'prompt',
  'seconds',
  'steps',
  'region',
  'start',
  'end',
  'options',
  'format',
  'normalize',
  'libraryDir',
  'exportsDir',
  'theme',
  'offset',
  'limit',
  'text',
  'uploadId',
  'name',
  'op',
];

/** A JSON value: mostly small, sometimes deep, long or oddly typed. */
function jsonValue(rng: FuzzRandom, depth: number): unknown {
  const kind = depth > 6 ? rng.int(5) : rng.int(8);
  switch (kind) {
    case 0:
      return null;
    case 1:
      return rng.chance(0.5);
    case 2:
      return rng.pick([0, -0, 1, -1, 0.5, 2 ** 53 + 1, -(2 ** 31), 1e308, -1e308, 5e-324, rng.range(-10, 100_000)]);
    case 3:
      return rng.pick(INTERESTING_STRINGS);
    case 4:
      return randomText(rng, 40);
    case 5:
      return Array.from({ length: rng.size(20) }, () => jsonValue(rng, depth + 1));
    case 6:
      return Object.fromEntries(Array.from({ length: rng.size(8) }, () => [rng.chance(0.8) ? rng.pick(INTERESTING_KEYS) : randomText(rng, 10), jsonValue(rng, depth + 1)]));
    default: {
      // A nesting tower, deeper than any validator expects.
      const levels = rng.pick([31, 32, 33, 1000]);
      return JSON.parse(`${'['.repeat(levels)}${']'.repeat(levels)}`) as unknown;
    }
  }
}

function studioCall(rng: FuzzRandom, id: number, port: number): string {
  const method = rng.chance(0.95) ? rng.pick(STUDIO_METHODS) : rng.pick([randomText(rng, 12), '__proto__', 'constructor', 'toString', 'onEvent', 'dispose']);
  let args: unknown = Array.from({ length: rng.size(3) }, () => jsonValue(rng, 1));
  // The server would fetch whatever URL it is given: keep it on the server itself (a 404, at once).
  if (method === 'downloadModel') args = [`http://127.0.0.1:${port}/fuzz/no-manifest.json`];
  if (rng.chance(0.05)) args = jsonValue(rng, 0);
  // Written as text: JSON.stringify itself cannot nest this deep.
  if (rng.chance(0.03)) return `{"id":${id},"method":${JSON.stringify(method)},"args":[${'['.repeat(100_000)}${']'.repeat(100_000)}]}`;
  const message = rng.chance(0.95) ? { id, method, args } : jsonValue(rng, 0);
  return rng.chance(0.97) ? JSON.stringify(message) : randomText(rng, 200);
}

export function generateCase(seed: number, index: number, port: number, token: string): FuzzCase {
  const rng = FuzzRandom.forCase(seed, index);
  const kind = rng.pick(['http', 'http', 'http-mutant', 'ws-raw', 'ws-call', 'ws-call'] as const);
  switch (kind) {
    case 'http':
      return { kind, bytes: latin1(httpRequest(rng, port, token)) };
    case 'http-mutant':
      return { kind, bytes: mutant(rng, port, token) };
    case 'ws-raw': {
      const handshake = latin1(`GET /api?token=${rng.chance(0.9) ? token : 'x'} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n${UPGRADE_HEADERS.join('\r\n')}\r\n\r\n`);
      const frames = Array.from({ length: rng.range(1, 4) }, () => wsFrame(rng));
      return { kind, bytes: Uint8Array.from([...handshake, ...frames.flatMap((f) => [...f])]) };
    }
    case 'ws-call':
      return { kind, messages: Array.from({ length: rng.range(1, 3) }, (_, i) => studioCall(rng, i + 1, port)) };
  }
}

// ---------------------------------------------------------------- running

/** Sends the messages on an authenticated socket (a hand-made client: raw TCP, masked frames) and waits briefly for the answers. */
function wsSession(port: number, token: string, messages: string[], timeoutMs: number): Promise<string> {
  return new Promise((done) => {
    const socket = connect({ host: '127.0.0.1', port });
    const received: Buffer[] = [];
    let timer = setTimeout(() => finish(), timeoutMs);
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      done(Buffer.concat(received).toString('latin1'));
    };
    socket.on('data', (chunk) => {
      received.push(chunk);
      clearTimeout(timer);
      timer = setTimeout(() => finish(), 150);
    });
    socket.on('error', finish);
    socket.on('close', finish);
    socket.on('connect', () => {
      const frames = messages.map((message) => {
        const payload = Buffer.from(message, 'utf8');
        const head =
          payload.length < 126
            ? [0x81, 0x80 | payload.length]
            : payload.length < 65536
              ? [0x81, 0x80 | 126, payload.length >> 8, payload.length & 0xff]
              : [0x81, 0x80 | 127, 0, 0, 0, 0, (payload.length >>> 24) & 0xff, (payload.length >> 16) & 0xff, (payload.length >> 8) & 0xff, payload.length & 0xff];
        return Buffer.concat([Buffer.from(head), Buffer.alloc(4), payload]); // mask 0000: the payload goes as is
      });
      socket.write(Buffer.concat([Buffer.from(`GET /api?token=${token} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n${UPGRADE_HEADERS.join('\r\n')}\r\n\r\n`, 'latin1'), ...frames]));
    });
  });
}

function preview(fuzzCase: FuzzCase): string {
  const text = fuzzCase.bytes ? Buffer.from(fuzzCase.bytes).toString('latin1') : JSON.stringify(fuzzCase.messages);
  return text.length > 2048 ? `${text.slice(0, 2048)}…` : text;
}

/** Runs one case against the server and returns what is wrong with the outcome, if anything. */
async function runCase(web: TestStudioWeb, fuzzCase: FuzzCase): Promise<string | null> {
  const { port } = web.server;
  if (fuzzCase.bytes) {
    const answer = await rawExchange(port, fuzzCase.bytes, 400, 60);
    const status = statusOf(answer);
    if (status !== null && status >= 500) return `answered ${answer.text.split('\r\n')[0]}`;
    return null;
  }
  await wsSession(port, web.token, fuzzCase.messages ?? [], 600);
  return null;
}

async function alive(web: TestStudioWeb): Promise<boolean> {
  const answer = await rawExchange(web.server.port, `GET / HTTP/1.1\r\nHost: 127.0.0.1:${web.server.port}\r\nConnection: close\r\n\r\n`, 3_000);
  return statusOf(answer) === 200;
}

export function fuzzWebSurface(options: WebFuzzOptions): Promise<WebFuzzReport> {
  const { seed } = options;
  return fuzzLoop(options, {
    title: 'web surface',
    catchCrashes: true,
    open: () => startTestStudioWeb(),
    close: (web) => web.close(),
    async runCase(index, web, context) {
      const fuzzCase = generateCase(seed, index, web.server.port, web.token);
      const logsBefore = web.logs.length;
      const problems: string[] = [];
      const outcome = await runCase(web, fuzzCase).catch((error: unknown) => `the client failed: ${String(error)}`);
      if (outcome) problems.push(outcome);
      problems.push(
        ...web.logs
          .slice(logsBefore)
          .filter((line) => UNEXPECTED_LOG.test(line))
          .map((line) => `logged: ${line.slice(0, 300)}`),
      );
      problems.push(...context.crashes());
      if ((index % 25 === 24 || problems.length > 0 || options.only !== undefined) && !(await alive(web))) problems.push('the server stopped answering GET /');
      return { label: fuzzCase.kind, problems, finding: (problem) => ({ seed, index, kind: fuzzCase.kind, problem, input: preview(fuzzCase) }) };
    },
    finish: async (web) => ((await alive(web)) ? [] : [{ seed, index: -1, kind: 'http', problem: 'the server stopped answering GET / at the end', input: '' }]),
  });
}

if (isEntryModule(import.meta.url)) runFuzzCli('web', fuzzWebSurface);
