/**
 * The studio window's options, apart from index.ts so a spec can pin the security settings
 * (docs/electron.md §2: set all three explicitly even where they are the default, and test them).
 * Type-only import: this file runs in plain Node.
 */
import type { BrowserWindowConstructorOptions } from 'electron';

/** The dark theme's background: no white flash before the first paint. */
export const WINDOW_BACKGROUND = '#121418';

export function studioWindowOptions(preloadPath: string): BrowserWindowConstructorOptions {
  return {
    width: 1440,
    height: 900,
    minWidth: 960,
    minHeight: 600,
    show: false,
    title: 'LOA Studio',
    backgroundColor: WINDOW_BACKGROUND,
    autoHideMenuBar: true,
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
    },
  };
}
