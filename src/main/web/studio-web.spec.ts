/**
 * The `npm run studio:web` command as a user runs it: one URL line on stdout, logs on stderr, a
 * token the server accepts, and a clean exit on SIGTERM.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isLoopback, parseStudioWebArgs } from './studio-web.ts';

const REPO_ROOT = resolve(import.meta.dirname, '../../..');

describe('parseStudioWebArgs', () => {
  it('binds loopback on 5173 by default and resolves folders', () => {
    const args = parseStudioWebArgs(['--model', 'models/tiny', '--library', 'lib']);
    expect(args).toMatchObject({ host: '127.0.0.1', hostExplicit: false, port: 5173, model: resolve('models/tiny'), library: resolve('lib') });
    expect(args.config).toMatch(/LOA Studio$/);
  });
  it('takes --host and --port 0 only when given', () => {
    expect(parseStudioWebArgs(['--host', '0.0.0.0', '--port', '0'])).toMatchObject({ host: '0.0.0.0', hostExplicit: true, port: 0 });
  });
  it('takes --allow-root, repeated, as resolved folders; none by default', () => {
    expect(parseStudioWebArgs([]).allowRoots).toEqual([]);
    expect(parseStudioWebArgs(['--allow-root', 'a', '--allow-root', '/srv/sounds']).allowRoots).toEqual([resolve('a'), '/srv/sounds']);
  });
  it('refuses bad ports and unknown flags', () => {
    expect(() => parseStudioWebArgs(['--port', '70000'])).toThrow(/--port/);
    expect(() => parseStudioWebArgs(['--port', 'x'])).toThrow(/--port/);
    expect(() => parseStudioWebArgs(['--open'])).toThrow();
  });
  it('knows which hosts are loopback', () => {
    expect(['127.0.0.1', '127.1.2.3', 'localhost', '::1'].every(isLoopback)).toBe(true);
    expect(['0.0.0.0', '192.168.1.5', '::', 'studio.lan'].some(isLoopback)).toBe(false);
  });
});

describe('studio:web CLI', () => {
  let dir: string | undefined;
  afterAll(() => (dir ? rm(dir, { recursive: true, force: true }) : undefined));

  it('prints exactly one URL line with the token, serves it, and exits cleanly on SIGTERM', async () => {
    dir = await mkdtemp(join(tmpdir(), 'loa-web-cli-'));
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main/web/studio-web.ts', '--port', '0', '--config', join(dir, 'config'), '--library', join(dir, 'library')], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    const started = Date.now();
    while (!stdout.includes('\n')) {
      if (child.exitCode !== null) throw new Error(`studio:web exited early:\n${stderr}`);
      if (Date.now() - started > 90_000) throw new Error(`No URL within 90 s:\n${stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const url = stdout.trim();
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#token=[A-Za-z0-9_-]{32}$/);
    expect(stderr).toContain('LOA Studio (browser mode)');

    const { origin, hash } = new URL(url);
    const token = hash.slice('#token='.length);
    expect((await fetch(`${origin}/`)).status).toBe(200);
    expect((await fetch(`${origin}/media/take/x`)).status).toBe(401);
    expect((await fetch(`${origin}/media/take/x?token=${token}`)).status).toBe(404);

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stdout.split('\n').filter((line) => line !== '')).toEqual([url]);
  }, 120_000);
});

describe('defaultConfigDir', () => {
  it('is where Electron keeps userData for "LOA Studio" on each platform', async () => {
    const { defaultConfigDir } = await import('../app-paths.ts');
    expect(defaultConfigDir('linux', {}, '/home/a')).toBe('/home/a/.config/LOA Studio');
    expect(defaultConfigDir('linux', { XDG_CONFIG_HOME: '/x' }, '/home/a')).toBe('/x/LOA Studio');
    expect(defaultConfigDir('darwin', {}, '/Users/a')).toBe('/Users/a/Library/Application Support/LOA Studio');
    expect(defaultConfigDir('win32', { APPDATA: 'C:/Users/a/AppData/Roaming' }, 'C:/Users/a')).toBe('C:/Users/a/AppData/Roaming/LOA Studio');
  });
});
