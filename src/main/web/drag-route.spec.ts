/**
 * The browser-mode drag-out routes against the real server (issue 13 item 8): registering a
 * download id needs the token and our own origin and a well-formed body; fetching `/drag/<id>`
 * needs neither, works once, and refuses anything unknown with a plain 404 (a drag of a take that
 * is not there included: no export is written).
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStudioWeb, type TestStudioWeb } from './web-test-server.fixture.ts';

const ID = 'Q2hlY2tpbmdEcmFnUm91dGVz';

describe('browser mode drag-out routes', () => {
  let web: TestStudioWeb;
  const url = (path: string) => `${web.server.origin}${path}`;
  const register = (body: unknown, init: { token?: string | null; origin?: string } = {}) =>
    fetch(url(init.token === null ? '/drag' : `/drag?token=${init.token ?? web.token}`), {
      method: 'POST',
      body: typeof body === 'string' ? body : JSON.stringify(body),
      headers: init.origin ? { Origin: init.origin } : {},
    });

  beforeAll(async () => {
    web = await startTestStudioWeb();
  }, 60_000);

  afterAll(async () => {
    await web?.close();
  });

  it('registers an id only with the token, from our own origin, with a valid body', async () => {
    expect((await register({ id: ID, takeId: 't1' }, { token: null })).status).toBe(401);
    expect((await register({ id: ID, takeId: 't1' }, { token: 'wrong' })).status).toBe(401);
    expect((await register({ id: ID, takeId: 't1' }, { origin: 'http://evil.example' })).status).toBe(401);
    const bad = await register({ id: 'short', takeId: 't1' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { field: string } }).error.field).toBe('drag.id');
    expect((await register('x'.repeat(10_000))).status).toBe(413);
    expect((await register({ id: ID, takeId: 't1' }, { origin: web.server.origin })).status).toBe(204);
    // The same id twice is refused: ids are single use from the start.
    expect((await register({ id: ID, takeId: 't2' })).status).toBe(400);
  });

  it('serves /drag/<id> without the token, once; a take that is not there renders nothing', async () => {
    // t1 is no take in this empty library: the registered id is used up and answers 404.
    expect((await fetch(url(`/drag/${ID}/t1.wav`))).status).toBe(404);
    expect((await fetch(url(`/drag/${ID}`))).status).toBe(404);
    expect((await fetch(url('/drag/AAAAAAAAAAAAAAAAAAAAAA'))).status).toBe(404);
    expect((await fetch(url('/drag/..%2F..%2Fetc%2Fpasswd'))).status).toBe(404);
    // HEAD never uses an id up.
    const other = 'SGVhZE5ldmVyVXNlc0FuSWQ';
    expect((await register({ id: other, takeId: 't3' })).status).toBe(204);
    expect((await fetch(url(`/drag/${other}`), { method: 'HEAD' })).status).toBe(404);
    const exports = join(web.dir, 'library', 'Exports');
    expect(existsSync(exports) ? readdirSync(exports) : []).toEqual([]);
  });
});
