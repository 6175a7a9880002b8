/**
 * The transport-independent half of every Studio API call: validate, run on the service, wrap the
 * outcome in an envelope. Electron IPC (src/main/electron/ipc.ts) and the browser-mode WebSocket
 * (src/main/web/studio-web-server.ts) are thin adapters around this, so both behave identically.
 */
import { LoaError, toErrorEnvelope } from '../../shared/errors.ts';
import type { CallOutcome } from '../../shared/studio/rpc.ts';
import type { StudioApi } from '../../shared/studio/studio-api.ts';
import { validateCall, type StudioCall } from '../../shared/studio/studio-validate.ts';

export type UnexpectedErrorLog = (method: string, error: unknown) => void;
/**
 * What a transport refuses on top of validation (throws a typed error), e.g. server paths from a
 * remote browser. It may return the call to run instead (a path replaced by its checked real path).
 */
export type CallGuard = (call: StudioCall) => StudioCall | void | Promise<StudioCall | void>;

/** Never throws: a bad payload or a failing service call comes back as `{ ok: false, error }`. */
export async function dispatchCall(service: StudioApi, method: unknown, args: unknown, logUnexpected?: UnexpectedErrorLog, guard?: CallGuard): Promise<CallOutcome> {
  try {
    const checked = validateCall(method, args);
    const call = (guard ? await guard(checked) : undefined) ?? checked;
    const run = service[call.method] as (...callArgs: unknown[]) => Promise<unknown>;
    const result = await run.apply(service, call.args as unknown[]);
    return { ok: true, result: result ?? null };
  } catch (error) {
    // Typed errors are expected outcomes; anything else is a bug whose stack belongs in the log.
    if (!(error instanceof LoaError)) logUnexpected?.(String(method), error);
    return { ok: false, error: toErrorEnvelope(error) };
  }
}

/**
 * Whether an IPC message comes from our own page (docs/electron.md §4): same scheme and host as
 * one of `allowed`, and a path under it. `allowed` holds URL prefixes such as
 * `loa-app://renderer/` or the dev server `http://localhost:5173/`.
 */
export function isTrustedSender(url: string | null | undefined, allowed: readonly string[]): boolean {
  if (!url) return false;
  let sender: URL;
  try {
    sender = new URL(url);
  } catch {
    return false;
  }
  return allowed.some((prefix) => {
    let base: URL;
    try {
      base = new URL(prefix);
    } catch {
      return false;
    }
    // `origin` is "null" for custom schemes in WHATWG URL, so compare the parts.
    if (sender.protocol !== base.protocol || sender.host !== base.host) return false;
    if (sender.username || sender.password) return false;
    const basePath = base.pathname.endsWith('/') ? base.pathname : `${base.pathname}/`;
    return sender.pathname === base.pathname || sender.pathname.startsWith(basePath);
  });
}
