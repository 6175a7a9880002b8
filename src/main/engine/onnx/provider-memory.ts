import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { ProviderName } from './execution-providers.ts';

/**
 * Remembers which execution provider worked on this machine, so the next start tries it first
 * instead of paying for failed GPU probes again. Keyed by platform and ORT version: a new driver
 * or ORT release gets a fresh probe.
 */
export class ProviderMemory {
  constructor(
    private readonly file: string,
    private readonly key: string,
  ) {}

  async recall(): Promise<ProviderName | undefined> {
    try {
      const data = JSON.parse(await readFile(this.file, 'utf8')) as Record<string, ProviderName>;
      return data[this.key];
    } catch {
      return undefined; // missing or unreadable memory only costs a re-probe
    }
  }

  async remember(provider: ProviderName): Promise<void> {
    let data: Record<string, ProviderName> = {};
    try {
      data = JSON.parse(await readFile(this.file, 'utf8')) as Record<string, ProviderName>;
    } catch {
      data = {};
    }
    if (data[this.key] === provider) return;
    data[this.key] = provider;
    await mkdir(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(data, null, 2));
    await rename(tmp, this.file);
  }
}
