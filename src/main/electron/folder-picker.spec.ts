import type { BrowserWindow } from 'electron';
import { describe, expect, it } from 'vitest';
import { pickFolder } from './folder-picker.ts';

/** A dialog stand-in that records what it was asked and answers as the person would. */
function dialogAnswering(answer: { canceled: boolean; filePaths: string[] }) {
  const asked: unknown[] = [];
  return {
    asked,
    showOpenDialog: async (...args: unknown[]) => {
      asked.push(args);
      return answer;
    },
  };
}

const window = {} as BrowserWindow;

describe('pickFolder', () => {
  it('opens a folder-only dialog on our window and answers the chosen path', async () => {
    const dialog = dialogAnswering({ canceled: false, filePaths: ['/home/me/models/audioldm2'] });
    expect(await pickFolder(dialog as never, window, 'model')).toEqual({ ok: true, result: '/home/me/models/audioldm2' });
    expect(dialog.asked).toEqual([[window, { title: 'Choose a model bundle folder', buttonLabel: 'Use this folder', properties: ['openDirectory'] }]]);
  });

  it('answers null when the dialog is cancelled', async () => {
    expect(await pickFolder(dialogAnswering({ canceled: true, filePaths: [] }) as never, window, 'model')).toEqual({ ok: true, result: null });
  });

  it('refuses a purpose it does not know, without opening anything', async () => {
    const dialog = dialogAnswering({ canceled: false, filePaths: ['/'] });
    for (const purpose of ['library', 'toString', 42, undefined]) {
      expect(await pickFolder(dialog as never, window, purpose)).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST', field: 'purpose' } });
    }
    expect(dialog.asked).toEqual([]);
  });
});
