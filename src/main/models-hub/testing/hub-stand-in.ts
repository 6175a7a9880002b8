/**
 * A local stand-in for the Hugging Face Hub, for tests without the internet: it serves checkpoint
 * folders under the Hub's URL layout and answers exactly the calls `@huggingface/hub` makes (read
 * from its source, v2.17.5):
 *   GET /api/models/<repo>/revision/<rev>?expand=…   model info with `sha` (401 for an unknown repo, 404 "Invalid rev id")
 *   GET /api/models/<repo>/tree/<rev>?recursive=true  the listing: git blob sha1 `oid`, `lfs: {oid: sha256, size, pointerSize}`
 *   GET /<repo>/resolve/<rev>/<path>                  small files directly (ETag = git sha1); LFS files 302 to /cdn/<sha256>
 *                                                     with X-Linked-Etag / X-Linked-Size / X-Repo-Commit; Range → 206
 *   404 + X-Error-Code: EntryNotFound for a missing file.
 * Listens on 127.0.0.1 only. Every request is logged; faults (status codes, stalls, dropped or
 * corrupted bodies) and a bandwidth limit are injected per request.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';

export interface StandInRepo {
  repo: string;
  /** A checkpoint folder served as the repo's files. */
  dir: string;
  commit: string;
  /** Extra files served besides the folder's (a `.bin` duplicate the installer must skip, an edited config). */
  extraFiles?: Record<string, Buffer>;
}

export interface LoggedRequest {
  method: string;
  url: string;
  kind: 'info' | 'tree' | 'resolve' | 'cdn' | 'other';
  /** Repo path of the file, for resolve and cdn requests. */
  file?: string;
  range?: string;
  authorization?: string;
  /** Body bytes sent. */
  sent: number;
}

/** Requests that carry file bytes, not @huggingface/hub's `Range: bytes=0-0` probes. */
export const carriesBytes = (r: { range?: string }): boolean => r.range !== 'bytes=0-0';

export type Fault =
  | { status: number }
  /** Send the headers, then nothing, and keep the connection open. */
  | { stall: true }
  /** Send this many body bytes, then cut the connection. */
  | { dropAfter: number }
  /** Flip one byte of the body. */
  | { corrupt: true };

export interface StandInOptions {
  /** Body bandwidth per response (bytes per second); unlimited by default. */
  bytesPerSecond?: number;
  /** Called for every request; a returned fault replaces the normal answer. */
  fault?: (request: LoggedRequest, count: number) => Fault | undefined;
  /** A token every request must carry (a private repo); none by default. */
  requireToken?: string;
  /** Called for every request before it is answered (tests act mid-download). */
  onRequest?: (request: LoggedRequest) => void | Promise<void>;
}

const LFS = /\.(safetensors|bin|model|onnx|ckpt|pt|pth)$/;

interface ServedFile {
  path: string;
  bytes: Buffer;
  gitSha1: string;
  sha256?: string;
  pointer?: string;
}

function gitSha1(bytes: Buffer): string {
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}

function filesOf(repo: StandInRepo): Map<string, ServedFile> {
  const files = new Map<string, ServedFile>();
  const add = (path: string, bytes: Buffer) => {
    if (LFS.test(path)) {
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      const pointer = `version https://git-lfs.github.com/spec/v1\noid sha256:${sha256}\nsize ${bytes.length}\n`;
      files.set(path, { path, bytes, sha256, pointer, gitSha1: gitSha1(Buffer.from(pointer)) });
    } else files.set(path, { path, bytes, gitSha1: gitSha1(bytes) });
  };
  const walk = (dir: string, prefix: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(join(dir, entry.name), rel);
      else if (statSync(join(dir, entry.name)).isFile()) add(rel, readFileSync(join(dir, entry.name)));
    }
  };
  walk(repo.dir, '');
  for (const [path, bytes] of Object.entries(repo.extraFiles ?? {})) add(path, bytes);
  return files;
}

export class HubStandIn {
  readonly requests: LoggedRequest[] = [];
  private readonly repos = new Map<string, { repo: StandInRepo; files: Map<string, ServedFile> }>();
  private readonly sockets = new Set<Socket>();
  private readonly bySha = new Map<string, ServedFile>();

  private constructor(
    private readonly server: Server,
    readonly url: string,
    repos: StandInRepo[],
    readonly options: StandInOptions,
  ) {
    for (const repo of repos) this.addRepo(repo);
  }

  static async start(repos: StandInRepo[], options: StandInOptions = {}): Promise<HubStandIn> {
    let standIn!: HubStandIn;
    const server = createServer((req, res) => {
      standIn.handle(req, res).catch(() => res.destroy());
    });
    server.maxConnections = 64;
    server.requestTimeout = 0; // stalls are the test's choice; close() ends them
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    standIn = new HubStandIn(server, `http://127.0.0.1:${port}`, repos, options);
    server.on('connection', (socket) => {
      standIn.sockets.add(socket);
      socket.on('close', () => standIn.sockets.delete(socket));
    });
    return standIn;
  }

  addRepo(repo: StandInRepo): void {
    const files = filesOf(repo);
    this.repos.set(repo.repo, { repo, files });
    for (const f of files.values()) if (f.sha256) this.bySha.set(f.sha256, f);
  }

  /** The file as served (its bytes and hashes). */
  file(repo: string, path: string): ServedFile {
    return this.repos.get(repo)!.files.get(path)!;
  }

  /** Requests that sent file bytes (resolve or cdn bodies). */
  downloads(): LoggedRequest[] {
    return this.requests.filter((r) => (r.kind === 'resolve' || r.kind === 'cdn') && r.sent > 0);
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const log: LoggedRequest = {
      method: req.method ?? 'GET',
      url: url.pathname + url.search,
      kind: 'other',
      sent: 0,
      ...(req.headers.range ? { range: req.headers.range } : {}),
      ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
    };
    if (this.requests.length > 100_000) {
      res.writeHead(429).end();
      return;
    }
    this.requests.push(log);
    const path = decodeURIComponent(url.pathname);
    const info = /^\/api\/models\/([^/]+\/[^/]+)\/revision\/(.+)$/.exec(path);
    const tree = /^\/api\/models\/([^/]+\/[^/]+)\/tree\/([^/]+)(?:\/(.*))?$/.exec(path);
    const resolveFile = /^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(path);
    const cdn = /^\/cdn\/([0-9a-f]{64})$/.exec(path);
    log.kind = info ? 'info' : tree ? 'tree' : resolveFile ? 'resolve' : cdn ? 'cdn' : 'other';
    if (resolveFile) log.file = resolveFile[3];
    if (cdn) log.file = this.bySha.get(cdn[1])?.path;
    await this.options.onRequest?.(log);

    const fault = this.options.fault?.(log, this.requests.filter((r) => r.kind === log.kind && r.file === log.file).length);
    if (fault && 'status' in fault) return json(res, fault.status, { error: `injected ${fault.status}` });

    if (this.options.requireToken && req.headers.authorization !== `Bearer ${this.options.requireToken}`) {
      return json(res, 401, { error: 'Invalid credentials in Authorization header' }, { 'X-Error-Code': 'RepoNotFound' });
    }

    if (cdn) {
      const file = this.bySha.get(cdn[1]);
      if (!file) return json(res, 404, { error: 'not found' });
      return this.sendBytes(req, res, log, file.bytes, { ETag: `"${file.sha256}"` }, fault);
    }
    const repoName = (info ?? tree ?? resolveFile)?.[1];
    const served = repoName ? this.repos.get(repoName) : undefined;
    if (!repoName) return json(res, 404, { error: "Sorry, we can't find the page you are looking for." });
    if (!served) return json(res, 401, { error: 'Repository not found' }, { 'X-Error-Code': 'RepoNotFound' });
    const rev = decodeURIComponent((info ?? tree ?? resolveFile)![2]);
    if (rev !== 'main' && rev !== 'HEAD' && rev !== served.repo.commit) {
      return json(res, 404, { error: `Invalid rev id: ${rev}` }, { 'X-Error-Code': 'RevisionNotFound' });
    }
    const commit = served.repo.commit;
    if (info) {
      return json(res, 200, {
        _id: createHash('md5').update(repoName).digest('hex').slice(0, 24),
        id: repoName,
        modelId: repoName,
        sha: commit,
        private: false,
        gated: false,
        downloads: 0,
        likes: 0,
        lastModified: '2024-04-16T00:00:00.000Z',
        pipeline_tag: 'text-to-audio',
        siblings: [...served.files.keys()].map((rfilename) => ({ rfilename })),
      });
    }
    if (tree) {
      const prefix = tree[3] ? `${tree[3]}/` : '';
      const recursive = url.searchParams.get('recursive') === 'true';
      const entries: unknown[] = [];
      const dirs = new Set<string>();
      for (const f of [...served.files.values()].sort((a, b) => a.path.localeCompare(b.path))) {
        if (!f.path.startsWith(prefix)) continue;
        const rest = f.path.slice(prefix.length);
        if (rest.includes('/')) {
          const dir = prefix + rest.split('/')[0];
          if (!dirs.has(dir)) {
            dirs.add(dir);
            entries.push({ type: 'directory', oid: gitSha1(Buffer.from(dir)), size: 0, path: dir });
          }
          if (!recursive) continue;
        }
        entries.push({
          type: 'file',
          oid: f.gitSha1,
          size: f.bytes.length,
          path: f.path,
          ...(f.sha256 ? { lfs: { oid: f.sha256, size: f.bytes.length, pointerSize: Buffer.byteLength(f.pointer!) } } : {}),
        });
      }
      return json(res, 200, entries);
    }
    const file = served.files.get(resolveFile![3]);
    if (!file) return json(res, 404, { error: 'Entry not found' }, { 'X-Error-Code': 'EntryNotFound', 'X-Repo-Commit': commit });
    if (file.sha256) {
      res.writeHead(302, {
        Location: `/cdn/${file.sha256}`,
        'X-Repo-Commit': commit,
        'X-Linked-Etag': `"${file.sha256}"`,
        'X-Linked-Size': String(file.bytes.length),
        ETag: `"${file.gitSha1}"`,
        'Content-Length': '0',
      });
      res.end();
      return;
    }
    return this.sendBytes(req, res, log, file.bytes, { ETag: `"${file.gitSha1}"`, 'X-Repo-Commit': commit }, fault);
  }

  private async sendBytes(req: IncomingMessage, res: ServerResponse, log: LoggedRequest, bytes: Buffer, headers: Record<string, string>, fault: Fault | undefined): Promise<void> {
    let start = 0;
    let end = bytes.length - 1;
    let status = 200;
    const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    if (range) {
      start = Number(range[1]);
      end = range[2] ? Math.min(Number(range[2]), bytes.length - 1) : bytes.length - 1;
      if (start >= bytes.length || start > end) {
        res.writeHead(416, { 'Content-Range': `bytes */${bytes.length}` }).end();
        return;
      }
      status = 206;
    }
    let body = bytes.subarray(start, end + 1);
    if (fault && 'corrupt' in fault && body.length > 0) {
      body = Buffer.from(body);
      body[Math.floor(body.length / 2)] ^= 0xff;
    }
    res.writeHead(status, {
      ...headers,
      'Content-Type': 'application/octet-stream',
      'Accept-Ranges': 'bytes',
      'Content-Length': String(body.length),
      ...(status === 206 ? { 'Content-Range': `bytes ${start}-${end}/${bytes.length}` } : {}),
    });
    if (fault && 'stall' in fault) return; // headers only; the socket stays open until the client gives up
    const limit = fault && 'dropAfter' in fault ? Math.min(fault.dropAfter, body.length) : body.length;
    const chunk = 16 * 1024;
    const rate = this.options.bytesPerSecond;
    for (let offset = 0; offset < limit; offset += chunk) {
      if (res.destroyed) return;
      const piece = body.subarray(offset, Math.min(offset + chunk, limit));
      const ok = res.write(piece);
      log.sent += piece.length;
      if (!ok) await new Promise((r) => res.once('drain', r));
      if (rate) await new Promise((r) => setTimeout(r, (piece.length / rate) * 1000));
    }
    if (limit < body.length) {
      res.destroy();
      return;
    }
    res.end();
  }
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': String(Buffer.byteLength(text)), ...headers });
  res.end(text);
}
