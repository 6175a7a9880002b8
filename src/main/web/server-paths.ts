/**
 * Which server paths a browser may name (issue 12 §3). A browser may be on another machine and is
 * trusted only as far as its token: it reads and writes the studio's own library and exports, and
 * names no other place on the server. The person who starts the server can open folders to it,
 * one by one, with `--allow-root <dir>`; then a page may name paths inside those folders only,
 * judged by their real path (symlinks followed), and nothing else. Electron mode (the local user
 * at their own machine) has no such guard.
 *
 * Calls that carry a server path: importModel(dir), importFolder(path), importReference and
 * readRecipe with `{kind: 'file', path}`, and updateSettings' libraryDir and exportsDir. Sending a
 * settings folder back unchanged is not choosing one (the Settings panel saves both together).
 */
import { realpath, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { InvalidRequestError } from '../../shared/errors.ts';
import type { Settings } from '../../shared/studio/studio-api.ts';
import type { StudioCall } from '../../shared/studio/studio-validate.ts';
import type { CallGuard } from '../studio/dispatch.ts';

export class ServerPathPolicy {
  private constructor(readonly roots: readonly string[]) {}

  /** Each root must be an existing folder; kept by its real path. Throws a plain Error for the CLI to print. */
  static async create(roots: readonly string[] = []): Promise<ServerPathPolicy> {
    const real: string[] = [];
    for (const root of roots) {
      const path = await realpath(resolve(root)).catch(() => null);
      if (!path || !(await stat(path)).isDirectory()) throw new Error(`--allow-root ${root}: not an existing folder.`);
      real.push(path);
    }
    return new ServerPathPolicy(real);
  }

  /**
   * The real path of `path` when it lies inside an allowed root (or is one); otherwise an
   * InvalidRequestError that says how the server's owner can allow it. A path that does not exist
   * yet (a new library folder) is judged by its nearest existing parent's real path.
   */
  async confine(field: string, path: string): Promise<string> {
    if (this.roots.length === 0) {
      throw new InvalidRequestError(
        field,
        'In browser mode the page cannot choose folders or files on the server.',
        'Start the server with `--allow-root <folder>` to let the studio use a folder on it, or use the desktop app.',
      );
    }
    const outside = () =>
      new InvalidRequestError(
        field,
        `${path} is outside the folders this server allows (${this.roots.join(', ')}).`,
        'Choose a path inside one of them, or restart the server with another `--allow-root <folder>`.',
      );
    if (!isAbsolute(path)) throw outside();
    const real = await realPathOf(resolve(path));
    if (!this.roots.some((root) => inside(root, real))) throw outside();
    return real;
  }
}

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** realpath of the longest existing prefix, plus the rest (which, not existing, cannot be a link). */
async function realPathOf(path: string): Promise<string> {
  const rest: string[] = [];
  let current = path;
  for (;;) {
    try {
      return join(await realpath(current), ...rest.reverse());
    } catch {
      const parent = dirname(current);
      if (parent === current) return path;
      rest.push(basename(current));
      current = parent;
    }
  }
}

/**
 * The guard browser mode puts in front of every call: a server path is refused, or replaced by
 * its real path inside an allowed root, so what the service opens is what was checked.
 */
export function browserPathGuard(policy: ServerPathPolicy, currentSettings: () => Promise<Settings>): CallGuard {
  return async (call: StudioCall): Promise<StudioCall> => {
    switch (call.method) {
      case 'importModel':
        return { method: call.method, args: [await policy.confine('dir', call.args[0])] };
      case 'importFolder':
        return { method: call.method, args: [await policy.confine('path', call.args[0])] };
      case 'importReference':
      case 'readRecipe': {
        const source = call.args[0];
        if (source.kind !== 'file') return call;
        const path = await policy.confine('source.path', source.path).catch((error: unknown) => {
          // Without roots, say what a browser does instead.
          if (policy.roots.length === 0) throw new InvalidRequestError('source.kind', 'In browser mode a file comes as an upload, not a path on the server.', 'Drop the file on the studio instead.');
          throw error;
        });
        return { method: call.method, args: [{ kind: 'file', path }] } as StudioCall;
      }
      case 'updateSettings': {
        const patch = { ...call.args[0] };
        const current = await currentSettings();
        for (const key of ['libraryDir', 'exportsDir'] as const) {
          const value = patch[key];
          if (value === undefined) continue;
          if (value === current[key]) delete patch[key];
          else patch[key] = await policy.confine(key, value);
        }
        return { method: call.method, args: [patch] };
      }
      default:
        return call;
    }
  };
}
