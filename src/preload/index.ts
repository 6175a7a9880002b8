/**
 * The whole preload: one object on `window.loaStudio` (docs/electron.md §3). Each function maps to
 * fixed channels; the page never sees `ipcRenderer` or an `IpcRendererEvent`. Sandboxed, so this is
 * bundled to one CommonJS file with no imports but `electron`.
 */
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import { BRIDGE_GLOBAL, IPC, type StudioBridge } from '../shared/studio/bridge.ts';
import { InvalidRequestError, toErrorEnvelope } from '../shared/errors.ts';
import type { CallOutcome } from '../shared/studio/rpc.ts';
import { STUDIO_METHODS, type StudioEvent } from '../shared/studio/studio-api.ts';

const bridge: StudioBridge = {
  call: async (method, ...args) => {
    // Only declared channels: a typo becomes a typed error, not "no handler registered".
    if (!STUDIO_METHODS.includes(method)) {
      return { ok: false, error: toErrorEnvelope(new InvalidRequestError('method', `Unknown Studio API method ${JSON.stringify(method)}.`)) };
    }
    return (await ipcRenderer.invoke(IPC.call(method), ...args)) as CallOutcome;
  },
  onEvent: (listener) => {
    const forward = (_event: IpcRendererEvent, studioEvent: StudioEvent) => listener(studioEvent);
    ipcRenderer.on(IPC.event, forward);
    return () => {
      ipcRenderer.removeListener(IPC.event, forward);
    };
  },
  startDrag: (takeId, region) => ipcRenderer.send(IPC.startDrag, takeId, region),
  fileAction: async (action, takeId, region) => (await ipcRenderer.invoke(IPC.fileAction, action, takeId, region)) as CallOutcome,
  pathForFile: (file) => webUtils.getPathForFile(file),
  pickFolder: async (purpose) => (await ipcRenderer.invoke(IPC.pickFolder, purpose)) as CallOutcome,
};

contextBridge.exposeInMainWorld(BRIDGE_GLOBAL, bridge);
