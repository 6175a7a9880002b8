/**
 * The Electron app: one window, locked down as docs/electron.md describes, wired to the one StudioService.
 * Everything with logic lives in plain Node modules; this file only connects Electron to them.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, nativeImage, session, shell, type WebContents } from 'electron';
import { defaultConfigDir } from './app-paths.ts';
import { isTrustedSender } from './studio/dispatch.ts';
import { resolveMediaPath } from './studio/media-paths.ts';
import { StudioService } from './studio/studio-service.ts';
import { registerStudioIpc } from './electron/ipc.ts';
import { SafeTokenStore } from './electron/safe-token-store.ts';
import { APP_ORIGIN, handleProtocols, MEDIA_SCHEME, registerPrivilegedSchemes } from './electron/media-protocol.ts';
import { ENGINE_SERVICE_NAME, utilityEngineLauncher } from './electron/utility-engine-launcher.ts';
import { studioWindowOptions } from './electron/window-options.ts';
import { contentSecurityPolicy } from './web/csp.ts';

// Before `ready`, or the schemes lose their privileges (stream, fetch, secure).
registerPrivilegedSchemes();
// The same folder browser mode uses, so a model imported in one is there in the other.
// LOA_CONFIG_DIR / LOA_MODEL_DIR let tests (and power users) point the app elsewhere.
const configDir = process.env['LOA_CONFIG_DIR'] || defaultConfigDir();
app.setPath('userData', configDir);

const here = dirname(fileURLToPath(import.meta.url)); // out/main
/** Set by `electron-vite dev`: the renderer comes from Vite's dev server with hot reload. */
const devServerUrl = process.env['ELECTRON_RENDERER_URL'];
const pageUrl = devServerUrl ?? `${APP_ORIGIN}/index.html`;
const trustedUrls = devServerUrl ? [new URL('/', devServerUrl).href] : [`${APP_ORIGIN}/`];
const csp = contentSecurityPolicy({
  connect: [`${MEDIA_SCHEME}:`, ...(devServerUrl ? [new URL(devServerUrl).origin.replace(/^http/, 'ws')] : [])],
  media: [`${MEDIA_SCHEME}:`],
});
/** Links the UI may open in the system browser (model pages, docs); everything else is refused. */
const EXTERNAL_HOSTS = new Set(['huggingface.co', 'github.com', 'creativecommons.org']);

const log = (message: string, error?: unknown) => console.error(`[loa] ${message}`, ...(error === undefined ? [] : [error]));

/** extraResources in the package; the repo's resources/ otherwise (relative to out/main, not the
 *  app path, which is out/main itself when Electron is started with the script's path). */
function dragIconPath(): string {
  return app.isPackaged ? join(process.resourcesPath, 'drag-icon.png') : join(here, '../../resources/drag-icon.png');
}

function lockDown(contents: WebContents): void {
  contents.on('will-navigate', (event, url) => {
    if (!isTrustedSender(url, trustedUrls)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isTrustedSender(url, trustedUrls)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    const target = URL.canParse(url) ? new URL(url) : null;
    if (target?.protocol === 'https:' && EXTERNAL_HOSTS.has(target.hostname)) void shell.openExternal(target.href);
    return { action: 'deny' };
  });
}

function createWindow(): BrowserWindow {
  const window = new BrowserWindow(studioWindowOptions(join(here, '../preload/index.cjs')));
  window.once('ready-to-show', () => window.show());
  void window.loadURL(pageUrl);
  return window;
}

async function main(): Promise<void> {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  app.on('web-contents-created', (_event, contents) => lockDown(contents));
  await app.whenReady();

  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_contents, permission, callback) => callback(permission === 'clipboard-sanitized-write'));
  ses.setPermissionCheckHandler((_contents, permission) => permission === 'clipboard-sanitized-write');
  // The dev server's responses need the header too; loa-app: responses carry it from the handler.
  ses.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [csp] } });
  });

  const service = new StudioService({
    configDir,
    bundleDir: process.env['LOA_MODEL_DIR'] || undefined,
    launch: utilityEngineLauncher(),
    mediaUrl: (kind, id) => `${MEDIA_SCHEME}://${kind}/${encodeURIComponent(id)}`,
    // The Hub access token, encrypted by the OS (safeStorage); the page only learns whether one is set.
    hubToken: new SafeTokenStore(configDir),
    ...(process.env['LOA_HUB_URL'] ? { hubUrl: process.env['LOA_HUB_URL'] } : {}),
  });
  handleProtocols({
    rendererDir: devServerUrl ? null : join(here, '../renderer'),
    csp,
    resolveMedia: (kind, id) => resolveMediaPath(service, kind, id),
    mediaOrigins: devServerUrl ? [new URL(devServerUrl).origin] : [APP_ORIGIN],
  });

  const dragIcon = nativeImage.createFromPath(dragIconPath());
  // An empty icon makes startDrag silently do nothing on every platform (docs/electron.md §7).
  if (dragIcon.isEmpty()) log(`The drag icon ${dragIconPath()} is missing or unreadable; dragging takes out will not work.`);
  const disposeIpc = registerStudioIpc({ service, trustedUrls, dragIcon, log });

  app.on('child-process-gone', (_event, details) => {
    if (details.type === 'Utility' && details.name === ENGINE_SERVICE_NAME) log(`Engine process gone: ${details.reason} (exit code ${details.exitCode}).`);
  });

  let window = createWindow();
  app.on('second-instance', () => {
    if (window.isMinimized()) window.restore();
    window.focus();
  });
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) window = createWindow();
  });
  // One window is the whole app: closing it quits, so the engine never outlives the UI.
  app.on('window-all-closed', () => app.quit());

  let stopped = false;
  app.on('before-quit', (event) => {
    if (stopped) return;
    event.preventDefault();
    stopped = true;
    disposeIpc();
    service
      .dispose()
      .catch((error: unknown) => log('Stopping the engine failed', error))
      .finally(() => app.quit());
  });
}

main().catch((error: unknown) => {
  log('LOA Studio could not start', error);
  app.exit(1);
});
