/**
 * Every IPC channel of the app, registered in one place (electron/fiddle's IpcMainManager):
 * one `studio:<method>` handler per STUDIO_METHODS entry, the drag-out and file-action channels, the
 * folder dialog, and the event push.
 * Each message is checked for its sender frame before its payload is validated and dispatched.
 */
import { BrowserWindow, dialog, ipcMain, type Dialog, type IpcMainEvent, type IpcMainInvokeEvent, type NativeImage } from 'electron';
import { InvalidRequestError, toErrorEnvelope } from '../../shared/errors.ts';
import { IPC } from '../../shared/studio/bridge.ts';
import type { CallOutcome } from '../../shared/studio/rpc.ts';
import { STUDIO_METHODS, type ExportResult, type StudioApi } from '../../shared/studio/studio-api.ts';
import { dispatchCall, isTrustedSender } from '../studio/dispatch.ts';
import { electronFileActions, type FileActions } from './file-actions.ts';
import { pickFolder } from './folder-picker.ts';

export interface StudioIpcOptions {
  service: StudioApi;
  /** URL prefixes our renderer is served from (`loa-app://renderer/`, or the dev server). */
  trustedUrls: readonly string[];
  /** Shown under the cursor while dragging a take out; must not be empty (docs/electron.md §7). */
  dragIcon: NativeImage;
  log: (message: string, error?: unknown) => void;
  /** Copy file / Reveal in folder; Electron's clipboard and shell unless a spec substitutes them. */
  fileActions?: FileActions;
  /** Browse…'s folder dialog; Electron's unless a spec substitutes it. */
  dialog?: Pick<Dialog, 'showOpenDialog'>;
}

/** Registers all channels; returns the function that removes them again. */
export function registerStudioIpc(options: StudioIpcOptions): () => void {
  const { service, trustedUrls, dragIcon, log } = options;

  // A frame that navigated away, a devtools page or another window's content is not our renderer.
  const fromOurPage = (event: IpcMainEvent | IpcMainInvokeEvent): boolean => BrowserWindow.fromWebContents(event.sender) !== null && isTrustedSender(event.senderFrame?.url, trustedUrls);

  const logUnexpected = (method: string, error: unknown) => log(`Studio API ${method} failed unexpectedly`, error);

  for (const method of STUDIO_METHODS) {
    ipcMain.handle(IPC.call(method), async (event, ...args: unknown[]): Promise<CallOutcome> => {
      if (!fromOurPage(event)) {
        log(`Refused ${method} from ${event.senderFrame?.url ?? 'a closed frame'}`);
        return { ok: false, error: toErrorEnvelope(new InvalidRequestError('sender', 'This page may not use the studio.', 'Restart LOA Studio.')) };
      }
      return dispatchCall(service, method, args, logUnexpected);
    });
  }

  // Drag-out: `startDrag` only exists in main (electron#12685), and the file must exist first (docs/electron.md §7).
  const onStartDrag = async (event: IpcMainEvent, takeId: unknown, region: unknown) => {
    if (!fromOurPage(event)) return;
    const outcome = await dispatchCall(service, 'prepareDrag', region === undefined ? [takeId] : [takeId, region], logUnexpected);
    if (!outcome.ok) {
      log(`Could not prepare take ${String(takeId)} for dragging: ${outcome.error.message}`);
      return;
    }
    if (event.sender.isDestroyed()) return;
    event.sender.startDrag({ file: (outcome.result as ExportResult).path, icon: dragIcon });
  };
  ipcMain.on(IPC.startDrag, onStartDrag);

  // The keyboard's drag-out: the same rendered file, copied to the clipboard or shown in its folder.
  ipcMain.handle(IPC.fileAction, async (event, action: unknown, takeId: unknown, region: unknown): Promise<CallOutcome> => {
    if (!fromOurPage(event)) {
      return { ok: false, error: toErrorEnvelope(new InvalidRequestError('sender', 'This page may not use the studio.', 'Restart LOA Studio.')) };
    }
    if (action !== 'copy' && action !== 'reveal') {
      return { ok: false, error: toErrorEnvelope(new InvalidRequestError('action', `The file action must be copy or reveal, got ${JSON.stringify(action)?.slice(0, 40)}.`)) };
    }
    const outcome = await dispatchCall(service, 'prepareDrag', region === undefined ? [takeId] : [takeId, region], logUnexpected);
    if (!outcome.ok) return outcome;
    const actions = options.fileActions ?? electronFileActions;
    await actions[action]((outcome.result as ExportResult).path);
    return { ok: true, result: null };
  });

  // Browse…: the system folder dialog on our window; the page names only a purpose (folder-picker.ts).
  ipcMain.handle(IPC.pickFolder, async (event, purpose: unknown): Promise<CallOutcome> => {
    const window = BrowserWindow.fromWebContents(event.sender);
    if (!window || !fromOurPage(event)) {
      return { ok: false, error: toErrorEnvelope(new InvalidRequestError('sender', 'This page may not use the studio.', 'Restart LOA Studio.')) };
    }
    return pickFolder(options.dialog ?? dialog, window, purpose);
  });

  // Push every service event to each of our windows.
  const unsubscribe = service.onEvent((studioEvent) => {
    for (const window of BrowserWindow.getAllWindows()) {
      const contents = window.webContents;
      if (!contents.isDestroyed() && isTrustedSender(contents.getURL(), trustedUrls)) contents.send(IPC.event, studioEvent);
    }
  });

  return () => {
    for (const method of STUDIO_METHODS) ipcMain.removeHandler(IPC.call(method));
    ipcMain.removeListener(IPC.startDrag, onStartDrag);
    ipcMain.removeHandler(IPC.fileAction);
    ipcMain.removeHandler(IPC.pickFolder);
    unsubscribe();
  };
}
