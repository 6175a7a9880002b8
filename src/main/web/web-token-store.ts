/**
 * Browser mode's access token, kept across restarts of the same config: `<configDir>/web-token`,
 * readable by its owner only (0600). A restarted server then accepts the link an open tab already
 * holds, so the tab reconnects by itself instead of knocking with a token nobody accepts any more.
 * `--new-token` (or deleting the file) makes a new one, which logs every old link out.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { newToken } from './token.ts';

export const WEB_TOKEN_FILE = 'web-token';
/** What newToken() makes: 24 random bytes in base64url. Anything else in the file is not ours. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{32}$/;
const OWNER_ONLY = 0o600;

export interface WebTokenOptions {
  /** Make a new token even if one is stored (`--new-token`). */
  renew?: boolean;
  log?: (line: string) => void;
}

/** The stored token of this config, or a new one written there first. */
export async function loadOrCreateWebToken(configDir: string, options: WebTokenOptions = {}): Promise<string> {
  const path = join(configDir, WEB_TOKEN_FILE);
  if (!options.renew) {
    const stored = await readStoredToken(path, options.log);
    if (stored) return stored;
  }
  const token = newToken();
  await writeOwnerOnly(path, `${token}\n`);
  return token;
}

async function readStoredToken(path: string, log?: (line: string) => void): Promise<string | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  const token = text.trim();
  if (!TOKEN_SHAPE.test(token)) {
    log?.(`${path} does not hold a studio token; making a new one (open the new link).`);
    return null;
  }
  // A copy or an umask may have opened it up; the token is a password, so close it again.
  if (process.platform !== 'win32' && ((await stat(path)).mode & 0o077) !== 0) await chmod(path, OWNER_ONLY);
  return token;
}

/** Written to a 0600 temporary sibling, then renamed: never readable by others, never half written. */
async function writeOwnerOnly(path: string, text: string): Promise<void> {
  await mkdir(join(path, '..'), { recursive: true });
  const tmp = `${path}.${randomBytes(6).toString('hex')}.partial`;
  try {
    await writeFile(tmp, text, { mode: OWNER_ONLY, flag: 'wx' });
    await rename(tmp, path);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
}
