/**
 * Settings in `<configDir>/settings.json`. Only what the user changed is stored; everything else
 * comes from the defaults each time, so a new default reaches existing users and the Exports folder
 * follows the library folder until the user picks one of their own.
 */
import { readFile, rename } from 'node:fs/promises';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { InvalidRequestError } from '../../shared/errors.ts';
import type { Settings } from '../../shared/studio/studio-api.ts';
import { MAX_RECENT_PROMPTS, validateSettingsPatch } from '../../shared/studio/studio-validate.ts';
import { writeFileAtomic } from '../io/atomic-write.ts';
import { DEFAULT_EXPORT } from '../../shared/studio/export-defaults.ts';

export const SETTINGS_FILE = 'settings.json';

export { DEFAULT_EXPORT };

/** `~/Music/LOA Studio`, as Electron's `app.getPath('music')` would give (docs/ux-conventions.md §4). */
export function defaultLibraryDir(home = homedir()): string {
  return join(home, 'Music', 'LOA Studio');
}

export interface SettingsStoreOptions {
  /** Wins over the stored library folder for this run (`--library <dir>`), until the user picks another. */
  libraryDir?: string;
  homeDir?: string;
}

export class SettingsStore {
  private writes: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly path: string,
    private stored: Partial<Settings>,
    private readonly libraryOverride: string | undefined,
    private readonly homeDir: string | undefined,
  ) {}

  /**
   * Reads the settings. A damaged file is kept as `settings.json.corrupt-<time>` and the defaults
   * apply: settings are cheap to redo, and refusing to start over them would be worse.
   */
  static async open(configDir: string, options: SettingsStoreOptions = {}): Promise<SettingsStore> {
    const path = join(configDir, SETTINGS_FILE);
    let stored: Partial<Settings> = {};
    let text: string | undefined;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    if (text !== undefined) {
      try {
        stored = checkPaths(validateSettingsPatch(JSON.parse(text)));
      } catch {
        await rename(path, `${path}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`);
      }
    }
    return new SettingsStore(path, stored, options.libraryDir, options.homeDir);
  }

  get(): Settings {
    const libraryDir = this.stored.libraryDir ?? this.libraryOverride ?? defaultLibraryDir(this.homeDir);
    return {
      libraryDir,
      exportsDir: this.stored.exportsDir ?? join(libraryDir, 'Exports'),
      device: this.stored.device ?? 'auto',
      theme: this.stored.theme ?? 'dark',
      exportDefaults: structuredClone(this.stored.exportDefaults ?? DEFAULT_EXPORT),
      recentPrompts: [...(this.stored.recentPrompts ?? [])],
      ucs: { ...(this.stored.ucs ?? { catId: '', creator: '', source: '' }) },
    };
  }

  /** Checks the patch (it may come from a window), stores it and returns the whole settings. */
  async update(patch: Partial<Settings>): Promise<Settings> {
    const checked = checkPaths(validateSettingsPatch(patch));
    return this.save((stored) => ({ ...stored, ...checked }));
  }

  /** Most recent first, each prompt once, at most 20. */
  addRecentPrompt(prompt: string): Promise<Settings> {
    return this.save((stored) => ({
      ...stored,
      recentPrompts: [prompt, ...(stored.recentPrompts ?? []).filter((p) => p !== prompt)].slice(0, MAX_RECENT_PROMPTS),
    }));
  }

  private save(change: (stored: Partial<Settings>) => Partial<Settings>): Promise<Settings> {
    const write = this.writes.then(async () => {
      const next = change(this.stored);
      await writeFileAtomic(this.path, new TextEncoder().encode(`${JSON.stringify(next, null, 2)}\n`));
      this.stored = next;
      return this.get();
    });
    this.writes = write.catch(() => {});
    return write;
  }
}

/** Folders must be absolute: a relative one would silently depend on the directory the app started in. */
function checkPaths(patch: Partial<Settings>): Partial<Settings> {
  for (const key of ['libraryDir', 'exportsDir'] as const) {
    const dir = patch[key];
    if (dir !== undefined && !isAbsolute(dir)) throw new InvalidRequestError(key, `${key} must be a full folder path, got "${dir}".`, 'Choose the folder with the folder picker.');
  }
  return patch;
}
