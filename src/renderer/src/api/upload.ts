/**
 * Browser mode's file upload: a dropped reference clip's bytes go to `POST /upload?token=…&name=…`
 * on the studio server, which answers `{ uploadId }` (or `{ error: ErrorEnvelope }` with a 4xx),
 * and the upload id is then imported over the Studio API. Electron never uploads: main reads the
 * file from its path.
 */
import { fromErrorEnvelope, LoaError, type ErrorEnvelope } from '../../../shared/errors.ts';

/** The part of WHATWG `fetch` the upload needs (the browser's and Node's both fit). */
export type FetchLike = (url: string, init: { method: 'POST'; body: Blob }) => Promise<{ ok: boolean; status: number; text(): Promise<string> }>;

export function uploadUrl(location: { protocol: string; host: string }, token: string, name: string): string {
  return `${location.protocol}//${location.host}/upload?token=${encodeURIComponent(token)}&name=${encodeURIComponent(name)}`;
}

function isEnvelope(value: unknown): value is ErrorEnvelope {
  if (typeof value !== 'object' || value === null) return false;
  const e = value as Partial<ErrorEnvelope>;
  return typeof e.code === 'string' && typeof e.message === 'string';
}

/** The server's answer to an upload, as an upload id or the typed error it reported. */
export function parseUploadAnswer(status: number, body: string): string {
  let json: unknown = null;
  try {
    json = JSON.parse(body);
  } catch {
    // Not JSON: a proxy page or a server too old to take uploads; worded below.
  }
  const answer = (json ?? {}) as { uploadId?: unknown; error?: unknown };
  if (isEnvelope(answer.error)) throw fromErrorEnvelope({ ...answer.error, hint: typeof answer.error.hint === 'string' ? answer.error.hint : '' });
  if (status >= 200 && status < 300 && typeof answer.uploadId === 'string' && answer.uploadId) return answer.uploadId;
  throw new LoaError(
    'IO_FAILED',
    `The studio server did not accept the file (HTTP ${status}${body && !json ? `: ${body.slice(0, 120)}` : ''}).`,
    'Check that `npm run studio:web` is still running and that the page is the link it printed, then try again.',
  );
}

/** POSTs the file's bytes; returns the server's upload id. */
export async function uploadFile(fetch: FetchLike, url: string, file: Blob): Promise<string> {
  let response: Awaited<ReturnType<FetchLike>>;
  try {
    response = await fetch(url, { method: 'POST', body: file });
  } catch (error) {
    throw new LoaError(
      'IO_FAILED',
      `Could not send the file to the studio server (${error instanceof Error ? error.message : String(error)}).`,
      'Check that `npm run studio:web` is still running, then try again.',
    );
  }
  return parseUploadAnswer(response.status, await response.text());
}
