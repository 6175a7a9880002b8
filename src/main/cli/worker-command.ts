/**
 * `npm run loa -- worker --redis <url> [--model <bundle or repo id>]… [--device …] [--concurrency 1] [--name …]`:
 * a render-farm worker on this machine. It runs until SIGTERM or Ctrl+C: the running job then may
 * finish (up to --drain-seconds), else it is handed back to the queue for another worker.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { validateDevice } from '../../shared/engine/generate-params.ts';
import { parseFarmUrl } from '../farm/farm-connection.ts';
import { FarmWorker } from '../farm/farm-worker.ts';
import { loadWorkerModel, type WorkerModel } from '../farm/model-match.ts';
import { defaultModelsDir } from './models-hub-commands.ts';
import { cacheDir, DEFAULT_MODEL_DIR, farmUrlFromEnv, UsageError } from './run-job.ts';
import { USAGE } from './usage.ts';

function wholeNumber(flag: string, value: string | undefined, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(flag, `--${flag} must be a whole number from ${min} to ${max}, got ${value}.`, USAGE);
  return n;
}

export async function worker(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: true,
    options: {
      redis: { type: 'string' },
      model: { type: 'string', short: 'm', multiple: true },
      device: { type: 'string' },
      threads: { type: 'string' },
      concurrency: { type: 'string' },
      name: { type: 'string' },
      dir: { type: 'string' },
      'lock-ms': { type: 'string' },
      'drain-seconds': { type: 'string' },
    },
  });
  if (positionals.length > 0) throw new UsageError('worker', `Unexpected argument "${positionals[0]}".`, USAGE);
  // Without --redis the URL comes from LOA_FARM_URL (a systemd EnvironmentFile, a Kubernetes Secret): no password in the process list.
  const connection = parseFarmUrl(values.redis ?? farmUrlFromEnv());
  const device = validateDevice(values.device);
  const concurrency = wholeNumber('concurrency', values.concurrency, 1, 16, 1);
  const threads = values.threads === undefined ? undefined : wholeNumber('threads', values.threads, 1, 256, 1);
  const lockMs = wholeNumber('lock-ms', values['lock-ms'], 1000, 3_600_000, 30_000);
  const drainMs = wholeNumber('drain-seconds', values['drain-seconds'], 0, 86_400, 30) * 1000;
  if (values.name !== undefined && !/^[\w.@-]{1,100}$/.test(values.name)) throw new UsageError('name', '--name is letters, digits and . _ - @, up to 100 characters.', USAGE);
  const modelsDir = resolve(values.dir ?? defaultModelsDir());
  const models: WorkerModel[] = [];
  for (const spec of values.model?.length ? values.model : [DEFAULT_MODEL_DIR]) models.push(await loadWorkerModel(spec, modelsDir));

  const log = (line: string) => process.stderr.write(`${new Date().toISOString()} ${line}\n`);
  const farm = new FarmWorker({ connection, models, device, threads, concurrency, lockMs, drainMs, cacheDir: cacheDir(), log, ...(values.name ? { name: values.name } : {}) });
  log(`worker ${farm.workerName}: loading ${models.map((m) => m.id).join(', ')} …`);
  const info = await farm.start();
  log(`worker ${farm.workerName}: ${info.bundleName} on ${info.provider}, taking jobs from ${connection.display} (concurrency ${concurrency})`);
  await new Promise<void>((done) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) {
        log('second signal: quitting now (the running job returns to the queue when its lock expires)');
        process.exit(130);
      }
      stopping = true;
      log(`${signal}: finishing the running job (up to ${drainMs / 1000} s), then stopping`);
      void farm.close().then(done, (error: Error) => {
        log(`stopping: ${error.message}`);
        done();
      });
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
  });
  log(`worker ${farm.workerName}: stopped`);
  // A Redis that went away leaves reconnect timers behind; the worker is done, so is the process.
  process.exit(0);
}
