/**
 * Is the studio server down, or up with another token? The socket cannot tell (a refused upgrade
 * looks like any failed connection), but a plain GET of /api can: the server answers 426 (Upgrade
 * Required) for its own token and 401 for any other (studio-web-server.ts). A 401 means the studio
 * restarted with a new link, and only pasting that link helps; waiting does not.
 */

export type LinkState = 'accepted' | 'refused' | 'unreachable';

export type GetLike = (url: string, init: { method: 'GET'; cache: 'no-store' }) => Promise<{ status: number }>;

export async function checkLink(get: GetLike, origin: string, token: string): Promise<LinkState> {
  try {
    const { status } = await get(`${origin}/api?token=${encodeURIComponent(token)}`, { method: 'GET', cache: 'no-store' });
    return status === 401 ? 'refused' : status === 426 ? 'accepted' : 'unreachable';
  } catch {
    return 'unreachable';
  }
}
