/**
 * `npm run loa -- continue|vary|inpaint|loop --reference <in> --prompt "<p>" --out <f> …`: the
 * audio-to-audio operations from a terminal, with the same conventions as `generate` (validated
 * before any model work, one WAV per take, Ctrl+C cancels) and a lineage sidecar per take.
 */
import { createHash, randomInt } from 'node:crypto';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { TakeData } from '../../shared/engine/engine-protocol.ts';
import type { Lineage, ReferenceSource } from '../../shared/engine/lineage.ts';
import { validateTransformParams, type TransformOp } from '../../shared/engine/transform-params.ts';
import { importReferenceFile } from '../audio/reference-import.ts';
import { ensureBundle } from '../engine/builder/bundle-cache.ts';
import { readManifest } from '../engine/bundle/manifest.ts';
import { ENGINE_OPTIONS, engineSettings, gridTakePath, MODEL_OPTIONS, runJob, UsageError } from './run-job.ts';
import { USAGE } from './usage.ts';

const OP_OPTIONS = {
  reference: { type: 'string', short: 'r' },
  prompt: { type: 'string', short: 'p' },
  seconds: { type: 'string' },
  strength: { type: 'string' },
  strengths: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  seam: { type: 'string' },
  'crossfade-ms': { type: 'string' },
  resample: { type: 'string' },
} as const;

/** Which flags each operation reads; any other op flag is a mistake worth saying. */
const OP_FLAGS: Record<TransformOp, readonly (keyof typeof OP_OPTIONS)[]> = {
  continue: ['seconds', 'crossfade-ms', 'resample'],
  vary: ['strength', 'strengths'],
  inpaint: ['from', 'to', 'crossfade-ms', 'resample'],
  loop: ['seam', 'crossfade-ms', 'resample'],
};

function sha256(samples: Float32Array): string {
  return createHash('sha256')
    .update(new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength))
    .digest('hex');
}

export async function audioToAudio(op: TransformOp, argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, strict: true, options: { ...ENGINE_OPTIONS, ...MODEL_OPTIONS, ...OP_OPTIONS } });
  if (positionals.length > 0) throw new UsageError('prompt', `Unexpected argument "${positionals[0]}"; give the prompt with --prompt "<text>".`, USAGE);
  if (!values.reference) throw new UsageError('reference', `Missing --reference <audio file>.`, USAGE);
  if (!values.out) throw new UsageError('out', 'Missing --out <file.wav>.', USAGE);
  for (const flag of Object.keys(OP_OPTIONS) as (keyof typeof OP_OPTIONS)[]) {
    if (flag !== 'reference' && flag !== 'prompt' && values[flag] !== undefined && !OP_FLAGS[op].includes(flag)) {
      throw new UsageError(flag, `--${flag} does not apply to ${op}.`, USAGE);
    }
  }
  const raw: Record<string, unknown> = {
    op,
    prompt: values.prompt ?? '',
    negativePrompt: values.negative,
    steps: values.steps,
    scheduler: values.scheduler,
    guidance: values.guidance,
    seed: values.seed,
    takes: values.takes,
    seconds: values.seconds,
    strength: values.strength,
    strengths: values.strengths?.split(',').map((s) => s.trim()),
    from: values.from,
    to: values.to,
    seamSeconds: values.seam,
    crossfadeMs: values['crossfade-ms'],
    resample: values.resample,
  };
  for (const key of Object.keys(raw)) if (raw[key] === undefined) delete raw[key];
  const params = validateTransformParams(raw, () => randomInt(0, 2 ** 32));
  const engine = engineSettings(values);

  // The reference is read and checked before the model loads: a bad file costs milliseconds.
  // A checkpoint folder is built (once, into the cache) here, before the engine starts on it.
  // On a farm the model may not be on this machine: the rate comes from what the job will ask for.
  const rate = engine.farm ? (await (await import('./farm-jobs.ts')).farmModelRequest(engine.modelSpec)).sampleRate : (await readManifest(await ensureBundle(engine.bundleDir))).config.sampleRate;
  const path = resolve(values.reference);
  // A long clip takes seconds to resample: show how far it has got (on one line, like the engine's progress).
  let shown = -1;
  const clip = await importReferenceFile(path, rate, {}, (fraction) => {
    const percent = Math.floor(fraction * 100);
    if (percent === shown) return;
    shown = percent;
    process.stderr.write(`\rreading the reference ${percent} %`);
  });
  if (shown >= 0) process.stderr.write('\n');
  for (const notice of clip.notices) process.stderr.write(`notice: ${notice}\n`);
  if (params.op === 'inpaint' && params.from >= clip.durationSeconds) {
    throw new UsageError('from', `--from ${params.from} is past the end of the reference (${clip.durationSeconds.toFixed(2)} s).`, 'Choose a region inside the clip.');
  }
  const reference: ReferenceSource = { kind: 'file', id: path, sha256: sha256(clip.samples), seconds: clip.samples.length / rate };

  // A variation grid names each file by its cell: out_s0.25_seed7.wav (one strength keeps out, out-2, …).
  const out = resolve(values.out);
  const grid = params.op === 'vary' && params.strengths.length > 1;
  const cellPath = grid ? (take: TakeData) => gridTakePath(out, take.strength ?? 0, take.seed) : undefined;
  await runJob(
    engine,
    out,
    () => ({ kind: 'transform', params, reference: clip.samples }),
    params.seed,
    params.takes,
    (take): Lineage => ({
      operation: op,
      reference,
      params,
      seed: take.seed,
      ...(take.strength !== undefined ? { strength: take.strength } : {}),
    }),
    undefined,
    cellPath,
  );
}
