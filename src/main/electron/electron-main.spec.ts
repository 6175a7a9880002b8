/**
 * The Electron-facing files with `electron` replaced by a fake: IPC registration and sender checks,
 * the two protocol handlers, the utility-process launcher and the preload bridge.
 */
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { CancelledError } from '../../shared/errors.ts';
import { BRIDGE_GLOBAL, IPC, type StudioBridge } from '../../shared/studio/bridge.ts';
import { STUDIO_METHODS, type StudioApi, type StudioEvent } from '../../shared/studio/studio-api.ts';
import * as electron from './electron-fake.fixture.ts';
import { engineProcessEnv } from '../engine/host/engine-process-env.ts';

vi.mock('electron', () => import('./electron-fake.fixture.ts'));

const { registerStudioIpc } = await import('./ipc.ts');
const { handleProtocols, registerPrivilegedSchemes } = await import('./media-protocol.ts');
const { utilityEngineLauncher } = await import('./utility-engine-launcher.ts');
const { studioWindowOptions } = await import('./window-options.ts');

describe('studioWindowOptions', () => {
  it('isolates, sandboxes and keeps Node out of the page', () => {
    const options = studioWindowOptions('/app/out/preload/index.cjs');
    expect(options.webPreferences).toMatchObject({
      preload: '/app/out/preload/index.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      webviewTag: false,
    });
    expect(options.backgroundColor).toMatch(/^#[0-9a-f]{6}$/i);
  });
});

function fakeService() {
  const listeners = new Set<(event: StudioEvent) => void>();
  const service = {
    listTakes: vi.fn(async () => []),
    cancel: vi.fn(async () => {
      throw new CancelledError();
    }),
    prepareDrag: vi.fn(async (takeId: string) => ({ takeId, path: `/exports/${takeId}.wav`, fileName: `${takeId}.wav`, bytes: 44, url: '' })),
    onEvent: (listener: (event: StudioEvent) => void) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    emit: (event: StudioEvent) => listeners.forEach((l) => l(event)),
    listeners,
  };
  return service;
}

describe('registerStudioIpc', () => {
  const ours = new electron.FakeWebContents();
  const stranger = new electron.FakeWebContents();
  stranger.url = 'https://evil.example/';
  const frameOf = (contents: electron.FakeWebContents) => ({ sender: contents, senderFrame: { url: contents.url } });

  beforeEach(() => {
    electron.windows.splice(0, electron.windows.length, { webContents: ours });
  });

  it('registers one handler per Studio method and removes them all again', () => {
    const dispose = registerStudioIpc({ service: fakeService() as unknown as StudioApi, trustedUrls: ['loa-app://renderer/'], dragIcon: {} as never, log: () => {} });
    expect([...electron.ipcMain.handlers.keys()].sort()).toEqual([...STUDIO_METHODS.map((m) => `studio:${m}`), IPC.fileAction, IPC.pickFolder].sort());
    expect(electron.ipcMain.listeners.has(IPC.startDrag)).toBe(true);
    dispose();
    expect(electron.ipcMain.handlers.size).toBe(0);
    expect(electron.ipcMain.listeners.size).toBe(0);
  });

  it('dispatches calls from our page and answers with envelopes', async () => {
    const service = fakeService();
    const dispose = registerStudioIpc({ service: service as unknown as StudioApi, trustedUrls: ['loa-app://renderer/'], dragIcon: {} as never, log: () => {} });
    expect(await electron.ipcMain.handlers.get('studio:listTakes')!(frameOf(ours))).toEqual({ ok: true, result: [] });
    expect(await electron.ipcMain.handlers.get('studio:cancel')!(frameOf(ours), 'job-1')).toMatchObject({ ok: false, error: { code: 'CANCELLED' } });
    expect(await electron.ipcMain.handlers.get('studio:cancel')!(frameOf(ours), '../x')).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST', field: 'jobId' } });
    dispose();
  });

  it('refuses senders that are not our page, or not in one of our windows', async () => {
    const service = fakeService();
    const log = vi.fn();
    const dispose = registerStudioIpc({ service: service as unknown as StudioApi, trustedUrls: ['loa-app://renderer/'], dragIcon: {} as never, log });
    electron.windows.push({ webContents: stranger });
    const orphan = new electron.FakeWebContents(); // our URL, but no BrowserWindow owns it
    for (const event of [frameOf(stranger), frameOf(orphan), { sender: ours, senderFrame: null }]) {
      expect(await electron.ipcMain.handlers.get('studio:listTakes')!(event)).toMatchObject({ ok: false, error: { field: 'sender' } });
    }
    expect(service.listTakes).not.toHaveBeenCalled();
    expect(log).toHaveBeenCalledTimes(3);
    dispose();
  });

  it('prepares the file before starting an OS drag with the icon', async () => {
    const service = fakeService();
    const icon = { isEmpty: () => false };
    const dispose = registerStudioIpc({ service: service as unknown as StudioApi, trustedUrls: ['loa-app://renderer/'], dragIcon: icon as never, log: () => {} });
    ours.drags.length = 0;
    await electron.ipcMain.listeners.get(IPC.startDrag)!(frameOf(ours), 'take-1', { start: 0.5, end: 1 });
    expect(service.prepareDrag).toHaveBeenCalledWith('take-1', { start: 0.5, end: 1 });
    expect(ours.drags).toEqual([{ file: '/exports/take-1.wav', icon }]);
    await electron.ipcMain.listeners.get(IPC.startDrag)!(frameOf(ours), '../../etc/passwd', undefined);
    await electron.ipcMain.listeners.get(IPC.startDrag)!(frameOf(stranger), 'take-1', undefined);
    expect(ours.drags).toHaveLength(1);
    expect(stranger.drags).toHaveLength(0);
    dispose();
  });

  it('copies or reveals the rendered file for keyboard users; a bad action, take id or sender gets an error and touches nothing', async () => {
    const service = fakeService();
    const done: string[] = [];
    const fileActions = { copy: async (path: string) => void done.push(`copy ${path}`), reveal: (path: string) => void done.push(`reveal ${path}`) };
    const dispose = registerStudioIpc({ service: service as unknown as StudioApi, trustedUrls: ['loa-app://renderer/'], dragIcon: {} as never, log: () => {}, fileActions });
    const handler = electron.ipcMain.handlers.get(IPC.fileAction)!;
    expect(await handler(frameOf(ours), 'copy', 'take-1', { start: 0.5, end: 1 })).toEqual({ ok: true, result: null });
    expect(await handler(frameOf(ours), 'reveal', 'take-2', undefined)).toEqual({ ok: true, result: null });
    expect(done).toEqual(['copy /exports/take-1.wav', 'reveal /exports/take-2.wav']);
    expect(await handler(frameOf(ours), 'delete', 'take-1', undefined)).toMatchObject({ ok: false, error: { field: 'action' } });
    expect(await handler(frameOf(ours), 'copy', '../../etc/passwd', undefined)).toMatchObject({ ok: false, error: { field: 'takeId' } });
    expect(await handler(frameOf(stranger), 'copy', 'take-1', undefined)).toMatchObject({ ok: false, error: { field: 'sender' } });
    expect(done).toHaveLength(2);
    dispose();
    expect(electron.ipcMain.handlers.has(IPC.fileAction)).toBe(false);
  });

  it('opens the folder dialog for our page only, with a known purpose, and answers the chosen path', async () => {
    const asked: unknown[] = [];
    const dialog = { showOpenDialog: async (...args: unknown[]) => (asked.push(args[1]), { canceled: false, filePaths: ['/home/me/models/audioldm2'] }) };
    const dispose = registerStudioIpc({ service: fakeService() as unknown as StudioApi, trustedUrls: ['loa-app://renderer/'], dragIcon: {} as never, log: () => {}, dialog: dialog as never });
    const handler = electron.ipcMain.handlers.get(IPC.pickFolder)!;
    expect(await handler(frameOf(ours), 'model')).toEqual({ ok: true, result: '/home/me/models/audioldm2' });
    expect(asked).toEqual([expect.objectContaining({ properties: ['openDirectory'] })]);
    expect(await handler(frameOf(stranger), 'model')).toMatchObject({ ok: false, error: { field: 'sender' } });
    expect(await handler(frameOf(ours), '/etc')).toMatchObject({ ok: false, error: { field: 'purpose' } });
    expect(asked).toHaveLength(1);
    dispose();
    expect(electron.ipcMain.handlers.has(IPC.pickFolder)).toBe(false);
  });

  it('pushes service events to our windows only, and stops on dispose', () => {
    const service = fakeService();
    electron.windows.push({ webContents: stranger });
    ours.sent.length = 0;
    const dispose = registerStudioIpc({ service: service as unknown as StudioApi, trustedUrls: ['loa-app://renderer/'], dragIcon: {} as never, log: () => {} });
    service.emit({ type: 'export', done: 1, total: 1 });
    expect(ours.sent).toEqual([[IPC.event, { type: 'export', done: 1, total: 1 }]]);
    expect(stranger.sent).toEqual([]);
    dispose();
    expect(service.listeners.size).toBe(0);
  });
});

describe('protocols', () => {
  let dir: string;
  const csp = "default-src 'none'";
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'loa-protocol-'));
    await mkdir(join(dir, 'renderer/assets'), { recursive: true });
    await writeFile(join(dir, 'renderer/index.html'), '<!doctype html>');
    await writeFile(join(dir, 'renderer/assets/app.js'), 'export {}');
    await writeFile(join(dir, 'take.wav'), Buffer.alloc(100, 1));
    registerPrivilegedSchemes();
    handleProtocols({ rendererDir: join(dir, 'renderer'), csp, resolveMedia: (kind, id) => (kind === 'take' && id === 'tk1' ? join(dir, 'take.wav') : null), mediaOrigins: ['loa-app://renderer'] });
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));
  const app = (url: string) => electron.protocol.handlers.get('loa-app')!(new Request(url));
  const media = (url: string, headers: Record<string, string> = {}) => electron.protocol.handlers.get('loa-media')!(new Request(url, { headers }));

  it('registers both schemes as privileged, media with stream + fetch', () => {
    expect(electron.protocol.privileged).toEqual([
      { scheme: 'loa-app', privileges: expect.objectContaining({ standard: true, secure: true }) },
      { scheme: 'loa-media', privileges: expect.objectContaining({ standard: true, secure: true, stream: true, supportFetchAPI: true }) },
    ]);
  });

  it('serves the renderer with the CSP header and refuses to leave its folder', async () => {
    const page = await app('loa-app://renderer/index.html');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toBe(csp);
    expect((await app('loa-app://renderer/assets/app.js')).headers.get('content-type')).toContain('javascript');
    expect((await app('loa-app://renderer/..%2f..%2ftake.wav')).status).toBe(404);
    expect((await app('loa-app://other/index.html')).status).toBe(404);
  });

  it('serves allowed media with Range and CORS for our origin; everything else is 404', async () => {
    const whole = await media('loa-media://take/tk1', { Origin: 'loa-app://renderer' });
    expect(whole.status).toBe(200);
    expect(whole.headers.get('access-control-allow-origin')).toBe('loa-app://renderer');
    const part = await media('loa-media://take/tk1', { Range: 'bytes=10-19' });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe('bytes 10-19/100');
    expect((await media('loa-media://take/tk1', { Origin: 'https://evil.example' })).headers.get('access-control-allow-origin')).toBeNull();
    for (const url of ['loa-media://take/tk2', 'loa-media://take/..%2f..%2fetc%2fpasswd', 'loa-media://take/a/b', 'loa-media://model/tk1']) {
      expect((await media(url)).status).toBe(404);
    }
  });
});

describe('utilityEngineLauncher', () => {
  it('forks the worker as a named utility process, holds messages until it spawns, and SIGKILLs it', () => {
    const child = utilityEngineLauncher()();
    const fork = electron.utilityProcess.forks.at(-1)!;
    expect(fork.path).toMatch(/engine-worker\.ts$/);
    const { env, ...options } = fork.options as { env: NodeJS.ProcessEnv };
    expect(options).toEqual({ serviceName: 'LOA Engine', stdio: 'inherit' });
    expect(env).toEqual(engineProcessEnv(process.env));
    child.send({ type: 'cancel', jobId: 'j1' });
    expect(fork.child.posted).toEqual([]);
    fork.child.pid = 4242;
    fork.child.emit('spawn');
    expect(fork.child.posted).toEqual([{ type: 'cancel', jobId: 'j1' }]);
    const events: unknown[] = [];
    child.onEvent((e) => events.push(e));
    fork.child.emit('message', { type: 'failed', jobId: 'j1' });
    expect(events).toEqual([{ type: 'failed', jobId: 'j1' }]);

    const kill = vi.spyOn(process, 'kill').mockImplementation(() => true);
    child.kill();
    if (process.platform === 'win32') expect(fork.child.killed).toBe(1);
    else expect(kill).toHaveBeenCalledWith(4242, 'SIGKILL');
    kill.mockRestore();

    const exits: unknown[] = [];
    child.onExit((code, signal) => exits.push([code, signal]));
    fork.child.emit('exit', 9);
    expect(exits).toEqual([[9, null]]);
    child.send({ type: 'shutdown' });
    expect(fork.child.posted).toHaveLength(1);
  });
});

describe('preload', () => {
  it('exposes exactly call, fileAction, onEvent, pathForFile, pickFolder and startDrag on window.loaStudio', async () => {
    await import('../../preload/index.ts');
    const bridge = electron.contextBridge.exposed.get(BRIDGE_GLOBAL) as StudioBridge;
    expect(Object.keys(bridge).sort()).toEqual(['call', 'fileAction', 'onEvent', 'pathForFile', 'pickFolder', 'startDrag']);
    expect(bridge.pathForFile({ name: 'knock.wav' } as File)).toBe('/dropped/knock.wav');
    expect(await bridge.call('listTakes')).toEqual({ ok: true, result: { channel: 'studio:listTakes', args: [] } });
    expect(await bridge.call('nope' as never)).toMatchObject({ ok: false, error: { field: 'method' } });
    expect(electron.ipcRenderer.invoke).toHaveBeenCalledTimes(1);
    const seen: unknown[] = [];
    const off = bridge.onEvent((e) => seen.push(e));
    electron.ipcRenderer.emit(IPC.event, { sender: 'hidden' }, { type: 'export', done: 1, total: 1 });
    off();
    electron.ipcRenderer.emit(IPC.event, {}, { type: 'export', done: 2, total: 2 });
    expect(seen).toEqual([{ type: 'export', done: 1, total: 1 }]);
    bridge.startDrag('tk1', { start: 0, end: 1 });
    expect(electron.ipcRenderer.send).toHaveBeenCalledWith(IPC.startDrag, 'tk1', { start: 0, end: 1 });
  });
});
