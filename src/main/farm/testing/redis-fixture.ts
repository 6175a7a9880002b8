/**
 * A real Redis for the farm specs: Debian's redis-server on a free loopback port, with its data in
 * a temporary folder and the append-only file on (as a farm's Redis should run), so a restart
 * keeps every job. And farm workers as child processes, so a spec can kill -9 one.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../../cli/testing/run-cli.ts';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitForLine(child: ChildProcess, pattern: RegExp, what: string, timeoutMs = 60_000): Promise<void> {
  let seen = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not start within ${timeoutMs} ms:\n${seen.slice(-2000)}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      seen += chunk.toString();
      if (pattern.test(seen)) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        child.stderr?.off('data', onData);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited (${signal ?? code}) before it was ready:\n${seen.slice(-2000)}`));
    });
  });
}

export class TestRedis {
  private child: ChildProcess | undefined;

  private constructor(
    readonly port: number,
    private readonly dir: string,
    private readonly password: string | undefined,
  ) {}

  /** Starts redis-server on a free port; with `password`, clients must AUTH (requirepass). */
  static async start(options: { password?: string } = {}): Promise<TestRedis> {
    const redis = new TestRedis(await freePort(), await mkdtemp(join(tmpdir(), 'loa-redis-')), options.password);
    await redis.launch();
    return redis;
  }

  get url(): string {
    return `redis://${this.password ? `:${encodeURIComponent(this.password)}@` : ''}127.0.0.1:${this.port}`;
  }

  private async launch(): Promise<void> {
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir, '--appendonly', 'yes', '--appendfsync', 'always', '--save', '', '--loglevel', 'notice'];
    if (this.password) args.push('--requirepass', this.password);
    const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    await waitForLine(child, /Ready to accept connections/, 'redis-server', 20_000);
  }

  /** Stops Redis (SIGTERM: it flushes the append-only file) and starts it again on the same port. */
  async restart(downMs = 500): Promise<void> {
    await this.stopProcess();
    await new Promise((r) => setTimeout(r, downMs));
    await this.launch();
  }

  private async stopProcess(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    await exited;
  }

  async stop(): Promise<void> {
    await this.stopProcess();
    await rm(this.dir, { recursive: true, force: true });
  }
}

const spawned = new Set<ChildProcess>();

/** kill -9 for every worker a spec started, even those whose start failed (a spec's afterAll). */
export async function killAllWorkers(): Promise<void> {
  await Promise.all(
    [...spawned].map(async (child) => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = once(child, 'exit');
        child.kill('SIGKILL');
        await exited;
      }
      spawned.delete(child);
    }),
  );
}

/** A `npm run loa -- worker …` child process; its log is kept for failure messages. */
export class WorkerProcess {
  log = '';

  private constructor(
    readonly name: string,
    readonly child: ChildProcess,
  ) {
    child.stdout?.on('data', (c: Buffer) => (this.log += c.toString()));
    child.stderr?.on('data', (c: Buffer) => (this.log += c.toString()));
  }

  static async start(args: { redisUrl: string; model: string; name: string; cacheDir: string; lockMs?: number; extra?: string[] }): Promise<WorkerProcess> {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'src/main/cli/loa.ts',
        'worker',
        '--redis',
        args.redisUrl,
        '--model',
        args.model,
        '--name',
        args.name,
        '--device',
        'cpu',
        '--threads',
        '1',
        '--lock-ms',
        String(args.lockMs ?? 2000),
        ...(args.extra ?? []),
      ],
      { cwd: REPO_ROOT, env: { ...process.env, LOA_CACHE_DIR: args.cacheDir }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    spawned.add(child);
    const worker = new WorkerProcess(args.name, child);
    // Loading the engine takes seconds, more when the machine is busy (three workers load at once).
    await waitForLine(child, /taking jobs from/, `worker ${args.name}`, 170_000);
    return worker;
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** kill -9: no goodbye, no hand-back; its engine process goes with it (the engine exits when its parent's pipe closes). */
  async kill9(): Promise<void> {
    if (!this.alive) return;
    const exited = once(this.child, 'exit');
    this.child.kill('SIGKILL');
    await exited;
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (!this.alive) return;
    const exited = once(this.child, 'exit');
    this.child.kill(signal);
    await exited;
  }
}
