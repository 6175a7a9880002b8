/**
 * Builds out/renderer before the e2e tests when it is missing or older than the renderer's (or
 * the shared) sources, with the renderer part of electron.vite.config.ts. A lock directory keeps
 * two test files from building at once.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

export const REPO_ROOT = resolve(import.meta.dirname, '../..');
const BUILT_INDEX = join(REPO_ROOT, 'out', 'renderer', 'index.html');
const LOCK = join(REPO_ROOT, 'out', '.renderer-build.lock');
const SOURCES = ['src/renderer', 'src/shared', 'electron.vite.config.ts', 'package.json'];

function newestMtime(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) {
    if (entry === 'node_modules' || entry.startsWith('.')) continue;
    newest = Math.max(newest, newestMtime(join(path, entry)));
  }
  return newest;
}

export function rendererIsStale(): boolean {
  if (!existsSync(BUILT_INDEX)) return true;
  const built = statSync(BUILT_INDEX).mtimeMs;
  return SOURCES.some((source) => existsSync(join(REPO_ROOT, source)) && newestMtime(join(REPO_ROOT, source)) > built);
}

function runBuild(): Promise<void> {
  const config = pathToFileURL(join(REPO_ROOT, 'electron.vite.config.ts')).href;
  const script = [
    `const { build } = await import('vite');`,
    `const config = await import(${JSON.stringify(config)});`,
    `const renderer = config.rendererConfig ?? config.default.renderer;`,
    `await build({ configFile: false, mode: 'production', logLevel: 'warn', ...renderer });`,
  ].join('\n');
  const tsx = pathToFileURL(join(REPO_ROOT, 'node_modules', 'tsx', 'dist', 'esm', 'index.mjs')).href;
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--import', tsx, '--input-type=module', '--eval', script], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.on('error', fail);
    child.on('exit', (code) => (code === 0 ? done() : fail(new Error(`Building the renderer failed (exit ${code}); run \`npm run build\` to see why.`))));
  });
}

export async function ensureRendererBuilt(): Promise<void> {
  mkdirSync(join(REPO_ROOT, 'out'), { recursive: true });
  const deadline = Date.now() + 240_000;
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch {
      // Another file is building; a lock older than the deadline is a crashed build's leftover.
      if (Date.now() > deadline) rmSync(LOCK, { recursive: true, force: true });
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  try {
    if (rendererIsStale()) await runBuild();
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}
