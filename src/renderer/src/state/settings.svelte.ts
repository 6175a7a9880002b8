/** The studio's settings (library and exports folders, device, theme, export defaults, recent prompts). */
import type { Settings, StudioApi } from '../../../shared/studio/studio-api.ts';
import type { NoticeState } from './notices.svelte.ts';

export const MAX_RECENT_PROMPTS = 20;

export class SettingsState {
  settings = $state<Settings | null>(null);
  panelOpen = $state(false);
  theme = $derived(this.settings?.theme ?? 'dark');

  constructor(
    private readonly api: StudioApi,
    private readonly notices: NoticeState,
  ) {}

  load = async (): Promise<void> => {
    this.settings = await this.api.getSettings();
  };

  /** Pushed by main after any change (another window, or main itself). */
  set = (settings: Settings): void => {
    this.settings = settings;
  };

  update = async (patch: Partial<Settings>): Promise<boolean> => {
    try {
      this.settings = await this.api.updateSettings(patch);
      return true;
    } catch (error) {
      this.notices.report(error, 'Settings not saved');
      return false;
    }
  };

  /** Puts a prompt at the top of the recent list (idempotent, so main may do it too). */
  rememberPrompt = async (prompt: string): Promise<void> => {
    const text = prompt.trim();
    const current = this.settings?.recentPrompts ?? [];
    if (!text || current[0] === text) return;
    const recentPrompts = [text, ...current.filter((p) => p !== text)].slice(0, MAX_RECENT_PROMPTS);
    await this.update({ recentPrompts });
  };
}
