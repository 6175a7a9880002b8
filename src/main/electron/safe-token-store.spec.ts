/**
 * The Hub access token in the Electron app: encrypted with safeStorage on disk, never in the clear;
 * memory only where the OS offers no real encryption (Linux's basic_text backend).
 */
import { mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

const fake = vi.hoisted(() => ({
  available: true,
  backend: 'gnome_libsecret' as string,
}));

vi.mock('electron', () => ({
  safeStorage: {
    isEncryptionAvailable: () => fake.available,
    getSelectedStorageBackend: () => fake.backend,
    // A stand-in cipher: reversible, and not the plain text.
    encryptString: (text: string) => Buffer.from(`enc:${Buffer.from(text).toString('base64').split('').reverse().join('')}`),
    decryptString: (bytes: Buffer) => {
      const text = bytes.toString();
      if (!text.startsWith('enc:')) throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
      return Buffer.from(text.slice(4).split('').reverse().join(''), 'base64').toString();
    },
  },
}));

const { SafeTokenStore } = await import('./safe-token-store.ts');

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'loa-token-'));
  fake.available = true;
  fake.backend = 'gnome_libsecret';
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('SafeTokenStore', () => {
  it('keeps the token encrypted on disk across restarts, and clears it', async () => {
    const store = new SafeTokenStore(dir);
    expect(store.storage).toBe('safe-storage');
    expect(await store.get()).toBeUndefined();
    await store.set('hf_desktopSecret');
    const onDisk = readFileSync(join(dir, 'hub-token.bin'));
    expect(onDisk.toString()).not.toContain('hf_desktopSecret');
    expect(await new SafeTokenStore(dir).get()).toBe('hf_desktopSecret');
    await store.set(null);
    expect(existsSync(join(dir, 'hub-token.bin'))).toBe(false);
    expect(await new SafeTokenStore(dir).get()).toBeUndefined();
  });

  it('writes nothing where the OS would keep it in plain text, and keeps it for this run only', async () => {
    fake.backend = 'basic_text';
    const store = new SafeTokenStore(dir);
    expect(store.storage).toBe('memory');
    await store.set('hf_desktopSecret');
    expect(existsSync(join(dir, 'hub-token.bin'))).toBe(false);
    expect(await store.get()).toBe('hf_desktopSecret');
    expect(await new SafeTokenStore(dir).get()).toBeUndefined();

    fake.available = false;
    fake.backend = 'gnome_libsecret';
    expect(new SafeTokenStore(dir).storage).toBe('memory');
  });

  it("asks again when the stored token cannot be decrypted (another user's key)", async () => {
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(dir, 'hub-token.bin'), 'garbage');
    expect(await new SafeTokenStore(dir).get()).toBeUndefined();
  });
});
