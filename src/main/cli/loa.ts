#!/usr/bin/env node
/**
 * `npm run loa -- <command>`: the engine from a terminal.
 *   generate "<prompt>" --out <file.wav> [options]   text to audio, one WAV per take, best first
 *   models verify <dir>                              check a model bundle against the contract
 */
import { randomInt } from 'node:crypto';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_GENERATE, validateDevice, validateGenerateParams } from '../../shared/engine/generate-params.ts';
import type { Progress } from '../../shared/engine/progress.ts';
import { CancelledError, describeError, InvalidRequestError, LoaError } from '../../shared/errors.ts';
import { encodeWav } from '../audio/wav.ts';
import { EngineHost } from '../engine/host/engine-host.ts';
import { takePath, writeFileAtomic } from '../io/atomic-write.ts';

const USAGE = `Usage:
  npm run loa -- generate "<prompt>" --out <file.wav> [--model <dir>] [--seconds ${DEFAULT_GENERATE.seconds}] [--steps ${DEFAULT_GENERATE.steps}]
      [--scheduler ddim|dpmpp] [--guidance ${DEFAULT_GENERATE.guidance}] [--negative "${DEFAULT_GENERATE.negativePrompt}"] [--seed <n>] [--takes 1]
      [--device auto|cpu|cuda|dml|coreml|webgpu] [--threads <n>]
  npm run loa -- models verify <dir>`;

export const DEFAULT_MODEL_DIR = 'models/audioldm2';

function cacheDir(): string {
  return process.env.LOA_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'loa-studio');
}

class UsageError extends InvalidRequestError {}

function progressLine(p: Progress): string {
  const pct = `${Math.round(p.fraction * 100)}%`.padStart(4);
  const where = p.stage === 'denoise' ? `take ${p.take}/${p.takes} step ${p.step}/${p.steps}` : p.take > 0 ? `take ${p.take}/${p.takes}` : '';
  const eta = p.etaMs === null ? '' : ` ETA ${formatSeconds(p.etaMs)}`;
  return `${pct} ${p.stage.padEnd(7)} ${where}${eta}`;
}

function formatSeconds(ms: number): string {
  const s = Math.ceil(ms / 1000);
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

async function generate(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      out: { type: 'string', short: 'o' },
      model: { type: 'string', short: 'm' },
      seconds: { type: 'string' },
      steps: { type: 'string' },
      scheduler: { type: 'string' },
      guidance: { type: 'string' },
      negative: { type: 'string' },
      seed: { type: 'string' },
      takes: { type: 'string' },
      device: { type: 'string' },
      threads: { type: 'string' },
    },
  });
  if (positionals.length !== 1) throw new UsageError('prompt', positionals.length === 0 ? 'Missing the prompt.' : 'Give the prompt as one quoted argument.', USAGE);
  if (!values.out) throw new UsageError('out', 'Missing --out <file.wav>.', USAGE);
  const params = validateGenerateParams(
    {
      prompt: positionals[0],
      negativePrompt: values.negative,
      seconds: values.seconds,
      steps: values.steps,
      scheduler: values.scheduler,
      guidance: values.guidance,
      seed: values.seed,
      takes: values.takes,
    },
    () => randomInt(0, 2 ** 32),
  );
  const device = validateDevice(values.device);
  const threads = values.threads === undefined ? undefined : Number(values.threads);
  if (threads !== undefined && (!Number.isInteger(threads) || threads < 1 || threads > 256)) {
    throw new UsageError('threads', `--threads must be a whole number from 1 to 256, got ${values.threads}.`);
  }
  const out = resolve(values.out);
  const bundleDir = resolve(values.model ?? DEFAULT_MODEL_DIR);

  const host = new EngineHost({ bundleDir, device, cacheDir: cacheDir(), intraOpThreads: threads });
  const tty = process.stderr.isTTY;
  let lastLine = '';
  const print = (line: string) => {
    if (tty) process.stderr.write(`\r${line.padEnd(lastLine.length)}`);
    else if (line.split(' ')[1] !== lastLine.split(' ')[1] || line.startsWith('100%')) process.stderr.write(`${line}\n`);
    lastLine = line;
  };
  try {
    process.stderr.write(`Loading ${bundleDir} …\n`);
    const info = await host.start();
    for (const notice of info.notices) process.stderr.write(`notice: ${notice}\n`);
    process.stderr.write(`Model ${info.bundleName} on ${info.provider} (${Math.round(info.loadMs)} ms). Seed ${params.seed}${params.takes > 1 ? `…${params.seed + params.takes - 1}` : ''}.\n`);
    const job = host.generate(params, { onProgress: (p) => print(progressLine(p)) });
    let interrupted = false;
    const onSigint = () => {
      if (interrupted) process.exit(130);
      interrupted = true;
      process.stderr.write('\nCancelling… (Ctrl+C again to quit at once)\n');
      host.cancel(job.jobId);
    };
    process.on('SIGINT', onSigint);
    const output = await job.result.finally(() => process.off('SIGINT', onSigint));
    if (tty) process.stderr.write('\n');
    for (const notice of output.notices.filter((n) => !info.notices.includes(n))) process.stderr.write(`notice: ${notice}\n`);
    for (const [rank, take] of output.takes.entries()) {
      const path = takePath(out, rank + 1);
      await writeFileAtomic(path, encodeWav([take.samples], output.sampleRate, 'float32'));
      const score = take.score === null ? '' : ` CLAP ${take.score.toFixed(3)}`;
      process.stderr.write(`wrote ${path} (seed ${take.seed}, ${(take.samples.length / output.sampleRate).toFixed(2)} s${score})\n`);
    }
  } finally {
    await host.stop();
  }
}

async function verifyModels(argv: string[]): Promise<void> {
  const [sub, dir, ...rest] = argv;
  if (sub !== 'verify' || !dir || rest.length > 0) throw new UsageError('models', 'Expected: models verify <dir>.', USAGE);
  // Imported here so `generate` never loads ONNX Runtime in the CLI process itself.
  const { ModelBundle } = await import('../engine/bundle/model-bundle.ts');
  const bundle = await ModelBundle.load(resolve(dir), { device: 'cpu', eager: [] });
  try {
    await bundle.loadAll();
    const m = bundle.manifest;
    const files = Object.values(m.components).flatMap((c) => c.graphs);
    const bytes = files.reduce((n, g) => n + g.bytes + (g.externalData ?? []).reduce((k, e) => k + e.bytes, 0), 0);
    process.stdout.write(`ok: ${m.id} "${m.name}" — ${files.length} graphs, ${(bytes / 1e6).toFixed(1)} MB, contract v${m.contractVersion}, licence: ${m.license}\n`);
  } finally {
    await bundle.release();
  }
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === 'generate') await generate(rest);
    else if (command === 'models') await verifyModels(rest);
    else if (command === undefined || command === 'help' || command === '--help') {
      process.stdout.write(`${USAGE}\n`);
      return command === undefined ? 2 : 0;
    } else throw new UsageError('command', `Unknown command "${command}".`, USAGE);
    return 0;
  } catch (error) {
    const parseError = (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    const line = parseError ? `${(error as Error).message}. Run \`npm run loa -- help\` for usage.` : describeError(error);
    process.stderr.write(`\nerror: ${line.replace(/\s+/g, ' ').trim()}\n`);
    if (error instanceof CancelledError) return 130;
    if (parseError || error instanceof InvalidRequestError) return 2;
    return error instanceof LoaError ? 1 : 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
