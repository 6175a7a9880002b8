/**
 * What the Electron preload exposes to the page as `window.loaStudio`, and nothing more.
 * `call` returns the transport envelope (not a rejected promise) because Electron drops custom
 * error fields from rejected `invoke`s (electron#24427); the renderer client rebuilds the error.
 */
import type { CallOutcome } from './rpc.ts';
import type { StudioEvent, StudioMethod } from './studio-api.ts';

export interface StudioBridge {
  call(method: StudioMethod, ...args: unknown[]): Promise<CallOutcome>;
  /** Returns the unsubscribe function. */
  onEvent(listener: (event: StudioEvent) => void): () => void;
  /** Renders the take (or region) to a WAV and starts an OS drag; must run inside a `dragstart`. */
  startDrag(takeId: string, region?: { start: number; end: number }): void;
  /**
   * The keyboard's way out (drag needs a mouse): renders the take (or region) into Exports like a
   * drag, then copies that file to the clipboard (`copy`) or shows it in its folder (`reveal`).
   */
  fileAction(action: 'copy' | 'reveal', takeId: string, region?: { start: number; end: number }): Promise<CallOutcome>;
  /**
   * The path on disk of a dropped or opened file (Electron's `webUtils.getPathForFile`; the page
   * cannot read it since `File.path` was removed). Empty when the file is not on disk.
   */
  pathForFile(file: File): string;
  /** Browse…: the system's folder dialog (main opens it on our window); the chosen path, or null when cancelled. */
  pickFolder(purpose: 'model'): Promise<CallOutcome>;
}

/** IPC channel names, declared once for main and preload (electron/fiddle's `IpcEvents`). */
export const IPC = {
  call: (method: StudioMethod) => `studio:${method}` as const,
  event: 'studio:event',
  startDrag: 'studio:start-drag',
  fileAction: 'studio:file-action',
  pickFolder: 'studio:pick-folder',
} as const;

export const BRIDGE_GLOBAL = 'loaStudio';
