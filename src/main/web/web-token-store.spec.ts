import { mkdtempSync, readFileSync, rmSync, statSync, chmodSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadOrCreateWebToken, WEB_TOKEN_FILE } from './web-token-store.ts';

describe('web token store', () => {
  let config: string;
  beforeEach(() => {
    config = mkdtempSync(join(tmpdir(), 'loa-web-token-'));
  });
  afterEach(() => rmSync(config, { recursive: true, force: true }));

  const file = () => join(config, WEB_TOKEN_FILE);

  it('keeps one token across restarts of the same config, in a file only its owner can read', async () => {
    const first = await loadOrCreateWebToken(config);
    expect(first).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(readFileSync(file(), 'utf8').trim()).toBe(first);
    if (process.platform !== 'win32') expect(statSync(file()).mode & 0o777).toBe(0o600);
    expect(await loadOrCreateWebToken(config)).toBe(first);
    // Another config is another studio: another token.
    const other = mkdtempSync(join(tmpdir(), 'loa-web-token-'));
    try {
      expect(await loadOrCreateWebToken(other)).not.toBe(first);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it('makes a new token when asked, and when the file holds something else', async () => {
    const first = await loadOrCreateWebToken(config);
    const renewed = await loadOrCreateWebToken(config, { renew: true });
    expect(renewed).not.toBe(first);
    expect(await loadOrCreateWebToken(config)).toBe(renewed);

    writeFileSync(file(), 'not a token\n');
    const lines: string[] = [];
    const replaced = await loadOrCreateWebToken(config, { log: (line) => lines.push(line) });
    expect(replaced).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(lines[0]).toContain('does not hold a studio token');
  });

  it.skipIf(process.platform === 'win32')('closes a stored token file that others could read', async () => {
    const token = await loadOrCreateWebToken(config);
    chmodSync(file(), 0o644);
    expect(await loadOrCreateWebToken(config)).toBe(token);
    expect(statSync(file()).mode & 0o777).toBe(0o600);
  });
});
