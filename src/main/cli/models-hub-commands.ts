/**
 * `models install | list | remove`: the Hub half of the models command, over the same service the
 * studio uses (`ModelInstaller`). Progress goes to stderr, results to stdout; Ctrl+C cancels an
 * install, keeping what was downloaded for the next one to resume.
 */
import { hubBytes } from '../../shared/models/hub-bytes.ts';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import type { InstallEvent } from '../../shared/models/hub-install.ts';
import { defaultConfigDir } from '../app-paths.ts';
import { defaultCatalogueEntry } from '../models-hub/catalogue.ts';
import { ModelInstaller } from '../models-hub/model-installer.ts';
import { UsageError } from './run-job.ts';
import { USAGE } from './usage.ts';

const COMMON = {
  dir: { type: 'string' },
  'cache-dir': { type: 'string' },
  'hub-url': { type: 'string' },
} as const;

/** The app's models folder: the studio installs and lists models there too. */
export function defaultModelsDir(): string {
  return join(defaultConfigDir(), 'models');
}

function installer(values: { dir?: string; 'cache-dir'?: string; 'hub-url'?: string }): ModelInstaller {
  if (values['hub-url'] !== undefined && !/^https?:\/\//.test(values['hub-url'])) throw new UsageError('hub-url', `--hub-url must be an http(s) address, not "${values['hub-url']}".`, USAGE);
  return new ModelInstaller({
    modelsDir: resolve(values.dir ?? defaultModelsDir()),
    ...(values['cache-dir'] ? { cacheDirs: [resolve(values['cache-dir'])] } : {}),
    ...(values['hub-url'] ? { hubUrl: values['hub-url'] } : {}),
    accessToken: process.env.HF_TOKEN || process.env.HUGGING_FACE_HUB_TOKEN || undefined,
    ...(process.env.LOA_HUB_RETRY_DELAY_MS ? { retryDelayMs: Number(process.env.LOA_HUB_RETRY_DELAY_MS) } : {}),
  });
}

const seconds = (s: number) => (s >= 3600 ? `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min` : s >= 60 ? `${Math.floor(s / 60)} min ${Math.round(s % 60)} s` : `${Math.round(s)} s`);

/** A progress line is rewritten in place (\r); a message line first ends it. */
let lineOpen = false;

function printEvent(event: InstallEvent): void {
  const line = (text: string) => {
    process.stderr.write(`\r${text.padEnd(100).slice(0, 100)}`);
    lineOpen = true;
  };
  if (lineOpen && !['download', 'verify', 'build'].includes(event.type)) {
    process.stderr.write('\n');
    lineOpen = false;
  }
  switch (event.type) {
    case 'resolve':
      process.stderr.write(`${event.repo}@${event.revision} = commit ${event.commit}${event.fromCache ? ' (found in the Hugging Face cache: no download)' : ''}\n`);
      break;
    case 'plan': {
      const cached = event.files.filter((f) => f.state === 'cached').length;
      process.stderr.write(
        `${event.files.length} files, ${hubBytes(event.totalBytes)}; ${cached} already in the cache; to download: ${hubBytes(event.downloadBytes)}${event.freeBytes !== null ? ` (${hubBytes(event.freeBytes)} free)` : ''}\n`,
      );
      break;
    }
    case 'download': {
      const pct = event.total ? ((100 * event.bytes) / event.total).toFixed(1) : '0';
      line(
        `${pct}% ${hubBytes(event.bytes)}/${hubBytes(event.total)}${event.rate ? ` ${hubBytes(event.rate)}/s` : ''}${event.etaSeconds !== null ? `, ${seconds(event.etaSeconds)} left` : ''} — ${event.file} ${hubBytes(event.fileBytes)}/${hubBytes(event.fileTotal)}`,
      );
      break;
    }
    case 'verify':
      line(`checking ${event.file} (${event.check})`);
      break;
    case 'retry':
      process.stderr.write(`retry ${event.attempt} for ${event.file} in ${(event.delayMs / 1000).toFixed(1)} s: ${event.reason}\n`);
      break;
    case 'build':
      line(`building: ${event.stage} ${event.done}/${event.total} ${event.detail ?? ''}`);
      break;
    case 'notice':
      process.stderr.write(`notice: ${event.message}\n`);
      break;
    default:
      break;
  }
}

export async function install(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: { ...COMMON, revision: { type: 'string' }, 'no-cache': { type: 'boolean' } },
  });
  if (positionals.length !== 1) throw new UsageError('repo', `Expected: models install <repo-id>, e.g. models install ${defaultCatalogueEntry().repo}.`, USAGE);
  const service = installer(values);
  const controller = new AbortController();
  const onSigint = () => {
    process.stderr.write('\ncancelling…\n');
    controller.abort();
  };
  process.once('SIGINT', onSigint);
  try {
    const model = await service.run({ repo: positionals[0], revision: values.revision, preferCache: !values['no-cache'] }, controller.signal, printEvent);
    if (lineOpen) process.stderr.write('\n');
    process.stdout.write(`installed: ${model.dir}\nlicence: ${model.license}\nuse it: npm run loa -- generate "<prompt>" --model ${model.dir} --out a.wav\n`);
  } finally {
    process.off('SIGINT', onSigint);
  }
}

export async function list(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, strict: true, options: { ...COMMON, json: { type: 'boolean' } } });
  if (positionals.length) throw new UsageError('models', 'Expected: models list [--dir <models folder>] [--cache-dir <dir>] [--json].', USAGE);
  const service = installer(values);
  const { installed, cached } = await service.list();
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ installed, cached: cached.map(({ catalogue: c, ...rest }) => ({ ...rest, license: c?.license.id ?? null })) }, null, 2)}\n`);
    return;
  }
  process.stdout.write(`Installed (${installed.length}):\n`);
  for (const m of installed) {
    process.stdout.write(
      `  ${m.id}  ${m.name}\n    ${m.dir}\n    ${hubBytes(m.bytes)} own + ${hubBytes(m.sharedBytes)} shared weights; from ${m.repo ?? m.checkpoint ?? 'a local folder'}${m.revision ? `@${m.revision.slice(0, 12)}` : ''}\n    licence: ${m.license}\n`,
    );
  }
  process.stdout.write(`Hugging Face cache (${cached.length}):\n`);
  for (const c of cached) {
    const licence = c.catalogue ? `${c.catalogue.license.id} (non-commercial, attribution, share-alike)` : 'see the model card';
    process.stdout.write(
      `  ${c.repo}@${c.commit.slice(0, 12)}${c.refs.length ? ` (${c.refs.join(', ')})` : ''}  ${hubBytes(c.bytes)}  ${c.complete ? 'complete' : `incomplete: ${c.missing.length} files missing (install completes it)`}\n    ${c.snapshotDir}\n    licence: ${licence}\n`,
    );
  }
  const catalogue = service.catalogue();
  process.stdout.write(`Catalogue: ${catalogue.map((e) => `${e.repo}${e.isDefault ? ' (default)' : ''}`).join(', ')}\n`);
}

export async function remove(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, strict: true, options: { ...COMMON, yes: { type: 'boolean', short: 'y' }, 'keep-cache': { type: 'boolean' } } });
  if (positionals.length !== 1) throw new UsageError('id', 'Expected: models remove <id> [--yes].', USAGE);
  if (values.yes && values['keep-cache']) throw new UsageError('yes', 'Give --yes or --keep-cache, not both.', USAGE);
  const service = installer(values);
  const plan = await service.planRemove(positionals[0]);
  let includeCache = false;
  const snap = plan.cacheSnapshot;
  if (snap && plan.usedBy.length === 0 && !values['keep-cache']) {
    if (values.yes) includeCache = true;
    else if (process.stdin.isTTY) {
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      const answer = await rl.question(
        `Also delete ${snap.repo}@${snap.commit.slice(0, 12)} from the Hugging Face cache (${hubBytes(snap.bytes)}, ${snap.snapshotDir})? Python tools (diffusers) use the same copy. [y/N] `,
      );
      rl.close();
      includeCache = /^y(es)?$/i.test(answer.trim());
    }
  }
  await service.remove(positionals[0], { includeCache });
  if (plan.modelDir) process.stdout.write(`removed: ${plan.modelDir}\n`);
  if (snap) {
    if (includeCache) process.stdout.write(`removed from the Hugging Face cache: ${snap.snapshotDir} (${hubBytes(snap.bytes)})\n`);
    else if (plan.usedBy.length) process.stdout.write(`kept in the Hugging Face cache: ${snap.snapshotDir} (also used by ${plan.usedBy.join(', ')})\n`);
    else process.stdout.write(`kept in the Hugging Face cache: ${snap.snapshotDir} (${hubBytes(snap.bytes)}; shared with Python tools — run again with --yes to delete it too)\n`);
  }
}
