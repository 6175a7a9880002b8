/**
 * Browser mode's drag-out (issue 13 item 8). A WAV dragged out of the page leaves as a URL
 * (Chromium's `DownloadURL`), which the drop target fetches on its own, outside the page: so that
 * URL must not carry the session token. The page instead names a fresh, unguessable download id
 * at drag start (`POST /drag?token=…`, same origin, like /upload); `GET /drag/<id>` then renders
 * the export, once, and only then does a file appear in the Exports folder. A hover, a cancelled
 * drag or a drag that never lands writes nothing.
 */
import { InvalidRequestError } from '../../shared/errors.ts';
import { validateId, validateRegion } from '../../shared/studio/studio-validate.ts';

export interface DragRequest {
  takeId: string;
  region?: { start: number; end: number };
}

/** 128 bits as base64url (22 characters) or more: nobody guesses one. */
export const DOWNLOAD_ID_PATTERN = /^[A-Za-z0-9_-]{22,64}$/;
/** A drag lands within seconds; an id that has not been used by then is dropped. */
const TTL_MS = 5 * 60_000;
/** Far more than one person drags at once; keeps a misbehaving page from growing the server. */
const MAX_PENDING = 256;
/** The registration and the drop target's GET travel on different connections: the GET may win the race by a little. */
const CLAIM_WAIT_MS = 2_000;

/** The body of `POST /drag`: `{ id, takeId, region? }`, checked like any Studio API payload. */
export function parseDragRegistration(body: string): { id: string; request: DragRequest } {
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch {
    throw new InvalidRequestError('drag', 'The drag registration is not JSON.', 'Reload the page and drag again.');
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new InvalidRequestError('drag', 'The drag registration must be an object {id, takeId, region?}.');
  const { id, takeId, region, ...rest } = raw as Record<string, unknown>;
  const extra = Object.keys(rest);
  if (extra.length > 0) throw new InvalidRequestError('drag', `Unknown field ${extra[0]} in the drag registration.`);
  if (typeof id !== 'string' || !DOWNLOAD_ID_PATTERN.test(id)) throw new InvalidRequestError('drag.id', 'The download id must be 22 to 64 letters, digits, _ or -.');
  return { id, request: { takeId: validateId('takeId', takeId), ...(region === undefined || region === null ? {} : { region: validateRegion('region', region) }) } };
}

export class DragDownloads {
  private readonly pending = new Map<string, { request: DragRequest; expires: number }>();
  private readonly waiters = new Map<string, Array<(request: DragRequest | null) => void>>();

  constructor(private readonly now: () => number = Date.now) {}

  /** False when the id is taken or too many drags wait (the page then shows the drag failed). */
  register(id: string, request: DragRequest): boolean {
    this.prune();
    if (this.pending.has(id) || this.pending.size >= MAX_PENDING) return false;
    const waiting = this.waiters.get(id);
    if (waiting) {
      // A GET already asked for it: hand it over straight away, single use as always.
      this.waiters.delete(id);
      waiting.shift()!(request);
      for (const other of waiting) other(null);
      return true;
    }
    this.pending.set(id, { request, expires: this.now() + TTL_MS });
    return true;
  }

  /** The drag behind `id`, once: a second claim (or an unknown id, after a short wait) gets null. */
  claim(id: string, waitMs = CLAIM_WAIT_MS): Promise<DragRequest | null> {
    if (!DOWNLOAD_ID_PATTERN.test(id)) return Promise.resolve(null);
    this.prune();
    const entry = this.pending.get(id);
    if (entry) {
      this.pending.delete(id);
      return Promise.resolve(entry.request);
    }
    if (waitMs <= 0 || this.waiters.size >= MAX_PENDING) return Promise.resolve(null);
    return new Promise((resolve) => {
      const list = this.waiters.get(id) ?? [];
      list.push(resolve);
      this.waiters.set(id, list);
      setTimeout(() => {
        const now = this.waiters.get(id);
        const at = now?.indexOf(resolve) ?? -1;
        if (at < 0) return;
        now!.splice(at, 1);
        if (now!.length === 0) this.waiters.delete(id);
        resolve(null);
      }, waitMs).unref();
    });
  }

  get size(): number {
    return this.pending.size;
  }

  private prune(): void {
    const now = this.now();
    for (const [id, entry] of this.pending) if (entry.expires <= now) this.pending.delete(id);
  }
}
