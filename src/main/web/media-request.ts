/**
 * One media lookup for both transports: `loa-media://take/<id>` in Electron and
 * `/media/take/<id>?token=` in browser mode. The client names a take, a reference or an export by id only; the
 * allow-list resolver (src/main/studio/media-paths.ts) turns that into a path or refuses. Every
 * refusal is a plain 404, so probing says nothing about what exists on disk.
 */
import { fileResponse, notFound } from './file-response.ts';

export type MediaKind = 'take' | 'export' | 'reference';

/** Maps an id to a file inside the library or exports folder, or null when it is not one of ours. */
export type MediaResolver = (kind: MediaKind, id: string) => string | null | undefined | Promise<string | null | undefined>;

/** The id from one URL path segment, or null for anything that is not a plain name. */
export function parseMediaId(kind: string, encodedId: string): { kind: MediaKind; id: string } | null {
  if (kind !== 'take' && kind !== 'export' && kind !== 'reference') return null;
  let id: string;
  try {
    id = decodeURIComponent(encodedId);
  } catch {
    return null;
  }
  // Ids and export file names are single path segments; separators or dot-dirs mean tampering.
  if (id === '' || id === '.' || id === '..' || /[/\\\0]/.test(id)) return null;
  return { kind, id };
}

export interface MediaResponseOptions {
  range?: string | null;
  method?: string;
  headers?: Record<string, string>;
}

export async function mediaResponse(resolve: MediaResolver, kind: string, encodedId: string, options: MediaResponseOptions = {}): Promise<Response> {
  const method = options.method ?? 'GET';
  if (method !== 'GET' && method !== 'HEAD') return notFound(options.headers);
  const parsed = parseMediaId(kind, encodedId);
  if (!parsed) return notFound(options.headers);
  let file: string | null | undefined;
  try {
    file = await resolve(parsed.kind, parsed.id);
  } catch {
    file = null;
  }
  if (!file) return notFound(options.headers);
  return fileResponse(file, { range: options.range, method, headers: options.headers });
}
