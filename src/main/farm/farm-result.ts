/**
 * What a worker returns for a job: each take as WAV bytes with its recipe and CLAP embedding, and
 * where and how fast it ran. Encoded as JSON (BullMQ stores return values as JSON), so audio and
 * embeddings travel as base64; the submitter checks the shape before it files anything.
 */
import { z } from 'zod';
import type { TakeData } from '../../shared/engine/engine-protocol.ts';
import { InvalidRequestError } from '../../shared/errors.ts';
import type { Recipe } from '../../shared/library/recipe.ts';
import { decodeWav, encodeWav } from '../audio/wav.ts';
import { parseRecipe } from '../library/wav-metadata.ts';

/** 16 takes of 30 s at 48 kHz float32 is 92 MB; results past this are refused rather than filed. */
export const MAX_RESULT_WAV_BYTES = 128 * 1024 * 1024;

export interface FarmTakeResult {
  /** 1 = best (CLAP-ranked when the job ranks). */
  rank: number;
  seed: number;
  score: number | null;
  strength?: number;
  loop?: { start: number; end: number };
  /** Mono float32 WAV of the take, base64: exactly the engine's samples. */
  wav: string;
  /** L2-normalised CLAP audio embedding, float32 little-endian, base64. */
  embedding?: string;
  recipe: Recipe;
}

export interface FarmJobResult {
  takes: FarmTakeResult[];
  sampleRate: number;
  /** The execution provider the job ran on (a recipe's `device`). */
  device: string;
  worker: string;
  model: { id: string; name: string; bundleHash: string };
  notices: string[];
  timings: { queuedMs: number; runMs: number; engine?: Record<string, number> };
}

const takeSchema = z.strictObject({
  rank: z.number().int().min(1).max(1000),
  seed: z.number().int().min(0),
  score: z.number().nullable(),
  strength: z.number().optional(),
  loop: z.strictObject({ start: z.number().int().min(0), end: z.number().int().min(0) }).optional(),
  wav: z.string(),
  embedding: z.string().max(1_000_000).optional(),
  recipe: z.unknown(),
});
const resultSchema = z.strictObject({
  takes: z.array(takeSchema).min(1).max(1000),
  sampleRate: z.number().int().min(8000).max(192_000),
  device: z.string().max(200),
  worker: z.string().max(200),
  model: z.strictObject({ id: z.string().max(200), name: z.string().max(500), bundleHash: z.string().max(64) }),
  notices: z.array(z.string().max(2000)).max(100),
  timings: z.strictObject({ queuedMs: z.number(), runMs: z.number(), engine: z.record(z.string(), z.number()).optional() }),
});

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/** A take for the result: its samples as a float32 WAV (bit-exact), its embedding as float32 bytes. */
export function takeResult(take: TakeData, rank: number, recipe: Recipe, sampleRate: number): FarmTakeResult {
  return {
    rank,
    seed: take.seed,
    score: take.score,
    ...(take.strength !== undefined ? { strength: take.strength } : {}),
    ...(take.loop ? { loop: take.loop } : {}),
    wav: base64(encodeWav([take.samples], sampleRate, 'float32')),
    ...(take.embedding ? { embedding: base64(new Uint8Array(take.embedding.buffer, take.embedding.byteOffset, take.embedding.byteLength)) } : {}),
    recipe,
  };
}

/** A take as the submitter files it: samples and embedding decoded, recipe checked. */
export interface ReceivedTake {
  rank: number;
  take: TakeData;
  recipe: Recipe;
}

/** Checks a worker's return value and decodes its takes; throws InvalidRequestError on anything off. */
export function readFarmResult(raw: unknown): { result: FarmJobResult; takes: ReceivedTake[] } {
  const parsed = resultSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InvalidRequestError(
      ['result', ...issue.path.map(String)].join('.'),
      `The farm returned a malformed result: ${issue.message}.`,
      'Check that every worker runs the same LOA Studio version as this one.',
    );
  }
  const result = parsed.data as FarmJobResult;
  let bytes = 0;
  const takes = result.takes.map((t): ReceivedTake => {
    const wav = new Uint8Array(Buffer.from(t.wav, 'base64'));
    bytes += wav.byteLength;
    if (bytes > MAX_RESULT_WAV_BYTES)
      throw new InvalidRequestError('result.takes', `The farm returned over ${MAX_RESULT_WAV_BYTES} bytes of audio for one job.`, 'Ask for fewer or shorter takes per job.');
    const decoded = decodeWav(wav);
    if (decoded.channels.length !== 1 || decoded.format !== 'float32' || decoded.sampleRate !== result.sampleRate) {
      throw new InvalidRequestError('result.takes.wav', "A returned take is not mono float32 at the job's sample rate.", 'Check that every worker runs the same LOA Studio version as this one.');
    }
    const embeddingBytes = t.embedding === undefined ? undefined : Buffer.from(t.embedding, 'base64');
    const recipe = parseRecipe(t.recipe);
    if (!recipe) throw new InvalidRequestError('result.takes.recipe', 'A returned take has no valid recipe.', 'Check that every worker runs the same LOA Studio version as this one.');
    return {
      rank: t.rank,
      recipe,
      take: {
        index: t.rank - 1,
        seed: t.seed,
        samples: decoded.channels[0],
        score: t.score,
        ...(t.strength !== undefined ? { strength: t.strength } : {}),
        ...(t.loop ? { loop: t.loop } : {}),
        ...(embeddingBytes ? { embedding: new Float32Array(embeddingBytes.buffer.slice(embeddingBytes.byteOffset, embeddingBytes.byteOffset + embeddingBytes.byteLength)) } : {}),
      },
    };
  });
  return { result, takes };
}
