#!/usr/bin/env node
/**
 * `npm run loa -- <command>`: the engine from a terminal.
 *   generate "<prompt>" --out <file.wav> [options]   text to audio, one WAV per take, best first
 *   generate --prompts <list.txt> --out <folder>      one job per line of the list, on one loaded model
 *   continue|vary|inpaint|loop --reference <in> …      audio-to-audio on a reference clip
 *   models build|verify …                             build a bundle from a checkpoint; check a bundle
 *   worker --redis <url> …                            a render-farm worker (src/main/farm)
 */
import { randomInt } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { validateGenerateParams, type GenerateParams } from '../../shared/engine/generate-params.ts';
import { CancelledError, describeError, InvalidRequestError, LoaError } from '../../shared/errors.ts';
import { UNSAFE_NAME_CHARS } from '../../shared/studio/studio-validate.ts';
import { promptSlug } from '../export/file-name.ts';
import { ENGINE_OPTIONS, engineSettings, MODEL_OPTIONS, runJob, runJobs, UsageError } from './run-job.ts';
import { USAGE } from './usage.ts';

const AUDIO_TO_AUDIO_COMMANDS = ['continue', 'vary', 'inpaint', 'loop'] as const;
/** A night's work on a CPU, and a list long enough to be a mistake past it. */
const MAX_LIST_PROMPTS = 1000;

async function generate(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: { ...ENGINE_OPTIONS, ...MODEL_OPTIONS, seconds: { type: 'string' }, prompts: { type: 'string' } },
  });
  if (values.prompts !== undefined) return generateList(values.prompts, positionals, values);
  if (positionals.length !== 1) throw new UsageError('prompt', positionals.length === 0 ? 'Missing the prompt.' : 'Give the prompt as one quoted argument.', USAGE);
  if (!values.out) throw new UsageError('out', 'Missing --out <file.wav>.', USAGE);
  const params = validateGenerateParams(settingsFrom(positionals[0], values), () => randomInt(0, 2 ** 32));
  const engine = engineSettings(values);
  await runJob(engine, resolve(values.out), () => ({ kind: 'generate', params }), params.seed, params.takes);
}

type GenerateValues = { negative?: string; seconds?: string; steps?: string; scheduler?: string; guidance?: string; seed?: string; takes?: string };

function settingsFrom(prompt: string, values: GenerateValues): Record<string, unknown> {
  const { negative, seconds, steps, scheduler, guidance, seed, takes } = values;
  return { prompt, negativePrompt: negative, seconds, steps, scheduler, guidance, seed, takes };
}

/**
 * `generate --prompts <list.txt> --out <folder>`: one job per line on one loaded model, the same
 * settings for each. A line is a prompt, or `prompt|name` to name its file (AudioLDM 2's prompt
 * lists); blank lines and `#` comments are skipped. Every line is checked before the model loads.
 */
async function generateList(listPath: string, positionals: string[], values: GenerateValues & { out?: string; model?: string; device?: string; threads?: string; library?: string }): Promise<void> {
  if (positionals.length > 0) throw new UsageError('prompt', 'Give either a prompt or --prompts <file>, not both.', USAGE);
  if (!values.out || /\.wav$/i.test(values.out)) throw new UsageError('out', 'With --prompts, --out is a folder: each line writes its own file there.', USAGE);
  const list = await readPromptList(resolve(listPath));
  const jobs = list.map(({ prompt, name, line }) => {
    let params: GenerateParams;
    try {
      params = validateGenerateParams(settingsFrom(prompt, values), () => randomInt(0, 2 ** 32));
    } catch (error) {
      if (error instanceof InvalidRequestError) throw new InvalidRequestError(error.field, `${listPath} line ${line}: ${error.message}`, error.hint);
      throw error;
    }
    return { params, name: name ?? `${promptSlug(prompt)}_${params.seed}` };
  });
  const folder = resolve(values.out);
  await mkdir(folder, { recursive: true });
  const names = uniqueNames(jobs.map(({ name, params }) => ({ name, takes: params.takes })));
  const engine = engineSettings(values);
  await runJobs(
    engine,
    jobs.map(({ params }, i) => ({ out: join(folder, `${names[i]}.wav`), task: () => ({ kind: 'generate' as const, params }), seed: params.seed, takes: params.takes, label: params.prompt })),
  );
}

/**
 * File names for a list's jobs that never write over each other: a job writes `name`, `name-2`, …
 * (one per take), so a name whose files (any case) another job already claimed becomes `name (2)`,
 * `name (3)`, …
 */
export function uniqueNames(jobs: Array<{ name: string; takes: number }>): string[] {
  const claimed = new Set<string>();
  const filesOf = (name: string, takes: number) => Array.from({ length: takes }, (_, k) => (k === 0 ? name : `${name}-${k + 1}`).toLowerCase());
  return jobs.map(({ name, takes }) => {
    let candidate = name;
    for (let n = 2; filesOf(candidate, takes).some((f) => claimed.has(f)); n++) candidate = `${name} (${n})`;
    for (const f of filesOf(candidate, takes)) claimed.add(f);
    return candidate;
  });
}

/** The prompts of a list file, with their line numbers; a `|name` must be a plain file name. */
export async function readPromptList(path: string): Promise<Array<{ prompt: string; name?: string; line: number }>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new InvalidRequestError('prompts', `Cannot read the prompt list ${path}: ${(error as Error).message}.`, 'Give a text file with one prompt per line.');
  }
  const entries: Array<{ prompt: string; name?: string; line: number }> = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const trimmed = raw.trim();
    if (!trimmed || trimmed.startsWith('#')) return;
    const bar = trimmed.lastIndexOf('|');
    const prompt = (bar < 0 ? trimmed : trimmed.slice(0, bar)).trim();
    const name =
      bar < 0
        ? undefined
        : trimmed
            .slice(bar + 1)
            .trim()
            .replace(/\.wav$/i, '');
    if (name !== undefined && (!name || UNSAFE_NAME_CHARS.test(name) || name.startsWith('.'))) {
      throw new InvalidRequestError('prompts', `${path} line ${i + 1}: "${name}" is not a plain file name.`, 'Write the line as "prompt|name", the name without folders or any of \\ / : * ? " < > |.');
    }
    entries.push({ prompt, ...(name ? { name } : {}), line: i + 1 });
  });
  if (entries.length === 0) throw new InvalidRequestError('prompts', `${path} has no prompts (only blank lines or # comments).`, 'Write one prompt per line.');
  if (entries.length > MAX_LIST_PROMPTS)
    throw new InvalidRequestError('prompts', `${path} has ${entries.length} prompts; one run takes at most ${MAX_LIST_PROMPTS}.`, 'Split the list into several files.');
  return entries;
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
    } else if (command === 'models') await (await import('./models-command.ts')).models(rest);
    else if (command === 'worker') await (await import('./worker-command.ts')).worker(rest);
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
