/**
 * The app's Browse button: the system's folder dialog, opened by main for our own window. The page
 * names only why it wants a folder (a purpose from a fixed list, which sets the dialog's words);
 * what comes back is the one path the person picked, which the studio call it feeds (importModel)
 * validates like any typed path. Browser mode has no such dialog: there the button is not shown.
 */
import type { BrowserWindow, Dialog } from 'electron';
import { InvalidRequestError, toErrorEnvelope } from '../../shared/errors.ts';
import type { CallOutcome } from '../../shared/studio/rpc.ts';

export const FOLDER_PURPOSES = {
  model: { title: 'Choose a model bundle folder', buttonLabel: 'Use this folder' },
} as const;
export type FolderPurpose = keyof typeof FOLDER_PURPOSES;

/** The chosen folder (null when the dialog was cancelled), as the transport envelope the bridge returns. */
export async function pickFolder(dialog: Pick<Dialog, 'showOpenDialog'>, window: BrowserWindow, purpose: unknown): Promise<CallOutcome> {
  if (typeof purpose !== 'string' || !Object.hasOwn(FOLDER_PURPOSES, purpose)) {
    return { ok: false, error: toErrorEnvelope(new InvalidRequestError('purpose', `purpose must be one of ${Object.keys(FOLDER_PURPOSES).join(', ')}.`)) };
  }
  const words = FOLDER_PURPOSES[purpose as FolderPurpose];
  const answer = await dialog.showOpenDialog(window, { title: words.title, buttonLabel: words.buttonLabel, properties: ['openDirectory'] });
  return { ok: true, result: answer.canceled ? null : (answer.filePaths[0] ?? null) };
}
