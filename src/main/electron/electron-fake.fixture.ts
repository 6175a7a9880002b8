/**
 * A small stand-in for the `electron` module (electron/fiddle's tests/mocks/electron.ts idea), so
 * the files that import Electron run under Vitest in plain Node. Only what those files use.
 */
import { EventEmitter } from 'node:events';
import { vi } from 'vitest';

type Handler = (event: unknown, ...args: unknown[]) => unknown;

export class FakeWebContents extends EventEmitter {
  url = 'loa-app://renderer/index.html';
  sent: Array<[string, unknown]> = [];
  drags: unknown[] = [];
  getURL = () => this.url;
  isDestroyed = () => false;
  send = (channel: string, payload: unknown) => void this.sent.push([channel, payload]);
  startDrag = (item: unknown) => void this.drags.push(item);
}

export const windows: Array<{ webContents: FakeWebContents }> = [];

export const ipcMain = {
  handlers: new Map<string, Handler>(),
  listeners: new Map<string, Handler>(),
  handle: vi.fn((channel: string, handler: Handler) => void ipcMain.handlers.set(channel, handler)),
  removeHandler: vi.fn((channel: string) => void ipcMain.handlers.delete(channel)),
  on: vi.fn((channel: string, listener: Handler) => void ipcMain.listeners.set(channel, listener)),
  removeListener: vi.fn((channel: string) => void ipcMain.listeners.delete(channel)),
};

export const BrowserWindow = {
  fromWebContents: (contents: FakeWebContents) => windows.find((w) => w.webContents === contents) ?? null,
  getAllWindows: () => windows,
};

export const protocol = {
  privileged: [] as unknown[],
  handlers: new Map<string, (request: Request) => Promise<Response>>(),
  registerSchemesAsPrivileged: vi.fn((schemes: unknown[]) => void protocol.privileged.push(...schemes)),
  handle: vi.fn((scheme: string, handler: (request: Request) => Promise<Response>) => void protocol.handlers.set(scheme, handler)),
};

export class FakeUtilityProcess extends EventEmitter {
  pid: number | undefined = undefined;
  posted: unknown[] = [];
  killed = 0;
  postMessage = (message: unknown) => void this.posted.push(message);
  kill = () => {
    this.killed++;
    return true;
  };
}

export const utilityProcess = {
  forks: [] as Array<{ path: string; args: string[]; options: Record<string, unknown>; child: FakeUtilityProcess }>,
  fork: vi.fn((path: string, args: string[], options: Record<string, unknown>) => {
    const child = new FakeUtilityProcess();
    utilityProcess.forks.push({ path, args, options, child });
    return child;
  }),
};

export const contextBridge = {
  exposed: new Map<string, unknown>(),
  exposeInMainWorld: vi.fn((key: string, api: unknown) => void contextBridge.exposed.set(key, api)),
};

/** Electron's webUtils.getPathForFile: the real one reads the File's backing path; here a name stands in. */
export const webUtils = {
  getPathForFile: vi.fn((file: { name: string }) => `/dropped/${file.name}`),
};

export const ipcRenderer = Object.assign(new EventEmitter(), {
  invoke: vi.fn(async (channel: string, ...args: unknown[]) => ({ ok: true, result: { channel, args } })),
  send: vi.fn(),
});
