/**
 * Where the studio keeps the Hugging Face access token (gated or private repos). The token goes to
 * the Hub with an install and nowhere else: the Studio API only ever says whether one is set.
 * Browser mode keeps it in memory for the server's session; the Electron app keeps it encrypted
 * with `safeStorage` (src/main/electron/safe-token-store.ts); the CLI reads HF_TOKEN.
 */
export interface HubTokenStore {
  readonly storage: 'safe-storage' | 'memory';
  get(): Promise<string | undefined>;
  /** null clears it. */
  set(token: string | null): Promise<void>;
}

export class MemoryTokenStore implements HubTokenStore {
  readonly storage = 'memory' as const;
  private token: string | undefined;

  async get(): Promise<string | undefined> {
    return this.token;
  }

  async set(token: string | null): Promise<void> {
    this.token = token ?? undefined;
  }
}
