/**
 * Starts the real browser-mode server (`npm run studio:web`) for a test: its own config and
 * library folders in a temp dir, the model given (or none), on a free port. Resolves with the
 * URL it prints (token included).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from './renderer-build.ts';

export interface StudioWebProcess {
  url: string;
  origin: string;
  libraryDir: string;
  configDir: string;
  /** Everything the server wrote to stderr, for failure messages. */
  log(): string;
  /** Kills the server process at once (crash tests); resolves when it is gone. */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * `allowRoots`: folders the page may name on the server (`--allow-root`); without them it names none.
 * `hubUrl` / `hfCache`: the Hub installs talk to (`--hub-url`, the tests' stand-in) and the Hugging Face cache they use (`--hf-cache`).
 * `port`: a fixed port (a restart on the one an open tab knows); a free one otherwise.
 * `newToken`: replace the token stored in the config (`--new-token`), so earlier links stop working.
 */
export async function startStudioWeb(
  options: { model?: string; library?: string; config?: string; allowRoots?: string[]; hubUrl?: string; hfCache?: string; port?: number; newToken?: boolean } = {},
): Promise<StudioWebProcess> {
  const temp = mkdtempSync(join(tmpdir(), 'loa-e2e-'));
  const libraryDir = options.library ?? join(temp, 'library');
  const configDir = options.config ?? join(temp, 'config');
  const args = ['--import', 'tsx', 'src/main/web/studio-web.ts', '--port', String(options.port ?? 0), '--library', libraryDir, '--config', configDir];
  if (options.model) args.push('--model', options.model);
  for (const root of options.allowRoots ?? []) args.push('--allow-root', root);
  if (options.hubUrl) args.push('--hub-url', options.hubUrl);
  if (options.hfCache) args.push('--hf-cache', options.hfCache);
  if (options.newToken) args.push('--new-token');
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip' },
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));

  const url = await new Promise<string>((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => reject(new Error(`studio:web printed no URL within 120 s.\n${stderr}`)), 120_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /(https?:\/\/\S+#token=\S+)/.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`studio:web exited (${code}) before printing its URL.\n${stderr}`));
    });
  });

  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    url,
    origin: new URL(url).origin,
    libraryDir,
    configDir,
    log: () => stderr,
    kill: async () => {
      child.kill('SIGKILL');
      await exited;
    },
    stop: async () => {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(temp, { recursive: true, force: true });
    },
  };
}
