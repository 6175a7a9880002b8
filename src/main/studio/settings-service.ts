/**
 * Settings: read, change, and what a change sets in motion (another library folder is opened,
 * another device reloads the model), each pushed as a 'settings' event so every window agrees.
 */
import type { Settings } from '../../shared/studio/studio-api.ts';
import type { ModelManager } from './model-manager.ts';
import type { OpenLibrary } from './open-library.ts';
import type { SettingsStore } from './settings-store.ts';
import type { StudioEvents } from './studio-events.ts';

export class SettingsService {
  constructor(
    private readonly store: SettingsStore,
    private readonly library: OpenLibrary,
    private readonly engine: ModelManager,
    private readonly events: StudioEvents,
    /** The device was fixed for this run (`--device`): a changed setting waits for the next start. */
    private readonly deviceFixed: boolean,
  ) {}

  /** The settings now, for the other concerns (export defaults, folders). */
  get current(): Settings {
    return this.store.get();
  }

  async getSettings(): Promise<Settings> {
    return this.store.get();
  }

  async updateSettings(patch: Partial<Settings>): Promise<Settings> {
    const before = this.store.get();
    const settings = await this.store.update(patch);
    if (settings.libraryDir !== before.libraryDir) await this.library.open(settings.libraryDir);
    if (settings.device !== before.device && !this.deviceFixed) {
      // Reloading takes a while; 'model' events show it, and a failed switch keeps the working model.
      void this.engine.setDevice(settings.device).catch(() => {});
    }
    this.events.emit({ type: 'settings', settings });
    return settings;
  }

  /** A prompt that started a job goes to the top of the recent list. */
  async addRecentPrompt(prompt: string): Promise<void> {
    this.events.emit({ type: 'settings', settings: await this.store.addRecentPrompt(prompt) });
  }
}
