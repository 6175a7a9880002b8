/**
 * The renderer's one way to reach the studio: `getStudioApi()` returns the same `StudioApi` whether
 * the page runs in Electron (preload bridge, IPC) or in a plain browser (browser mode, WebSocket).
 * Errors come back as the typed `LoaError` subclasses, rebuilt from their envelopes.
 */
import { fromErrorEnvelope, InvalidRequestError } from '../../../shared/errors.ts';
import { BRIDGE_GLOBAL, type StudioBridge } from '../../../shared/studio/bridge.ts';
import type { Recipe } from '../../../shared/library/recipe.ts';
import { STUDIO_METHODS, type ReferenceInfo, type StudioApi, type StudioEvent, type StudioMethod } from '../../../shared/studio/studio-api.ts';
import { parseUploadAnswer, uploadFile, uploadUrl, type FetchLike } from './upload.ts';
import { checkLink, type GetLike, type LinkState } from './link-check.ts';
import { createSocketStudioClient, type ConnectionState, type WebSocketFactory } from './ws-studio-client.ts';

export type Region = { start: number; end: number };

export type StudioClient = StudioApi & {
  kind: 'electron' | 'web';
  /**
   * Imports a dropped or opened audio file as a reference: Electron hands main the file's path;
   * browser mode uploads the bytes first (`POST /upload`), then imports the upload.
   */
  referenceFromFile(file: File): Promise<ReferenceInfo>;
  /** Reads the recipe inside a dropped WAV the same way: its path (Electron) or an upload (browser mode); null when it has none. */
  recipeFromFile(file: File): Promise<Recipe | null>;
  /** Electron only: call from a `dragstart` handler (after `preventDefault()`). */
  startDrag?(takeId: string, region?: Region): void;
  /**
   * Browser mode only: drag-out without the token in the dragged URL. `dragUrl` is the URL a drop
   * target fetches (`/drag/<id>`, no token); `registerDrag` tells the server which take that id renders.
   */
  dragUrl?(id: string): string;
  registerDrag?(id: string, takeId: string, region?: Region): Promise<void>;
  /** Electron only: renders the take (or region) into Exports, then copies the file to the clipboard or shows it in its folder. */
  fileAction?(action: 'copy' | 'reveal', takeId: string, region?: Region): Promise<void>;
  /** Electron only: the system folder dialog (Browse…); the chosen folder, or null when cancelled. */
  pickFolder?(purpose: 'model'): Promise<string | null>;
  /** Browser mode only: the WebSocket's state, so the UI can say "reconnecting…". */
  onConnectionChange?(listener: (state: ConnectionState) => void): () => void;
  /** Browser mode only: whether the server is down, or up and refusing this page's token (it restarted with a new link). */
  checkLink?(): Promise<LinkState>;
  /** Browser mode only: connect with another link's token from now on (a new link pasted into the tab). */
  reconnect?(url: string): void;
  /** Browser mode only: closes the socket and stops reconnecting (tests, page teardown). */
  close?(): void;
};

type Call = (method: StudioMethod, args: unknown[]) => Promise<unknown>;

/** Builds the typed API from one generic `call`; every method of STUDIO_METHODS, nothing else. */
export function studioApiFromCall(call: Call, onEvent: (listener: (event: StudioEvent) => void) => () => void): StudioApi {
  const api: Record<string, unknown> = { onEvent };
  for (const method of STUDIO_METHODS) api[method] = (...args: unknown[]) => call(method, args);
  return api as unknown as StudioApi;
}

export function electronStudioClient(bridge: StudioBridge): StudioClient {
  const call: Call = async (method, args) => {
    const outcome = await bridge.call(method, ...args);
    if (!outcome.ok) throw fromErrorEnvelope(outcome.error);
    return outcome.result;
  };
  const api = studioApiFromCall(call, bridge.onEvent);
  const pathOf = (file: File): string => {
    const path = bridge.pathForFile(file);
    if (!path) {
      throw new InvalidRequestError('file', `“${file.name}” is not a file on this computer, so the studio cannot open it.`, 'Save it to a folder first, then drop or open that file.');
    }
    return path;
  };
  return Object.assign(api, {
    kind: 'electron' as const,
    startDrag: (takeId: string, region?: Region) => bridge.startDrag(takeId, region),
    pickFolder: async (purpose: 'model') => {
      const outcome = await bridge.pickFolder(purpose);
      if (!outcome.ok) throw fromErrorEnvelope(outcome.error);
      return outcome.result as string | null;
    },
    fileAction: async (action: 'copy' | 'reveal', takeId: string, region?: Region) => {
      const outcome = await bridge.fileAction(action, takeId, region);
      if (!outcome.ok) throw fromErrorEnvelope(outcome.error);
    },
    referenceFromFile: async (file: File) => api.importReference({ kind: 'file', path: pathOf(file) }),
    recipeFromFile: async (file: File) => api.readRecipe({ kind: 'file', path: pathOf(file) }),
  });
}

/** The per-launch token printed by `npm run studio:web`: `#token=…` (or `?token=…`). */
export function tokenFromLocation(location: { hash: string; search: string }): string | null {
  const fromHash = new URLSearchParams(location.hash.replace(/^#/, '')).get('token');
  return fromHash ?? new URLSearchParams(location.search).get('token');
}

export function webSocketUrl(location: { protocol: string; host: string }, token: string): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/api?token=${encodeURIComponent(token)}`;
}

export interface WebUploads {
  /** Where a file's bytes go: `/upload?token=…&name=…` on the studio server. */
  url: (name: string) => string;
  fetch: FetchLike;
  /** Where the page registers a drag-out id (`/drag?token=…`), and the token-free URL a drop target fetches. */
  dragRegistrationUrl?: string;
  dragUrl?: (id: string) => string;
}

export function webStudioClient(url: string, WebSocket: WebSocketFactory, uploads?: WebUploads): StudioClient {
  const socket = createSocketStudioClient({ url, WebSocket });
  const api = studioApiFromCall(socket.call, socket.onEvent);
  const upload = (file: File): Promise<string> => {
    if (!uploads) throw new InvalidRequestError('file', 'This page cannot upload files to the studio.', 'Open the exact link `npm run studio:web` printed.');
    return uploadFile(uploads.fetch, uploads.url(file.name), file);
  };
  return Object.assign(api, {
    kind: 'web' as const,
    onConnectionChange: socket.onConnectionChange,
    close: socket.close,
    reconnect: socket.setUrl,
    referenceFromFile: async (file: File) => api.importReference({ kind: 'upload', uploadId: await upload(file), name: file.name }),
    recipeFromFile: async (file: File) => api.readRecipe({ kind: 'upload', uploadId: await upload(file) }),
    ...(uploads?.dragUrl && uploads.dragRegistrationUrl
      ? {
          dragUrl: uploads.dragUrl,
          registerDrag: async (id: string, takeId: string, region?: Region) => {
            const body = new Blob([JSON.stringify({ id, takeId, ...(region ? { region } : {}) })], { type: 'application/json' });
            const answer = await uploads.fetch(uploads.dragRegistrationUrl!, { method: 'POST', body });
            if (!answer.ok) parseUploadAnswer(answer.status, await answer.text());
          },
        }
      : {}),
  });
}

interface PageGlobals {
  [BRIDGE_GLOBAL]?: StudioBridge;
  location?: { hash: string; search: string; protocol: string; host: string };
  WebSocket?: WebSocketFactory;
  fetch?: FetchLike;
  addEventListener?(type: 'hashchange', listener: () => void): void;
}

let instance: StudioClient | undefined;

/** The app-wide client, created on first use. */
export function getStudioApi(): StudioClient {
  if (instance) return instance;
  const page = globalThis as unknown as PageGlobals;
  const bridge = page[BRIDGE_GLOBAL];
  if (bridge) return (instance = electronStudioClient(bridge));
  if (!page.location || !page.WebSocket) throw new Error('LOA Studio must run in Electron or a browser.');
  let token = tokenFromLocation(page.location);
  if (!token) {
    throw new Error('This page needs the link printed by `npm run studio:web` (it ends with #token=…). Open that link instead.');
  }
  const location = page.location;
  const fetch = page.fetch?.bind(globalThis) as FetchLike | undefined;
  const origin = `${location.protocol}//${location.host}`;
  const uploads = fetch
    ? {
        url: (name: string) => uploadUrl(location, token!, name),
        fetch,
        get dragRegistrationUrl() {
          return `${origin}/drag?token=${encodeURIComponent(token!)}`;
        },
        dragUrl: (id: string) => `${origin}/drag/${encodeURIComponent(id)}`,
      }
    : undefined;
  const client = (instance = webStudioClient(webSocketUrl(location, token), page.WebSocket, uploads));
  // A restarted studio with a new token prints a new link; pasted into this tab it changes only the
  // fragment, so the page stays and the socket moves to the new token (the lists reload on connect).
  page.addEventListener?.('hashchange', () => {
    const next = tokenFromLocation(location);
    if (!next || next === token) return;
    token = next;
    client.reconnect?.(webSocketUrl(location, next));
  });
  const get = page.fetch?.bind(globalThis) as unknown as GetLike | undefined;
  if (get) client.checkLink = () => checkLink(get, origin, token!);
  return client;
}
