/**
 * `npm run studio:web -- [--port <p>] [--host <addr>] [--model <dir>] [--library <dir>] [--config <dir>] [--allow-root <dir>]... [--hub-url <url>] [--hf-cache <dir>] [--new-token]`
 *
 * Browser mode: the studio in any Chromium, with the real services. Prints exactly one line on
 * stdout, the URL to open (token included); everything else goes to stderr. The server answers
 * at once and the model loads in the background (the first-run screen shows its status). The
 * token is kept in the config folder (web-token-store.ts), so a restart prints the same link.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { isIP } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { defaultConfigDir } from '../app-paths.ts';
import { resolveMediaPath } from '../studio/media-paths.ts';
import { MemoryTokenStore } from '../studio/hub-token.ts';
import { StudioService } from '../studio/studio-service.ts';
import { UploadStore } from '../studio/upload-store.ts';
import { startStudioWebServer, type StudioWebServer } from './studio-web-server.ts';
import { loadOrCreateWebToken } from './web-token-store.ts';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const RENDERER_DIR = join(REPO_ROOT, 'out', 'renderer');

export interface StudioWebArgs {
  port: number;
  host: string;
  /** True when --host was given: binding beyond loopback must be asked for. */
  hostExplicit: boolean;
  model?: string;
  library?: string;
  config: string;
  /** `--allow-root <dir>`, repeatable: the only server folders a page may name (none by default). */
  allowRoots: string[];
  /** `--hub-url`: the Hub that installs use (huggingface.co by default; a mirror, or the tests' stand-in). */
  hubUrl?: string;
  /** `--hf-cache`: the Hugging Face cache installs read and write (else HF_HUB_CACHE, HF_HOME, ~/.cache/huggingface/hub). The page never names one. */
  hfCache?: string;
  /** `--new-token`: replace the stored token, so every link printed before stops working. */
  newToken: boolean;
}

const USAGE =
  'Usage: npm run studio:web -- [--port <p>] [--host 127.0.0.1] [--model <dir>] [--library <dir>] [--config <dir>] [--allow-root <dir>]... [--hub-url <url>] [--hf-cache <dir>] [--new-token]';

export function parseStudioWebArgs(argv: string[]): StudioWebArgs {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      model: { type: 'string' },
      library: { type: 'string' },
      config: { type: 'string' },
      'allow-root': { type: 'string', multiple: true },
      'hub-url': { type: 'string' },
      'hf-cache': { type: 'string' },
      'new-token': { type: 'boolean' },
    },
    strict: true,
    allowPositionals: false,
  });
  const port = values.port === undefined ? 5173 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be a whole number from 0 to 65535, got ${values.port}. ${USAGE}`);
  const hubUrl = values['hub-url'];
  if (hubUrl !== undefined && !/^https?:\/\/[^\s]+$/.test(hubUrl)) throw new Error(`--hub-url must be an http(s) address, got ${hubUrl}. ${USAGE}`);
  return {
    ...(hubUrl ? { hubUrl: hubUrl.replace(/\/+$/, '') } : {}),
    ...(values['hf-cache'] ? { hfCache: resolve(values['hf-cache']) } : {}),
    port,
    host: values.host ?? '127.0.0.1',
    hostExplicit: values.host !== undefined,
    model: values.model === undefined ? undefined : resolve(values.model),
    library: values.library === undefined ? undefined : resolve(values.library),
    config: resolve(values.config ?? defaultConfigDir()),
    allowRoots: (values['allow-root'] ?? []).map((root) => resolve(root)),
    newToken: values['new-token'] === true,
  };
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));
}

/** Builds out/renderer when it is missing, with the renderer part of electron.vite.config.ts. */
export async function ensureRendererBuilt(log: (line: string) => void, rendererDir = RENDERER_DIR): Promise<void> {
  if (existsSync(join(rendererDir, 'index.html'))) return;
  log(`No built renderer in ${rendererDir}; building it now (vite build of src/renderer, as in electron.vite.config.ts)...`);
  // A child process keeps Vite's own stdout off ours: stdout carries only the URL.
  const script = `const { build } = await import('vite'); const { rendererConfig } = await import(${JSON.stringify(pathToFileURL(join(REPO_ROOT, 'electron.vite.config.ts')).href)}); await build({ configFile: false, mode: 'production', ...rendererConfig });`;
  const tsx = pathToFileURL(join(REPO_ROOT, 'node_modules', 'tsx', 'dist', 'esm', 'index.mjs')).href;
  const code = await new Promise<number | null>((done) => {
    const child = spawn(process.execPath, ['--import', tsx, '--input-type=module', '--eval', script], { cwd: REPO_ROOT, stdio: ['ignore', process.stderr, process.stderr] });
    child.on('exit', done);
  });
  if (code !== 0 || !existsSync(join(rendererDir, 'index.html'))) throw new Error('Building the renderer failed (see above). Try `npm run build`.');
  log('Renderer built.');
}

export interface RunningStudioWeb {
  server: StudioWebServer;
  stop(): Promise<void>;
}

export async function startStudioWeb(args: StudioWebArgs, log: (line: string) => void): Promise<RunningStudioWeb> {
  if (args.hostExplicit && !isLoopback(args.host)) {
    log(`WARNING: listening on ${args.host}: anyone who can reach this machine and has the link (token) can use the studio and read its files.`);
  }
  await ensureRendererBuilt(log);
  const token = await loadOrCreateWebToken(args.config, { renew: args.newToken, log });
  const uploads = new UploadStore(join(args.config, 'uploads'));
  const service = new StudioService({
    configDir: args.config,
    libraryDir: args.library,
    bundleDir: args.model,
    // Relative to the page; the token rides along because <audio> and fetch cannot send headers.
    mediaUrl: (kind, id) => `/media/${kind}/${encodeURIComponent(id)}?token=${token}`,
    uploads,
    ...(args.hubUrl ? { hubUrl: args.hubUrl } : {}),
    ...(args.hfCache ? { hfCacheDirs: [args.hfCache] } : {}),
    // The access token stays in this process's memory: never on disk, never sent back to a page.
    hubToken: new MemoryTokenStore(),
  });
  const server = await startStudioWebServer({
    service,
    resolveMedia: (kind, id) => resolveMediaPath(service, kind, id),
    rendererDir: RENDERER_DIR,
    host: args.host,
    port: args.port,
    token,
    log,
    uploads,
    allowRoots: args.allowRoots,
  });
  log(`LOA Studio (browser mode) at ${server.origin}, config ${args.config}${args.model ? `, model ${args.model}` : ''}`);
  log(
    args.allowRoots.length > 0
      ? `Pages may name server paths inside: ${args.allowRoots.join(', ')}`
      : 'Pages may name no server path (files come as uploads); --allow-root <dir> opens a folder to them.',
  );
  let stopping: Promise<void> | undefined;
  return {
    server,
    stop: () =>
      (stopping ??= (async () => {
        await server.close();
        await service.dispose();
      })()),
  };
}

async function main(): Promise<void> {
  const log = (line: string) => process.stderr.write(`${line}\n`);
  let args: StudioWebArgs;
  try {
    args = parseStudioWebArgs(process.argv.slice(2));
  } catch (error) {
    log((error as Error).message);
    process.exitCode = 2;
    return;
  }
  const running = await startStudioWeb(args, log);
  process.stdout.write(`${running.server.pageUrl}\n`);
  const shutdown = (signal: string) => {
    log(`${signal}: stopping the engine and the server...`);
    // A second signal means "now": do not wait for a stuck engine.
    process.once('SIGINT', () => process.exit(130));
    running.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        log(`Shutdown failed: ${String(error)}`);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().catch((error: unknown) => {
    process.stderr.write(`LOA Studio could not start: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
