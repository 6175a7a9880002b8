/**
 * The one Content-Security-Policy for the studio page, sent as a header by the Electron
 * protocol handler and by the browser-mode server alike, so tests in Chromium see production's CSP.
 * docs/electron.md §6; `worker-src blob:` because the wavesurfer spectrogram worker is a blob: URL
 * (without it the spectrogram silently does not render).
 */
export interface CspOptions {
  /** Extra origins the page may fetch/connect to: the media scheme, the WebSocket URL, a dev server. */
  connect?: string[];
  /** Extra origins audio may play from. */
  media?: string[];
  /** Extra script origins (only the Vite dev server in `electron-vite dev`). */
  script?: string[];
}

export function contentSecurityPolicy(options: CspOptions = {}): string {
  const connect = options.connect ?? [];
  const media = options.media ?? [];
  const directives: Record<string, string[]> = {
    'default-src': ["'none'"],
    'script-src': ["'self'", ...(options.script ?? [])],
    // Svelte's scoped styles land in a .css file, but wavesurfer writes <style> into its shadow root.
    'style-src': ["'self'", "'unsafe-inline'"],
    'img-src': ["'self'", 'data:', 'blob:'],
    'font-src': ["'self'", 'data:'],
    'media-src': ["'self'", 'blob:', ...media],
    'connect-src': ["'self'", ...connect],
    'worker-src': ["'self'", 'blob:'],
    'object-src': ["'none'"],
    'base-uri': ["'none'"],
    'form-action': ["'none'"],
    'frame-ancestors': ["'none'"],
  };
  return Object.entries(directives)
    .map(([name, values]) => `${name} ${[...new Set(values)].join(' ')}`)
    .join('; ');
}

/** Headers every studio response carries, on top of the CSP. */
export function securityHeaders(csp: string): Record<string, string> {
  return {
    'Content-Security-Policy': csp,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
  };
}
