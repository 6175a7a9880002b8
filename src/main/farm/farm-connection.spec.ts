import { describe, expect, it } from 'vitest';
import { InvalidRequestError } from '../../shared/errors.ts';
import { parseFarmUrl, redact, redisOptions } from './farm-connection.ts';

describe('farm URLs', () => {
  it('reads host, port and database from a plain redis:// URL', () => {
    const c = parseFarmUrl('redis://render-box:6380/2');
    expect(c).toMatchObject({ host: 'render-box', port: 6380, db: 2, tls: false, display: 'redis://render-box:6380/2' });
    expect(c.password).toBeUndefined();
    expect(redisOptions(c)).toMatchObject({ host: 'render-box', port: 6380, db: 2, maxRetriesPerRequest: null });
    expect(redisOptions(c).tls).toBeUndefined();
  });

  it('defaults to port 6379 and database 0', () => {
    expect(parseFarmUrl('redis://10.0.0.5')).toMatchObject({ host: '10.0.0.5', port: 6379, db: 0 });
  });

  it('turns rediss:// into TLS with the host as SNI name, and keeps a percent-encoded user and password', () => {
    const c = parseFarmUrl('rediss://loa:p%40ss%3Aw0rd@farm.example.com:6380/1');
    expect(c).toMatchObject({ host: 'farm.example.com', port: 6380, db: 1, tls: true, username: 'loa', password: 'p@ss:w0rd' });
    expect(c.display).toBe('rediss://loa:***@farm.example.com:6380/1');
    expect(redisOptions(c)).toMatchObject({ username: 'loa', password: 'p@ss:w0rd', tls: { servername: 'farm.example.com' } });
  });

  it('takes a password without a user (Redis requirepass)', () => {
    const c = parseFarmUrl('redis://:s3cret@127.0.0.1:6390');
    expect(c.password).toBe('s3cret');
    expect(c.username).toBeUndefined();
    expect(c.display).toBe('redis://:***@127.0.0.1:6390/0');
  });

  it('reads an IPv6 host', () => {
    expect(parseFarmUrl('redis://[::1]:7000')).toMatchObject({ host: '::1', port: 7000 });
  });

  it.each([
    ['http://farm:6379', /must start with redis:\/\/ or rediss:\/\//],
    ['farm:6379', /must start with redis/],
    ['not a url', /is not a Redis URL/],
    ['redis://farm:6379/db', /database must be a number/],
    ['redis://farm:6379/16', /database must be a number from 0 to 15/],
    ['redis://farm:6379?tls=true', /no \?query/],
  ])('refuses %s with a reason', (url, reason) => {
    let error: unknown;
    try {
      parseFarmUrl(url);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect((error as InvalidRequestError).field).toBe('farm');
    expect((error as Error).message).toMatch(reason);
  });

  it('never repeats a password in its messages', () => {
    expect(() => parseFarmUrl('ftp://u:hunter2@farm')).toThrow(InvalidRequestError);
    try {
      parseFarmUrl('redis://u:hunter2@farm:6379/x');
    } catch (error) {
      expect((error as Error).message).not.toContain('hunter2');
    }
    expect(redact('rediss://u:hunter2@farm:6380/0')).toBe('rediss://u:***@farm:6380/0');
  });
});
