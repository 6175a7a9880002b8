/**
 * A farm job as it travels through Redis, and the worker's check of it. Everything in a payload is
 * data: settings (checked by the same validators as the Studio API), the model it needs, and for
 * audio-to-audio the reference as WAV bytes with their SHA-256 — never a file path, never code.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { TakeTask } from '../../shared/engine/engine-protocol.ts';
import { validateGenerateParams, type GenerateParams } from '../../shared/engine/generate-params.ts';
import { validateTransformParams, type TransformParams } from '../../shared/engine/transform-params.ts';
import { InvalidRequestError } from '../../shared/errors.ts';
import { checkPayloadBounds } from '../../shared/studio/payload-bounds.ts';
import { REPO_ID_PATTERN, REVISION_PATTERN, UNSAFE_NAME_CHARS, validateGenerateRequest } from '../../shared/studio/studio-validate.ts';
import { decodeWav, encodeWav } from '../audio/wav.ts';

export const FARM_PAYLOAD_VERSION = 1;
/** Ten minutes (the reference import's own cap) of mono float32 at 16 kHz, plus the WAV header. */
export const MAX_REFERENCE_WAV_BYTES = 600 * 16_000 * 4 + 4096;
const MAX_REFERENCE_BASE64 = Math.ceil(MAX_REFERENCE_WAV_BYTES / 3) * 4;

/** The model a job needs: the exact bundle (manifest hash), or the Hub checkpoint it was built from. */
export interface FarmModelRequest {
  bundleHash?: string;
  repo?: string;
  revision?: string;
}

export interface FarmReference {
  /** A label for the lineage (the file's name on the submitting machine), not a path. */
  name: string;
  /** SHA-256 of the samples' float32 bytes: what recipes record as the reference's identity. */
  sha256: string;
  /** Mono float32 WAV at the model's sample rate, base64. */
  wav: string;
}

export type FarmJobPayload =
  { v: 1; kind: 'generate'; params: GenerateParams; model?: FarmModelRequest } | { v: 1; kind: 'transform'; params: TransformParams; reference: FarmReference; model?: FarmModelRequest };

/** A payload as the worker runs it: the engine task, with the reference decoded and checked. */
export interface CheckedFarmJob {
  task: TakeTask;
  model?: FarmModelRequest;
  reference?: { name: string; sha256: string; sampleRate: number; seconds: number };
}

const hex64 = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits');
const modelSchema = z
  .strictObject({
    bundleHash: hex64.optional(),
    repo: z.string().regex(REPO_ID_PATTERN, 'must be a Hub repo id like cvssp/audioldm2').optional(),
    revision: z.string().regex(REVISION_PATTERN, 'must be a branch, tag or commit').optional(),
  })
  .refine((m) => m.bundleHash !== undefined || m.repo !== undefined, 'must name a bundleHash or a repo');
const referenceSchema = z.strictObject({
  name: z
    .string()
    .min(1)
    .max(255)
    .refine((name) => !UNSAFE_NAME_CHARS.test(name), 'must be a plain name, not a path'),
  sha256: hex64,
  wav: z
    .string()
    .max(MAX_REFERENCE_BASE64, `is over ${MAX_REFERENCE_WAV_BYTES} bytes`)
    .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64'),
});
const payloadSchema = z.discriminatedUnion('kind', [
  z.strictObject({ v: z.literal(FARM_PAYLOAD_VERSION), kind: z.literal('generate'), params: z.record(z.string(), z.unknown()), model: modelSchema.optional() }),
  z.strictObject({ v: z.literal(FARM_PAYLOAD_VERSION), kind: z.literal('transform'), params: z.record(z.string(), z.unknown()), reference: referenceSchema, model: modelSchema.optional() }),
]);

const HINT = 'Submit jobs with `npm run loa -- generate … --farm <url>` or the studio; both write valid payloads.';

function requireSeed(): number {
  throw new InvalidRequestError('params.seed', 'A farm job must carry its seed, so a retried job makes the same takes.', HINT);
}

/** The SHA-256 of float32 samples as bytes, hex: a reference's identity in recipes and lineage. */
export function samplesSha256(samples: Float32Array): string {
  return createHash('sha256')
    .update(new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength))
    .digest('hex');
}

/** A reference for a payload: the samples (mono, at the model's rate) as a float32 WAV, with their hash. */
export function farmReference(name: string, samples: Float32Array, sampleRate: number): FarmReference {
  return { name, sha256: samplesSha256(samples), wav: Buffer.from(encodeWav([samples], sampleRate, 'float32')).toString('base64') };
}

/**
 * Checks a payload from the queue. Throws InvalidRequestError naming the field at fault; the
 * worker fails such a job at once (a retry would be refused the same way).
 */
export function checkFarmPayload(raw: unknown): CheckedFarmJob {
  const parsed = payloadSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = ['payload', ...issue.path.map(String)].join('.');
    throw new InvalidRequestError(field, `Bad farm job: ${field} ${issue.message}.`, HINT);
  }
  const payload = parsed.data;
  // The same bounds and validators as the Studio API: nesting, size, then the engine's own rules.
  checkPayloadBounds(payload.params, 'payload.params');
  const model = payload.model;
  if (payload.kind === 'generate') {
    validateGenerateRequest(payload.params);
    return { task: { kind: 'generate', params: validateGenerateParams(payload.params, requireSeed) }, ...(model ? { model } : {}) };
  }
  const params = validateTransformParams(payload.params, requireSeed);
  const { name, sha256, wav } = payload.reference;
  const decoded = decodeWav(new Uint8Array(Buffer.from(wav, 'base64')));
  if (decoded.channels.length !== 1) throw new InvalidRequestError('payload.reference.wav', `The reference has ${decoded.channels.length} channels; a farm reference is mono.`, HINT);
  const samples = decoded.channels[0];
  if (samplesSha256(samples) !== sha256) {
    throw new InvalidRequestError('payload.reference.sha256', 'The reference audio does not match its SHA-256: it was damaged on the way.', 'Submit the job again.');
  }
  return {
    task: { kind: 'transform', params, reference: samples },
    ...(model ? { model } : {}),
    reference: { name, sha256, sampleRate: decoded.sampleRate, seconds: samples.length / decoded.sampleRate },
  };
}
