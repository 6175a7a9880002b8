/**
 * "Copy file" and "Reveal in folder" for an exported take (issue 13 item 8): what keyboard users
 * get instead of a drag. The clipboard format that file managers paste as a file differs per
 * platform (Finder: public.file-url; Explorer: FileNameW; GNOME/KDE: a copied-files list), so
 * each platform gets its own, beside the path as text (the fallback).
 */
import { clipboard, ClipboardItem, shell } from 'electron';
import { pathToFileURL } from 'node:url';

export interface FileActions {
  copy(path: string): Promise<void>;
  reveal(path: string): void;
}

/** The platform's own "these files were copied" format for `path` (Electron's raw osclipboard formats), beside plain text. */
export function clipboardFormatsFor(platform: NodeJS.Platform, path: string): Record<string, string> {
  const url = pathToFileURL(path).href;
  const raw = (format: string) => `electron application/osclipboard;format="${format}"`;
  if (platform === 'darwin') return { 'text/plain': path, [raw('public.file-url')]: url };
  if (platform === 'win32') return { 'text/plain': path, [raw('FileNameW')]: path };
  if (platform === 'linux') return { 'text/plain': path, [raw('x-special/gnome-copied-files')]: `copy\n${url}`, [raw('text/uri-list')]: url };
  return { 'text/plain': path };
}

export const electronFileActions: FileActions = {
  async copy(path) {
    try {
      await clipboard.write([new ClipboardItem(clipboardFormatsFor(process.platform, path))]);
    } catch {
      // A platform that refuses a raw format still gets the path as text.
      await clipboard.writeText(path);
    }
  },
  reveal(path) {
    shell.showItemInFolder(path);
  },
};
