import { describe, expect, it } from 'vitest';
import { DiskFullError } from '../../../shared/errors.ts';
import { DEFAULT_EXPORT } from '../../../shared/studio/export-defaults.ts';
import type { Settings } from '../../../shared/studio/studio-api.ts';
import { NoticeState } from './notices.svelte.ts';
import { MAX_RECENT_PROMPTS, SettingsState } from './settings.svelte.ts';
import { apiStandIn } from './studio-api.fixture.ts';

const saved: Settings = {
  libraryDir: '/lib',
  exportsDir: '/exports',
  device: 'auto',
  theme: 'light',
  exportDefaults: DEFAULT_EXPORT,
  recentPrompts: ['b', 'a'],
  ucs: { catId: '', creator: '', source: '' },
};

/** Main's updateSettings: merges the patch into what it holds and answers with the whole. */
function settingsApi() {
  let current = structuredClone(saved);
  return apiStandIn({
    getSettings: async () => current,
    updateSettings: async (patch) => (current = { ...current, ...patch }),
  });
}

describe('SettingsState', () => {
  it('reads the theme from the settings, dark until they arrive', async () => {
    const settings = new SettingsState(settingsApi().api, new NoticeState());
    expect(settings.theme).toBe('dark');
    await settings.load();
    expect(settings.theme).toBe('light');
  });

  it('puts a prompt at the top of the recent list once, trimmed, at most twenty', async () => {
    const { api, calls } = settingsApi();
    const settings = new SettingsState(api, new NoticeState());
    await settings.load();
    await settings.rememberPrompt('  a ');
    expect(settings.settings?.recentPrompts).toEqual(['a', 'b']);
    await settings.rememberPrompt('a');
    await settings.rememberPrompt('   ');
    expect(calls.filter((c) => c.method === 'updateSettings')).toHaveLength(1);
    for (let i = 0; i < 25; i++) await settings.rememberPrompt(`p${i}`);
    expect(settings.settings?.recentPrompts).toHaveLength(MAX_RECENT_PROMPTS);
    expect(settings.settings?.recentPrompts.slice(0, 2)).toEqual(['p24', 'p23']);
  });

  it('keeps what it had when a change is refused, and says why', async () => {
    const full = new DiskFullError('/config');
    const notices = new NoticeState();
    const settings = new SettingsState(
      apiStandIn({
        getSettings: async () => saved,
        updateSettings: async () => {
          throw full;
        },
      }).api,
      notices,
    );
    await settings.load();
    expect(await settings.update({ theme: 'dark' })).toBe(false);
    expect(settings.theme).toBe('light');
    expect(notices.notices.map((n) => [n.message, n.hint])).toEqual([[`Settings not saved: ${full.message}`, full.hint]]);
  });
});
