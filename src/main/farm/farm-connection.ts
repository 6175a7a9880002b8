/**
 * Where the farm lives: a `redis://` or `rediss://` (TLS) URL, with an optional user and password,
 * turned into ioredis options, plus the names every farm process agrees on (queue, keys, channel).
 */
import type { RedisOptions } from 'ioredis';
import { InvalidRequestError } from '../../shared/errors.ts';

/** BullMQ queue of render jobs; every worker and submitter on one Redis shares it. */
export const FARM_QUEUE = 'loa-render';
/** BullMQ's key prefix for the farm's queue (kept apart from other BullMQ users of the same Redis). */
export const FARM_PREFIX = 'loa';
/** Worker registry: one hash per worker, expiring unless its heartbeat renews it. */
export const WORKER_KEY_PREFIX = 'loa:farm:worker:';
/** A cancel request for a job: a key the worker reads when it starts the job, and a message for a running one. */
export const CANCEL_KEY_PREFIX = 'loa:farm:cancel:';
export const CANCEL_CHANNEL = 'loa:farm:cancel';

export interface FarmConnection {
  host: string;
  port: number;
  db: number;
  username?: string;
  password?: string;
  tls: boolean;
  /** The URL with its password replaced by ***, for logs and the studio. */
  display: string;
}

const HINT = 'Give the farm as redis://[user:password@]host[:6379][/db] or rediss://… for TLS.';

/** Parses a farm URL; a password or user name may be percent-encoded. */
export function parseFarmUrl(text: string): FarmConnection {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw new InvalidRequestError('farm', `"${redact(text)}" is not a Redis URL.`, HINT);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new InvalidRequestError('farm', `The farm URL must start with redis:// or rediss://, got ${url.protocol}//.`, HINT);
  }
  if (!url.hostname) throw new InvalidRequestError('farm', 'The farm URL names no host.', HINT);
  if (url.search || url.hash) throw new InvalidRequestError('farm', 'The farm URL takes no ?query or #fragment.', HINT);
  const tls = url.protocol === 'rediss:';
  const port = url.port ? Number(url.port) : 6379;
  const path = url.pathname.replace(/^\//, '');
  if (path !== '' && !/^\d{1,2}$/.test(path)) throw new InvalidRequestError('farm', `The farm URL's database must be a number from 0 to 15, got "${path}".`, HINT);
  const db = path === '' ? 0 : Number(path);
  if (db > 15) throw new InvalidRequestError('farm', `The farm URL's database must be a number from 0 to 15, got ${db}.`, HINT);
  const username = url.username ? decodeURIComponent(url.username) : undefined;
  const password = url.password ? decodeURIComponent(url.password) : undefined;
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return {
    host,
    port,
    db,
    tls,
    ...(username ? { username } : {}),
    ...(password ? { password } : {}),
    display: `${url.protocol}//${username ? encodeURIComponent(username) : ''}${password ? ':***' : ''}${username || password ? '@' : ''}${url.host}/${db}`,
  };
}

/** The URL with any password replaced by ***: what may be printed. */
export function redact(text: string): string {
  return text.replace(/^(\w+:\/\/[^:@/]*:)[^@/]*@/, '$1***@');
}

/**
 * ioredis options for a farm connection. `maxRetriesPerRequest: null` is what BullMQ requires for
 * workers (a blocking read must wait out a Redis restart, not fail); the reconnect backoff stays
 * short so a restarted Redis is found again within a second or two.
 */
export function redisOptions(connection: FarmConnection): RedisOptions {
  return {
    host: connection.host,
    port: connection.port,
    db: connection.db,
    ...(connection.username ? { username: connection.username } : {}),
    ...(connection.password ? { password: connection.password } : {}),
    ...(connection.tls ? { tls: { servername: connection.host } } : {}),
    maxRetriesPerRequest: null,
    retryStrategy: (attempt) => Math.min(200 * attempt, 2000),
  };
}
