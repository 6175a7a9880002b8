#!/usr/bin/env node
/**
 * `npm run loa -- <command>`: the engine from a terminal.
 *   generate "<prompt>" --out <file.wav> [options]   text to audio, one WAV per take, best first
 *   continue|vary|inpaint|loop --reference <in> …      audio-to-audio on a reference clip
 *   models verify <dir>                              check a model bundle against the contract
 */
import { randomInt } from 'node:crypto';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { validateGenerateParams } from '../../shared/engine/generate-params.ts';
import { CancelledError, describeError, InvalidRequestError, LoaError } from '../../shared/errors.ts';
import { ENGINE_OPTIONS, engineSettings, MODEL_OPTIONS, runJob, UsageError } from './run-job.ts';
import { USAGE } from './usage.ts';

const AUDIO_TO_AUDIO_COMMANDS = ['continue', 'vary', 'inpaint', 'loop'] as const;

async function generate(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, strict: true, options: { ...ENGINE_OPTIONS, ...MODEL_OPTIONS, seconds: { type: 'string' } } });
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
  const engine = engineSettings(values);
  await runJob(engine, resolve(values.out), () => ({ kind: 'generate', params }), params.seed, params.takes);
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
    else if (command === 'regenerate') await (await import('./regenerate-command.ts')).regenerate(rest);
    else if (command === 'library') await (await import('./library-command.ts')).library(rest);
    else if (command !== undefined && (AUDIO_TO_AUDIO_COMMANDS as readonly string[]).includes(command)) {
      const { audioToAudio } = await import('./audio-to-audio-commands.ts');
      await audioToAudio(command as (typeof AUDIO_TO_AUDIO_COMMANDS)[number], rest);
    }
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
