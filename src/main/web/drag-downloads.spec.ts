import { describe, expect, it } from 'vitest';
import { InvalidRequestError } from '../../shared/errors.ts';
import { DragDownloads, parseDragRegistration } from './drag-downloads.ts';

const ID = 'AbCdEfGhIjKlMnOpQrStUv';

describe('drag-out download ids (browser mode)', () => {
  it('hands a registered drag out once; a second claim and an unknown id get nothing', async () => {
    const drags = new DragDownloads();
    expect(drags.register(ID, { takeId: 't1', region: { start: 0.5, end: 1 } })).toBe(true);
    expect(drags.register(ID, { takeId: 't2' })).toBe(false);
    expect(await drags.claim(ID)).toEqual({ takeId: 't1', region: { start: 0.5, end: 1 } });
    expect(await drags.claim(ID, 0)).toBeNull();
    expect(await drags.claim('short', 0)).toBeNull();
    expect(await drags.claim('../../etc/passwd-aaaaaaaaaaaa', 0)).toBeNull();
  });

  it('a GET that arrives before its registration waits for it', async () => {
    const drags = new DragDownloads();
    const claimed = drags.claim(ID, 1000);
    expect(drags.register(ID, { takeId: 't1' })).toBe(true);
    expect(await claimed).toEqual({ takeId: 't1' });
    expect(drags.size).toBe(0);
  });

  it('forgets an id nobody used within five minutes', async () => {
    let now = 0;
    const drags = new DragDownloads(() => now);
    drags.register(ID, { takeId: 't1' });
    now = 5 * 60_000 + 1;
    expect(await drags.claim(ID, 0)).toBeNull();
  });

  it('checks the registration like any Studio API payload', () => {
    expect(parseDragRegistration(JSON.stringify({ id: ID, takeId: 't1' }))).toEqual({ id: ID, request: { takeId: 't1' } });
    const bad = (body: unknown) => () => parseDragRegistration(typeof body === 'string' ? body : JSON.stringify(body));
    expect(bad('{')).toThrow(InvalidRequestError);
    expect(bad({ id: 'short', takeId: 't1' })).toThrow(/download id/);
    expect(bad({ id: ID, takeId: '../x' })).toThrow(/takeId/);
    expect(bad({ id: ID, takeId: 't1', region: { start: 2, end: 1 } })).toThrow(/region/);
    expect(bad({ id: ID, takeId: 't1', path: '/etc' })).toThrow(/Unknown field path/);
  });
});
