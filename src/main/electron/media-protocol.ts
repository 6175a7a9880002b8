/**
 * The app's two custom schemes (docs/electron.md §5), instead of file:// and raw paths:
 * - `loa-app://renderer/…` serves the built renderer, with the strict CSP header on every response;
 * - `loa-media://take/<id>` and `loa-media://export/<name>` serve audio through the allow-list
 *   resolver, with Range support so `<audio>` can seek; anything refused is a 404.
 */
import { protocol } from 'electron';
import { fileResponse, notFound } from '../web/file-response.ts';
import { mediaResponse, type MediaResolver } from '../web/media-request.ts';
import { resolveStaticFile } from '../web/static-files.ts';

export const APP_SCHEME = 'loa-app';
export const MEDIA_SCHEME = 'loa-media';
export const APP_ORIGIN = `${APP_SCHEME}://renderer`;

/** Must run before `app` is ready, once, with every scheme (a later call replaces the list). */
export function registerPrivilegedSchemes(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } },
    // `stream` lets <audio> play and seek progressively; `corsEnabled` lets wavesurfer fetch() it
    // from the loa-app origin (or the dev server).
    { scheme: MEDIA_SCHEME, privileges: { standard: true, secure: true, stream: true, supportFetchAPI: true, corsEnabled: true } },
  ]);
}

export interface ProtocolOptions {
  /** out/renderer; absent in `electron-vite dev`, where the dev server serves the page. */
  rendererDir: string | null;
  csp: string;
  resolveMedia: MediaResolver;
  /** Origins allowed to fetch media (our page's origin). */
  mediaOrigins: readonly string[];
}

export function handleProtocols(options: ProtocolOptions): void {
  const cspHeader = { 'Content-Security-Policy': options.csp, 'X-Content-Type-Options': 'nosniff' };

  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    const file = options.rendererDir && url.host === 'renderer' ? resolveStaticFile(options.rendererDir, url.pathname) : null;
    if (!file || request.method !== 'GET') return notFound(cspHeader);
    return fileResponse(file, { headers: cspHeader });
  });

  protocol.handle(MEDIA_SCHEME, async (request) => {
    const url = new URL(request.url);
    const origin = request.headers.get('Origin');
    const headers: Record<string, string> = { ...cspHeader };
    if (origin && options.mediaOrigins.includes(origin)) {
      headers['Access-Control-Allow-Origin'] = origin;
      headers['Vary'] = 'Origin';
    }
    // loa-media://take/<id>: the host is the kind, the single path segment is the id.
    const segments = url.pathname.split('/').filter((s) => s !== '');
    if (segments.length !== 1) return notFound(headers);
    return mediaResponse(options.resolveMedia, url.host, segments[0], { range: request.headers.get('Range'), method: request.method, headers });
  });
}
