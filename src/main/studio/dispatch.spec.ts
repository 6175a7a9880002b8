import { describe, expect, it, vi } from 'vitest';
import { CancelledError } from '../../shared/errors.ts';
import type { StudioApi } from '../../shared/studio/studio-api.ts';
import { dispatchCall, isTrustedSender } from './dispatch.ts';

function fakeService(overrides: Partial<StudioApi> = {}): StudioApi {
  return {
    listTakes: async () => [],
    cancel: async () => undefined,
    updateTake: async (takeId: string, patch: object) => ({ id: takeId, ...patch }),
    ...overrides,
  } as unknown as StudioApi;
}

describe('dispatchCall', () => {
  it('runs a valid call on the service and wraps the result', async () => {
    const updateTake = vi.fn(async (takeId: string, patch: object) => ({ id: takeId, ...patch }));
    const outcome = await dispatchCall(fakeService({ updateTake } as unknown as Partial<StudioApi>), 'updateTake', ['take-1', { rating: 4 }]);
    expect(outcome).toEqual({ ok: true, result: { id: 'take-1', rating: 4 } });
    expect(updateTake).toHaveBeenCalledWith('take-1', { rating: 4 });
  });

  it('turns a void result into null so JSON keeps the key', async () => {
    expect(await dispatchCall(fakeService(), 'cancel', ['job-1'])).toEqual({ ok: true, result: null });
  });

  it('refuses a bad payload before the service sees it, naming the field', async () => {
    const updateTake = vi.fn();
    const outcome = await dispatchCall(fakeService({ updateTake } as unknown as Partial<StudioApi>), 'updateTake', ['take-1', { rating: 9 }]);
    expect(updateTake).not.toHaveBeenCalled();
    expect(outcome).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST', field: 'rating', name: 'InvalidRequestError' } });
  });

  it('refuses unknown methods and prototype keys', async () => {
    for (const method of ['deleteEverything', 'constructor', '__proto__', 42]) {
      const outcome = await dispatchCall(fakeService(), method, []);
      expect(outcome).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST', field: 'method' } });
    }
  });

  it('refuses arguments that are not a list', async () => {
    expect(await dispatchCall(fakeService(), 'listTakes', { 0: 'x' })).toMatchObject({ ok: false, error: { field: 'args' } });
  });

  it('passes typed service errors through as their envelope, without logging them', async () => {
    const log = vi.fn();
    const outcome = await dispatchCall(
      fakeService({
        cancel: async () => {
          throw new CancelledError();
        },
      }),
      'cancel',
      ['job-1'],
      log,
    );
    expect(outcome).toMatchObject({ ok: false, error: { code: 'CANCELLED', name: 'CancelledError' } });
    expect(log).not.toHaveBeenCalled();
  });

  it('logs unexpected errors and still answers with an envelope', async () => {
    const log = vi.fn();
    const outcome = await dispatchCall(
      fakeService({
        listTakes: async () => {
          throw new TypeError('boom');
        },
      }),
      'listTakes',
      [],
      log,
    );
    expect(outcome).toMatchObject({ ok: false, error: { code: 'INTERNAL', name: 'InternalError', message: 'Internal error: boom' } });
    expect((outcome as { error: { hint: string } }).error.hint).not.toMatch(/model bundle|models verify/);
    expect(log).toHaveBeenCalledWith('listTakes', expect.any(TypeError));
  });
});

describe('isTrustedSender', () => {
  const allowed = ['loa-app://renderer/', 'http://localhost:5173/'];

  it('accepts our page and its sub-paths', () => {
    expect(isTrustedSender('loa-app://renderer/index.html', allowed)).toBe(true);
    expect(isTrustedSender('loa-app://renderer/', allowed)).toBe(true);
    expect(isTrustedSender('http://localhost:5173/#/takes', allowed)).toBe(true);
  });

  it('refuses other schemes, hosts, ports and missing frames', () => {
    expect(isTrustedSender('loa-app://evil/index.html', allowed)).toBe(false);
    expect(isTrustedSender('https://localhost:5173/', allowed)).toBe(false);
    expect(isTrustedSender('http://localhost:5174/', allowed)).toBe(false);
    expect(isTrustedSender('http://localhost.evil.com:5173/', allowed)).toBe(false);
    expect(isTrustedSender('http://user@localhost:5173/', allowed)).toBe(false);
    expect(isTrustedSender('file:///etc/passwd', allowed)).toBe(false);
    expect(isTrustedSender('about:blank', allowed)).toBe(false);
    expect(isTrustedSender('not a url', allowed)).toBe(false);
    expect(isTrustedSender(null, allowed)).toBe(false);
    expect(isTrustedSender(undefined, allowed)).toBe(false);
  });

  it('keeps file:// senders inside the allowed folder, after normalising dot segments', () => {
    const files = ['file:///opt/loa/out/renderer/'];
    expect(isTrustedSender('file:///opt/loa/out/renderer/index.html', files)).toBe(true);
    expect(isTrustedSender('file:///opt/loa/out/renderer-evil/index.html', files)).toBe(false);
    expect(isTrustedSender('file:///opt/loa/out/renderer/../../secret.html', files)).toBe(false);
    expect(isTrustedSender('file:///tmp/index.html', files)).toBe(false);
  });
});

describe('a 100 000-deep argument at the dispatcher (payload bounds, issue 12 §8)', () => {
  it('returns INVALID_REQUEST and logs no unexpected error (no stack on stderr)', async () => {
    const deep = JSON.parse(`${'['.repeat(100_000)}1${']'.repeat(100_000)}`) as unknown;
    const unexpected = vi.fn();
    const outcome = await dispatchCall({} as StudioApi, 'updateSettings', [{ theme: deep }], unexpected);
    expect(outcome).toMatchObject({ ok: false, error: { name: 'InvalidRequestError', code: 'INVALID_REQUEST', field: 'args' } });
    expect(unexpected).not.toHaveBeenCalled();
  });
});
