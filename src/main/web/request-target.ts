/**
 * The two things browser mode reads from a request line and its headers before anything else:
 * the target (path + query) and the Host. Both come straight off the network, unauthenticated, so
 * both are parsed here without throwing: a value we cannot read is `null`, and the caller answers
 * 400. (`new URL('//[', base)` throws, and one throw in the upgrade handler used to end the process.)
 */

/** Far above any URL the studio makes (a media URL with a token is ~150 characters). */
export const MAX_TARGET_CHARS = 8192;

/** Placeholder origin: only the path and query of the result are ever read. */
const BASE = 'http://studio.invalid';

/** The request target as a URL, or null when it is not an origin-form path we can parse. */
export function parseRequestTarget(target: string | undefined): URL | null {
  // Origin-form only (RFC 9112 §3.2.1): "/path?query". Absolute-form, authority-form ("host:443"),
  // "*" and anything starting "//" (which URL would read as a host) are not for us.
  if (typeof target !== 'string' || target.length > MAX_TARGET_CHARS || !target.startsWith('/') || target.startsWith('//')) return null;
  try {
    const url = new URL(target, BASE);
    return url.origin === BASE ? url : null;
  } catch {
    return null;
  }
}

/**
 * The Host header when it is a plain host name or IP literal with an optional port, else null.
 * It goes into the CSP's connect-src and into the same-origin check, so nothing that could add a
 * directive (`;`, spaces, quotes) or a path may pass.
 */
export function parseHostHeader(host: string | undefined): string | null {
  if (typeof host !== 'string' || host.length > 255) return null;
  return /^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/.test(host) ? host : null;
}
