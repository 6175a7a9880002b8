/**
 * View preferences kept in the page's localStorage (how the workspace lists takes, auto-play):
 * a choice about this window's view, not a studio setting main needs to know. Storage that is
 * unavailable or full (a private window, a sandboxed page) falls back to the default.
 */
export const PREFERENCE_KEYS = {
  takeView: 'loa.takeView',
  autoPlay: 'loa.autoPlay',
} as const;

export function readPreference<T extends string | boolean>(key: string, fallback: T, allowed: readonly T[]): T {
  try {
    const raw = globalThis.localStorage?.getItem(key);
    if (raw === null || raw === undefined) return fallback;
    const value = (typeof fallback === 'boolean' ? raw === 'true' : raw) as T;
    return allowed.includes(value) ? value : fallback;
  } catch {
    return fallback;
  }
}

export function writePreference(key: string, value: string | boolean): void {
  try {
    globalThis.localStorage?.setItem(key, String(value));
  } catch {
    // Not kept across reloads; the choice still holds for this page.
  }
}
