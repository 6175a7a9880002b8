/**
 * The Hub access token in the Electron app: encrypted with `safeStorage` (Keychain on macOS, DPAPI
 * on Windows, the Secret Service / kwallet on Linux) into `hub-token.bin` in the config folder.
 * Where the OS offers no encryption (safeStorage's `basic_text` backend on a bare Linux session),
 * the token is kept in memory only, for this run, rather than written in the clear.
 */
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { safeStorage } from 'electron';
import { writeFileAtomic } from '../io/atomic-write.ts';
import type { HubTokenStore } from '../studio/hub-token.ts';

const FILE = 'hub-token.bin';

export class SafeTokenStore implements HubTokenStore {
  private memory: string | undefined;

  constructor(private readonly configDir: string) {}

  /** Encrypted on disk only when the OS really encrypts (not Chromium's plain-text fallback). */
  private get encrypted(): boolean {
    if (!safeStorage.isEncryptionAvailable()) return false;
    const backend = process.platform === 'linux' ? safeStorage.getSelectedStorageBackend?.() : undefined;
    return backend !== 'basic_text';
  }

  get storage(): 'safe-storage' | 'memory' {
    return this.encrypted ? 'safe-storage' : 'memory';
  }

  async get(): Promise<string | undefined> {
    if (this.memory !== undefined) return this.memory;
    if (!this.encrypted) return undefined;
    const bytes = await readFile(join(this.configDir, FILE)).catch(() => undefined);
    if (!bytes) return undefined;
    try {
      return safeStorage.decryptString(bytes);
    } catch {
      return undefined; // another user's or another machine's key: ask again
    }
  }

  async set(token: string | null): Promise<void> {
    const path = join(this.configDir, FILE);
    if (token === null) {
      this.memory = undefined;
      await rm(path, { force: true });
      return;
    }
    if (this.encrypted) {
      this.memory = undefined;
      await writeFileAtomic(path, new Uint8Array(safeStorage.encryptString(token)));
    } else {
      this.memory = token;
    }
  }
}
