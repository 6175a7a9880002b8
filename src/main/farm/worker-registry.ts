/**
 * Who is on the farm: each worker keeps a Redis hash (name, device, models, current job, jobs
 * done) that expires unless its heartbeat renews it, so a worker that died drops off the list by
 * itself within a few heartbeats.
 */
import type { Redis } from 'ioredis';
import { WORKER_KEY_PREFIX } from './farm-connection.ts';

export const HEARTBEAT_MS = 2000;
/** Missing this many heartbeats in a row takes a worker off the list. */
const MISSED_BEATS = 3;

export interface FarmWorkerInfo {
  id: string;
  name: string;
  host: string;
  pid: number;
  /** The execution provider its engine runs on (before the first job: the device asked for). */
  device: string;
  /** Its models, one line each (id, bundle hash, Hub repo). */
  models: string[];
  state: 'idle' | 'busy' | 'stopping';
  currentJob: string | null;
  /** 0..1 of the current job. */
  progress: number | null;
  jobsDone: number;
  jobsFailed: number;
  startedAt: string;
  heartbeatAt: string;
}

const NUMBERS = ['pid', 'jobsDone', 'jobsFailed'] as const;

function toHash(info: FarmWorkerInfo): Record<string, string> {
  return {
    ...Object.fromEntries(
      Object.entries(info)
        .filter(([k]) => k !== 'models' && k !== 'currentJob' && k !== 'progress')
        .map(([k, v]) => [k, String(v)]),
    ),
    models: JSON.stringify(info.models),
    currentJob: info.currentJob ?? '',
    progress: info.progress === null ? '' : String(info.progress),
  };
}

function fromHash(hash: Record<string, string>): FarmWorkerInfo | null {
  if (!hash.id || !hash.name) return null;
  let models: string[] = [];
  try {
    const parsed = JSON.parse(hash.models ?? '[]') as unknown;
    if (Array.isArray(parsed)) models = parsed.map(String);
  } catch {
    // a hash written by another version: list the worker without its models
  }
  const info = {
    id: hash.id,
    name: hash.name,
    host: hash.host ?? '',
    device: hash.device ?? '',
    models,
    state: (['idle', 'busy', 'stopping'].includes(hash.state) ? hash.state : 'idle') as FarmWorkerInfo['state'],
    currentJob: hash.currentJob || null,
    progress: hash.progress ? Number(hash.progress) : null,
    startedAt: hash.startedAt ?? '',
    heartbeatAt: hash.heartbeatAt ?? '',
  } as FarmWorkerInfo;
  for (const key of NUMBERS) info[key] = Number(hash[key] ?? 0) || 0;
  return info;
}

/** Writes a worker's entry now and on every heartbeat until stopped; `update` changes what the next beat writes. */
export class WorkerHeartbeat {
  private timer: NodeJS.Timeout | undefined;
  private readonly key: string;

  constructor(
    private readonly redis: Redis,
    private info: FarmWorkerInfo,
    private readonly intervalMs = HEARTBEAT_MS,
  ) {
    this.key = `${WORKER_KEY_PREFIX}${info.id}`;
  }

  get current(): FarmWorkerInfo {
    return this.info;
  }

  async start(): Promise<void> {
    await this.beat();
    this.timer = setInterval(() => void this.beat().catch(() => {}), this.intervalMs);
  }

  update(patch: Partial<FarmWorkerInfo>): void {
    this.info = { ...this.info, ...patch };
  }

  /** Writes at once (state changes the studio should see without waiting a beat); errors are left to the next beat. */
  flush(): void {
    void this.beat().catch(() => {});
  }

  private async beat(): Promise<void> {
    this.info.heartbeatAt = new Date().toISOString();
    await this.redis
      .multi()
      .hset(this.key, toHash(this.info))
      .pexpire(this.key, this.intervalMs * MISSED_BEATS)
      .exec();
  }

  /** Takes the worker off the list (or leaves it to expire, when Redis does not answer within two seconds). */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.redis.del(this.key).catch(() => 0), new Promise((resolve) => (timer = setTimeout(resolve, 2000)))]);
    clearTimeout(timer);
  }
}

/** The workers whose heartbeat is current, by name. */
export async function listWorkers(redis: Redis): Promise<FarmWorkerInfo[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${WORKER_KEY_PREFIX}*`, 'COUNT', 200);
    keys.push(...batch);
    cursor = next;
  } while (cursor !== '0');
  const pipeline = redis.pipeline();
  for (const key of keys) pipeline.hgetall(key);
  const replies = (await pipeline.exec()) ?? [];
  return replies
    .map(([, hash]) => fromHash((hash ?? {}) as Record<string, string>))
    .filter((info): info is FarmWorkerInfo => info !== null)
    .sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
}
