import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidRequestError } from '../../shared/errors.ts';
import { tempDir } from '../engine/testing/tiny-bundle.ts';
import { DEFAULT_EXPORT, SETTINGS_FILE, SettingsStore } from './settings-store.ts';

let scratch: Awaited<ReturnType<typeof tempDir>>;
beforeEach(async () => {
  scratch = await tempDir('loa-settings-');
});
afterEach(async () => {
  await scratch.remove();
});

describe('SettingsStore', () => {
  it('starts from the documented defaults', async () => {
    const store = await SettingsStore.open(scratch.path, { homeDir: '/home/ana' });
    expect(store.get()).toEqual({
      libraryDir: '/home/ana/Music/LOA Studio',
      exportsDir: '/home/ana/Music/LOA Studio/Exports',
      device: 'auto',
      theme: 'dark',
      exportDefaults: {
        format: 'pcm24',
        sampleRate: 48000,
        normalize: { kind: 'peak', dbfs: -1 },
        fadeInMs: 0,
        fadeOutMs: 5,
        nameTemplate: '{prompt-slug}_{seed}_{take}',
      },
      recentPrompts: [],
      ucs: { catId: '', creator: '', source: '' },
    });
  });

  it('lets a launch option override the library folder, with Exports following it', async () => {
    const store = await SettingsStore.open(scratch.path, { libraryDir: '/data/lib' });
    expect(store.get()).toMatchObject({ libraryDir: '/data/lib', exportsDir: '/data/lib/Exports' });
  });

  it('stores only what changed, atomically, and reads it back', async () => {
    const store = await SettingsStore.open(scratch.path, { homeDir: '/home/ana' });
    const settings = await store.update({ theme: 'light', exportsDir: '/mnt/exports', ucs: { catId: 'DOORWood', creator: 'AN', source: 'LOA' } });
    expect(settings).toMatchObject({ theme: 'light', exportsDir: '/mnt/exports', libraryDir: '/home/ana/Music/LOA Studio' });
    expect(JSON.parse(await readFile(join(scratch.path, SETTINGS_FILE), 'utf8'))).toEqual({
      theme: 'light',
      exportsDir: '/mnt/exports',
      ucs: { catId: 'DOORWood', creator: 'AN', source: 'LOA' },
    });
    expect((await SettingsStore.open(scratch.path, { homeDir: '/home/ana' })).get()).toEqual(settings);
    expect(await readdir(scratch.path)).toEqual([SETTINGS_FILE]); // no temporary file left behind
  });

  it('keeps recent prompts most recent first, once each, at most 20', async () => {
    const store = await SettingsStore.open(scratch.path);
    for (let i = 0; i < 25; i++) await store.addRecentPrompt(`prompt ${i}`);
    await store.addRecentPrompt('prompt 10');
    const recent = store.get().recentPrompts;
    expect(recent.length).toBe(20);
    expect(recent.slice(0, 3)).toEqual(['prompt 10', 'prompt 24', 'prompt 23']);
    expect(new Set(recent).size).toBe(20);
    expect((await SettingsStore.open(scratch.path)).get().recentPrompts).toEqual(recent);
  });

  it('refuses bad values with the field named and keeps the old settings', async () => {
    const store = await SettingsStore.open(scratch.path);
    await expect(store.update({ libraryDir: 'relative/dir' })).rejects.toMatchObject({ field: 'libraryDir' });
    await expect(store.update({ theme: 'blue' as 'dark' })).rejects.toBeInstanceOf(InvalidRequestError);
    await expect(store.update({ exportDefaults: { ...DEFAULT_EXPORT, sampleRate: 8000 as 48000 } })).rejects.toMatchObject({ field: 'exportDefaults.sampleRate' });
    expect(store.get().theme).toBe('dark');
  });

  it('hands out copies, so a caller cannot change the stored settings by accident', async () => {
    const store = await SettingsStore.open(scratch.path);
    const settings = store.get();
    settings.exportDefaults.fadeOutMs = 999;
    settings.recentPrompts.push('x');
    expect(store.get().exportDefaults.fadeOutMs).toBe(5);
    expect(store.get().recentPrompts).toEqual([]);
  });

  it('keeps a damaged settings file aside and starts from the defaults', async () => {
    await writeFile(join(scratch.path, SETTINGS_FILE), '{"theme": "light", ');
    const store = await SettingsStore.open(scratch.path);
    expect(store.get().theme).toBe('dark');
    const files = await readdir(scratch.path);
    expect(files.some((f) => f.startsWith(`${SETTINGS_FILE}.corrupt-`))).toBe(true);
  });
});
