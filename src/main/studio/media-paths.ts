/**
 * The allow-list behind the `media:` protocol (Electron) and the browser-mode media route: a URL
 * path names a take by id or an export by file name, never a file system path. Only takes in the
 * library and files directly inside the Exports folder resolve (docs/electron.md §5).
 */
import { realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';
import { InvalidRequestError } from '../../shared/errors.ts';
import { ID_PATTERN } from '../../shared/studio/studio-validate.ts';
import type { TakeStore } from './take-store.ts';

/** 400: malformed; 403: points somewhere it may not; 404: nothing there. Transports answer with this status. */
export class MediaRequestError extends InvalidRequestError {
  constructor(
    readonly status: 400 | 403 | 404,
    message: string,
  ) {
    super('path', message, 'Open the take from the library instead.');
  }
}

export interface MediaRoots {
  takes: Pick<TakeStore, 'file'>;
  /** Throw for an unknown reference id. */
  references: { get(id: string): unknown; file(id: string): string };
  libraryDir: string;
  exportsDir: string;
  /**
   * Whether the studio itself wrote an export at this path. When given, only such files are served
   * from the Exports folder: were it pointed at a folder of other files (a setting made long ago, or
   * by hand), those still stay private.
   */
  isExport?: (path: string) => boolean;
}

export type MediaKind = 'take' | 'export' | 'reference';

/** What the resolver needs from the running studio (StudioService implements it). */
export interface MediaSource {
  mediaRoots(): Promise<MediaRoots>;
}

/** The URL path the renderer uses for a take or an export (the inverse of resolveMedia). */
export function mediaPath(kind: MediaKind, id: string): string {
  return `${kind}/${encodeURIComponent(id)}`;
}

/**
 * `take/<id>` or `export/<file name>` (percent-encoded, an optional leading '/') → the absolute
 * path of an existing file. Decodes exactly once, after splitting, so `%2f` and `%2e%2e` can only
 * ever form a name, which is then refused; the real path (symlinks followed) must stay inside the
 * library (takes) or directly inside the Exports folder (exports).
 */
export async function resolveMedia(urlPath: string, roots: MediaRoots): Promise<string> {
  if (typeof urlPath !== 'string' || urlPath.length > 4096) throw new MediaRequestError(400, 'Malformed media path.');
  const parts = urlPath.replace(/^\//, '').split('/');
  if (parts.length !== 2) throw new MediaRequestError(400, 'A media path is take/<id>, reference/<id> or export/<file name>.');
  const [kind, encoded] = parts;
  let name: string;
  try {
    name = decodeURIComponent(encoded);
  } catch {
    throw new MediaRequestError(400, 'Malformed escape in the media path.');
  }
  if (kind === 'take') {
    if (!ID_PATTERN.test(name)) throw new MediaRequestError(400, 'Not a take id.');
    let file: string;
    try {
      file = roots.takes.file(name);
    } catch {
      throw new MediaRequestError(404, `There is no take ${name} in the library.`);
    }
    return confine(file, roots.libraryDir, false);
  }
  if (kind === 'reference') {
    if (!ID_PATTERN.test(name)) throw new MediaRequestError(400, 'Not a reference id.');
    try {
      roots.references.get(name);
    } catch {
      throw new MediaRequestError(404, `There is no reference ${name}.`);
    }
    return confine(roots.references.file(name), roots.libraryDir, false);
  }
  if (kind === 'export') {
    // No separators, no drive letters, no NUL, no '.'/'..', and no hidden or half-written files
    // (writeFileAtomic's temporaries start with '.').
    if (name === '' || /[\\/:\u0000]/.test(name) || name.startsWith('.')) throw new MediaRequestError(403, 'Only files directly inside the Exports folder can be opened.');
    const real = await confine(join(roots.exportsDir, name), roots.exportsDir, true);
    if (roots.isExport && !roots.isExport(join(roots.exportsDir, name)) && !roots.isExport(real)) throw new MediaRequestError(404, `LOA Studio made no export named ${name}.`);
    return real;
  }
  throw new MediaRequestError(400, `Unknown media kind "${kind}".`);
}

/** The real path of `file`, if it is a regular file inside `root` (directly inside, when `direct`). */
async function confine(file: string, root: string, direct: boolean): Promise<string> {
  let real: string;
  let realRoot: string;
  try {
    [real, realRoot] = await Promise.all([realpath(file), realpath(root)]);
  } catch {
    throw new MediaRequestError(404, 'The file is not there (it may have been moved or deleted).');
  }
  const inside = relative(realRoot, real);
  if (inside === '' || inside.startsWith('..') || isAbsolute(inside) || (direct && inside.includes(sep))) {
    throw new MediaRequestError(403, 'The file lies outside the folders LOA Studio serves.');
  }
  if (!(await stat(real)).isFile()) throw new MediaRequestError(404, 'Not a file.');
  return real;
}

/** For transports that have already split and decoded the URL (Electron protocol, browser media route). */
export async function resolveMediaPath(source: MediaSource, kind: MediaKind, id: string): Promise<string> {
  return resolveMedia(mediaPath(kind, id), await source.mediaRoots());
}
