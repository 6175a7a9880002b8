/** Runs the real CLI in a fresh process, exactly as `npm run loa --` does (tsx), for the CLI specs. */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const REPO_ROOT = resolve(import.meta.dirname, '../../../..');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** `node --import tsx <args…>` in the repo root; the engine's cache goes to `cacheDir`. */
export async function runNode(args: string[], cacheDir: string): Promise<CliResult> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, LOA_CACHE_DIR: cacheDir },
      timeout: 120_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

export function runLoa(args: string[], cacheDir: string): Promise<CliResult> {
  return runNode(['src/main/cli/loa.ts', ...args], cacheDir);
}
