/**
 * A StudioApi for the state specs that answers only the methods a spec gives it: any other call
 * fails the test by name, so a state class reaching for more of the API than the spec expects is
 * caught rather than answered with undefined. The answers are plain StudioApi values and the real
 * error classes of shared/errors.ts, exactly what the transports hand the renderer.
 */
import type { StudioApi } from '../../../shared/studio/studio-api.ts';

export interface ApiStandIn<T extends object = StudioApi> {
  api: T;
  /** Every call in order: method name and arguments. */
  calls: Array<{ method: string; args: unknown[] }>;
}

/** T: the StudioApi, or a client's wider surface (StudioClient) for the states that use it. */
export function apiStandIn<T extends object = StudioApi>(methods: Partial<NoInfer<T>>): ApiStandIn<T> {
  const calls: ApiStandIn['calls'] = [];
  const api = new Proxy({} as T, {
    get(_target, name) {
      if (typeof name !== 'string' || name === 'then') return undefined;
      const method = (methods as Record<string, ((...args: unknown[]) => unknown) | undefined>)[name];
      return (...args: unknown[]) => {
        calls.push({ method: name, args });
        if (!method) throw new Error(`The spec did not expect studio API call ${name}()`);
        return method(...args);
      };
    },
  });
  return { api, calls };
}

/** A promise and the functions that settle it, for checking what a state shows while a call is on its way. */
export function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (error: unknown) => void } {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
