/**
 * Issue 12 §3: in browser mode a page names no server path unless the server was started with
 * `--allow-root <dir>`, and then only paths inside those folders by their real path. The real
 * server, a real StudioService, a real WebSocket client and real files and symlinks in a temp dir.
 */
import { mkdir, realpath, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { LoaError } from '../../shared/errors.ts';
import { webStudioClient, type StudioClient } from '../../renderer/src/api/studio-client.ts';
import type { WebSocketFactory } from '../../renderer/src/api/ws-studio-client.ts';
import { ServerPathPolicy } from './server-paths.ts';
import { startTestStudioWeb, type TestStudioWeb } from './web-test-server.fixture.ts';

const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('accepted');
    },
    (error: unknown) => error as LoaError,
  );
const client = (web: TestStudioWeb): StudioClient => webStudioClient(`ws://127.0.0.1:${web.server.port}/api?token=${web.token}`, WebSocket as unknown as WebSocketFactory);

describe('browser mode without --allow-root', () => {
  let web: TestStudioWeb;
  let api: StudioClient;
  beforeAll(async () => {
    web = await startTestStudioWeb();
    api = client(web);
  });
  afterAll(async () => {
    api?.close?.();
    await web?.close();
  });

  it('refuses exportsDir /etc, so /media/export/passwd stays 404', async () => {
    const error = await refusal(api.updateSettings({ exportsDir: '/etc' }));
    expect(error).toMatchObject({ code: 'INVALID_REQUEST', field: 'exportsDir' });
    expect(error.hint).toMatch(/--allow-root/);
    expect((await api.getSettings()).exportsDir).not.toBe('/etc');
    const media = await fetch(`${web.server.origin}/media/export/passwd?token=${web.token}`);
    expect(media.status).toBe(404);
  });

  it('refuses importFolder, importModel, a libraryDir and file sources naming server paths', async () => {
    expect(await refusal(api.importFolder('/etc'))).toMatchObject({ code: 'INVALID_REQUEST', field: 'path' });
    expect(await refusal(api.importModel('/etc'))).toMatchObject({ code: 'INVALID_REQUEST', field: 'dir' });
    expect(await refusal(api.updateSettings({ libraryDir: '/tmp/elsewhere' }))).toMatchObject({ field: 'libraryDir' });
    expect((await refusal(api.importReference({ kind: 'file', path: '/etc/passwd' }))).message).toMatch(/comes as an upload/);
    expect((await refusal(api.readRecipe({ kind: 'file', path: '/etc/passwd' }))).message).toMatch(/comes as an upload/);
  });

  it('still saves settings that send the current folders back unchanged (the Settings panel does)', async () => {
    const current = await api.getSettings();
    const saved = await api.updateSettings({ libraryDir: current.libraryDir, exportsDir: current.exportsDir, theme: 'light' });
    expect(saved).toMatchObject({ libraryDir: current.libraryDir, exportsDir: current.exportsDir, theme: 'light' });
  });
});

describe('browser mode with --allow-root', () => {
  let web: TestStudioWeb;
  let api: StudioClient;
  let root: string;
  beforeAll(async () => {
    const outside = await startTestStudioWeb(); // only for a second temp folder to hold the root
    root = join(outside.dir, 'allowed');
    await mkdir(join(root, 'Sounds'), { recursive: true });
    await writeFile(join(root, 'Sounds', 'notes.txt'), 'not audio');
    await symlink('/etc', join(root, 'etc-link'));
    web = await startTestStudioWeb({ allowRoots: [root] });
    api = client(web);
    root = await realpath(root);
    afterAll(() => outside.close());
  });
  afterAll(async () => {
    api?.close?.();
    await web?.close();
  });

  it('takes paths inside the root (by their real path), also ones that do not exist yet', async () => {
    // The service reads the file and finds it is no WAV: the path got past the guard.
    expect(await refusal(api.readRecipe({ kind: 'file', path: join(root, 'Sounds', 'notes.txt') }))).toMatchObject({ code: 'AUDIO_DECODE' });
    const saved = await api.updateSettings({ exportsDir: join(root, 'Exports', 'new') });
    expect(saved.exportsDir).toBe(join(root, 'Exports', 'new'));
  });

  it('refuses paths outside it, through .., or through a symlink that leads out', async () => {
    for (const path of ['/etc', join(root, '..'), `${root}/../../etc`, join(root, 'etc-link'), join(root, 'etc-link', 'passwd-dir'), 'relative/path']) {
      const error = await refusal(api.updateSettings({ exportsDir: path }));
      expect(error, path).toMatchObject({ code: 'INVALID_REQUEST', field: 'exportsDir' });
      expect(error.message).toMatch(/outside the folders this server allows/);
    }
    expect(await refusal(api.importFolder(join(root, 'etc-link')))).toMatchObject({ field: 'path' });
    expect(await refusal(api.importModel('/etc'))).toMatchObject({ field: 'dir' });
    expect((await fetch(`${web.server.origin}/media/export/passwd?token=${web.token}`)).status).toBe(404);
  });
});

describe('an Exports folder set before (by hand, or before this fix) that holds other files', () => {
  it('serves none of them: only exports the studio made are media', async () => {
    const holder = await startTestStudioWeb();
    const folder = join(holder.dir, 'not-exports');
    await mkdir(folder);
    await writeFile(join(folder, 'secret.txt'), 'private');
    const web = await startTestStudioWeb({ settings: { exportsDir: folder } });
    try {
      expect((await fetch(`${web.server.origin}/media/export/secret.txt?token=${web.token}`)).status).toBe(404);
    } finally {
      await web.close();
      await holder.close();
    }
  });
});

describe('ServerPathPolicy.create', () => {
  it('refuses a root that is not an existing folder', async () => {
    await expect(ServerPathPolicy.create(['/no/such/folder'])).rejects.toThrow(/--allow-root \/no\/such\/folder: not an existing folder/);
    await expect(ServerPathPolicy.create(['/etc/passwd'])).rejects.toThrow(/not an existing folder/);
  });
});
