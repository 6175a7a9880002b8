/**
 * The shape of manifest.json as a zod schema: types, ranges and the relations between config
 * values, checked before the engine allocates anything from them. Before, `models verify` said ok
 * to sampleRate 0 or 1e308, hopLength 0, clapAudio null, scheduler {} or num_train_timesteps 1e9,
 * and `generate` then failed with raw TypeErrors or tried to allocate 64 GB.
 *
 * Open to additions: unknown keys are kept everywhere (exporters and the model builder record
 * their provenance under `source`, newer contracts add config keys). Which config keys are required
 * comes from models/contract.json (CONTRACT.configKeys); the ranges below apply to the keys this
 * engine knows, whenever they are present.
 */
import { z } from 'zod';
import { SCHEDULERS } from '../../../shared/engine/schedulers.ts';
import { createScheduler } from '../schedulers/create-scheduler.ts';
import type { SchedulerConfig } from '../schedulers/scheduler.ts';
import { COMPONENT_KEYS, CONTRACT } from './contract.ts';

const int = (min: number, max: number) => z.number().int().min(min).max(max);
/** A finite number in (0, max]. */
const positive = (max: number) => z.number().positive().max(max);

const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits');
/** Bundle-relative path (resolveInBundle checks it stays inside). */
const relativeFile = z.string().min(1).max(1024);
/** Largest single file: 256 GiB is far past any AudioLDM 2 graph and still exact in a double. */
const fileBytes = int(0, 2 ** 38);

export const fileEntrySchema = z.looseObject({ file: relativeFile, sha256, bytes: fileBytes });

const graphSchema = fileEntrySchema.extend({
  precision: z.enum(['fp32', 'fp16']),
  externalData: z.array(fileEntrySchema).max(10_000).optional(),
});

/** The contract's dims of the CLAP audio graph's input, [batch, 1, frames, mel bins] (numbers where fixed). */
const CLAP_INPUT_DIMS: readonly unknown[] = CONTRACT.components.clapAudio?.inputs.find((v) => v.name === 'input_features')?.dims ?? [];

const clapAudioSchema = z
  .looseObject({
    sampleRate: int(8000, 192_000),
    nFft: int(16, 65_536),
    hopLength: int(1, 65_536),
    melBins: int(1, 1024),
    fMin: z.number().min(0).max(192_000),
    fMax: positive(192_000),
    // CLAP reads 10 s clips (every clip is padded to this length); a minute is far beyond any checkpoint.
    maxSamples: int(1, 192_000 * 60),
  })
  .superRefine((c, ctx) => {
    if (c.hopLength > c.nFft) ctx.addIssue({ code: 'custom', path: ['hopLength'], message: `must not exceed nFft (${c.nFft})` });
    if (c.fMin >= c.fMax) ctx.addIssue({ code: 'custom', path: ['fMin'], message: `must be below fMax (${c.fMax})` });
    if (c.fMax > c.sampleRate / 2) ctx.addIssue({ code: 'custom', path: ['fMax'], message: `must not exceed half the sample rate (${c.sampleRate / 2} Hz)` });
    // The CLAP audio graph's input has fixed frames × mel bins in the contract: the features must fill it.
    const [, , frames, bins] = CLAP_INPUT_DIMS;
    const made = 1 + Math.floor(c.maxSamples / c.hopLength); // centred STFT frames (clap-features.ts)
    if (typeof frames === 'number' && made !== frames)
      ctx.addIssue({ code: 'custom', path: ['maxSamples'], message: `gives ${made} frames at hopLength ${c.hopLength}; the CLAP audio graph takes ${frames}` });
    if (typeof bins === 'number' && c.melBins !== bins) ctx.addIssue({ code: 'custom', path: ['melBins'], message: `must be ${bins}, the CLAP audio graph's mel bins` });
  });

const schedulerSchema = z
  .looseObject({
    // diffusers trains AudioLDM 2 with 1000; the engine builds tables of this length.
    num_train_timesteps: int(2, 10_000),
    beta_start: z.number().gt(0).lt(1),
    beta_end: z.number().gt(0).lt(1),
    beta_schedule: z.string(),
  })
  .superRefine((config, ctx) => {
    // zod runs refinements even after a field failed: only a table length already known to be
    // sane may reach the samplers, which allocate num_train_timesteps entries.
    const n = config.num_train_timesteps;
    if (!(Number.isInteger(n) && n >= 2 && n <= 10_000)) return;
    // The samplers' own checks (prediction type, spacing, clipping …), run now rather than at the first generation.
    for (const name of SCHEDULERS) {
      try {
        createScheduler(name, config as SchedulerConfig);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
        return;
      }
    }
  });

/** The config keys this engine reads, with their ranges. */
const KNOWN_CONFIG: Record<string, z.ZodType> = {
  sampleRate: int(8000, 192_000),
  hopLength: int(1, 65_536),
  melBins: int(1, 1024),
  latentChannels: int(1, 256),
  latentFreq: int(1, 1024),
  vaeScaleFactor: int(1, 64),
  vaeScalingFactor: positive(1000),
  unetTimeMultiple: int(1, 1024),
  unetSampleSize: int(1, 8192),
  maxNewTokens: int(1, 4096),
  clapDim: int(1, 65_536),
  t5Dim: int(1, 65_536),
  llmDim: int(1, 65_536),
  gpt2Layers: int(1, 1024),
  gpt2Heads: int(1, 1024),
  gpt2HeadDim: int(1, 4096),
  clapMaxLength: int(1, 65_536),
  t5MaxLength: int(1, 65_536),
  clapLogitScale: positive(10_000),
  clapAudio: clapAudioSchema,
  scheduler: schedulerSchema,
};

const required = new Set(CONTRACT.configKeys);
/** Keys the contract requires that this engine has no range for: present and not null is all we can ask. */
const present = z.unknown().refine((v) => v !== undefined && v !== null, 'is missing');

const configShape: Record<string, z.ZodType> = {};
for (const [key, schema] of Object.entries(KNOWN_CONFIG)) configShape[key] = required.has(key) ? schema : schema.optional();
for (const key of required) configShape[key] ??= present;

type Numbers = Record<string, unknown>;
const both = (c: Numbers, a: string, b: string): boolean => typeof c[a] === 'number' && typeof c[b] === 'number';

const configSchema = z.looseObject(configShape).superRefine((c: Numbers, ctx) => {
  // Relations the graphs rely on; checked only where both sides are present.
  if (both(c, 'gpt2Heads', 'gpt2HeadDim') && typeof c.llmDim === 'number' && (c.gpt2Heads as number) * (c.gpt2HeadDim as number) !== c.llmDim) {
    ctx.addIssue({ code: 'custom', path: ['gpt2HeadDim'], message: `gpt2Heads × gpt2HeadDim (${c.gpt2Heads} × ${c.gpt2HeadDim}) must equal llmDim (${c.llmDim})` });
  }
  if (both(c, 'latentFreq', 'vaeScaleFactor') && typeof c.melBins === 'number' && (c.latentFreq as number) * (c.vaeScaleFactor as number) !== c.melBins) {
    ctx.addIssue({ code: 'custom', path: ['latentFreq'], message: `latentFreq × vaeScaleFactor (${c.latentFreq} × ${c.vaeScaleFactor}) must equal melBins (${c.melBins})` });
  }
  if (both(c, 'hopLength', 'sampleRate') && (c.hopLength as number) > (c.sampleRate as number)) {
    ctx.addIssue({ code: 'custom', path: ['hopLength'], message: `must not exceed sampleRate (${c.sampleRate})` });
  }
});

const componentsShape: Record<string, z.ZodType> = {};
for (const key of COMPONENT_KEYS) componentsShape[key] = z.looseObject({ graphs: z.array(graphSchema).min(1).max(16) });

const tokenizerFiles = z.looseObject({ files: z.array(fileEntrySchema).min(1).max(1000) });

export const manifestSchema = z.looseObject({
  format: z.literal('loa-studio-bundle'),
  contractVersion: z.literal(CONTRACT.version),
  id: z.string().min(1).max(200),
  name: z.string().min(1).max(500),
  license: z.string().max(10_000),
  description: z.string().max(100_000).optional(),
  source: z.looseObject({}).optional(),
  config: configSchema,
  components: z.looseObject(componentsShape),
  tokenizers: z.looseObject({ clap: tokenizerFiles, t5: tokenizerFiles }),
});

/** One issue as a sentence naming where it is: `config.sampleRate must be at least 8000 (it is 0)`. */
function sentence(issue: z.core.$ZodIssue & { input?: unknown }): string {
  const where =
    issue.path
      .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
      .join('')
      .replace(/^\./, '') || 'the manifest';
  if (issue.code === 'invalid_type' && issue.input === undefined) {
    return issue.path[0] === 'config' && issue.path.length === 2 ? `config lacks "${String(issue.path[1])}"` : `${where} is missing`;
  }
  const got = issue.input === undefined || typeof issue.input === 'object' ? '' : ` (it is ${JSON.stringify(issue.input)})`;
  const rule = issue.message.replace(/^Invalid input: /, '').replace(/^Too (small|big): expected (number|int|array|string) to (be|have) /, 'must be ');
  // Our own rules read as the rest of a sentence ("must …", "gives …"); zod's and the samplers' do not.
  const direct = rule.startsWith('must') || rule.startsWith('is ') || (issue.code === 'custom' && /^[a-z]/.test(rule));
  return `${where} ${direct ? rule : `is invalid: ${rule}`}${got}`;
}

/** The problems with a parsed manifest.json, one sentence each (empty when it fits the schema). */
export function manifestProblems(raw: unknown): string[] {
  const result = manifestSchema.safeParse(raw, { reportInput: true });
  if (result.success) return [];
  // One sentence per place, the first zod found, except its generic "at most 2^53 − 1" for an
  // integer when our own range says more (1e308 breaks both: say "must be <=192000").
  const generic = (text: string) => text.includes(String(Number.MAX_SAFE_INTEGER));
  const byPath = new Map<string, string>();
  for (const issue of result.error.issues) {
    const key = issue.path.join('.');
    const text = sentence(issue);
    const before = byPath.get(key);
    if (before === undefined || (generic(before) && !generic(text))) byPath.set(key, text);
  }
  return [...byPath.values()].slice(0, 8);
}
