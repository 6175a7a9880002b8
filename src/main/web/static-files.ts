/**
 * Maps a URL path to a file inside the built renderer (out/renderer), for the browser-mode server
 * and Electron's `loa-app:` protocol. Anything that would leave the folder is refused.
 */
import { isAbsolute, relative, resolve, sep } from 'node:path';

/** The file under `root` for `pathname`, or null when it is outside `root` or malformed. */
export function resolveStaticFile(root: string, pathname: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  const relativePath = decoded === '/' || decoded === '' ? 'index.html' : decoded.replace(/^\/+/, '');
  const file = resolve(root, relativePath);
  const fromRoot = relative(resolve(root), file);
  if (fromRoot === '' || fromRoot === '..' || fromRoot.startsWith(`..${sep}`) || isAbsolute(fromRoot)) return null;
  return file;
}
