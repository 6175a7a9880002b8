/**
 * Between the library's public shapes and its rows: checks a new take or reference, turns it into
 * column values, and turns a selected row back into a LibraryTake. Pure: no database here.
 * `params_json` and `lineage_json` are the records; prompt, steps, seed … are copied into their
 * own columns only so they can be searched and filtered.
 */
import { InvalidRequestError } from '../../shared/errors.ts';
import type { Lineage } from '../../shared/engine/lineage.ts';
import { isTransformParams, type JobParams } from '../../shared/studio/studio-api.ts';
import { checkRelativePath } from './library-files.ts';
import type { LibraryReference, LibraryTake, NewLibraryReference, NewLibraryTake, Rating, TakeUpdate } from './library-types.ts';
import { decodePeaks, encodePeaks } from '../../shared/library/peaks-blob.ts';

/** Same alphabet as the studio's ids (randomUUID without dashes), and safe in a file name. */
const ID = /^[A-Za-z0-9_-]{1,64}$/;
export const MAX_TAGS = 64;
export const MAX_TAG_CHARS = 100;
export const MAX_NOTES_CHARS = 20_000;

export function checkId(field: string, id: unknown): string {
  if (typeof id !== 'string' || !ID.test(id)) throw new InvalidRequestError(field, `${field} must be 1–64 letters, digits, '-' or '_', got ${JSON.stringify(id)}.`);
  return id;
}

export function checkRating(rating: unknown): Rating {
  if (!Number.isInteger(rating) || (rating as number) < 0 || (rating as number) > 5) {
    throw new InvalidRequestError('rating', `rating must be a whole number from 0 to 5, got ${JSON.stringify(rating)}.`);
  }
  return rating as Rating;
}

export function checkNotes(notes: unknown): string {
  if (typeof notes !== 'string') throw new InvalidRequestError('notes', 'notes must be text.');
  if (notes.length > MAX_NOTES_CHARS) throw new InvalidRequestError('notes', `notes are ${notes.length} characters long; the limit is ${MAX_NOTES_CHARS}.`);
  return notes;
}

/** Trimmed, inner whitespace collapsed, empty ones dropped, duplicates (ignoring case) dropped. */
export function normaliseTags(tags: readonly unknown[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const raw of tags) {
    if (typeof raw !== 'string') throw new InvalidRequestError('tags', 'Each tag must be text.');
    const tag = raw.replace(/\s+/gu, ' ').trim();
    if (tag === '') continue;
    if (tag.length > MAX_TAG_CHARS) throw new InvalidRequestError('tags', `The tag "${tag.slice(0, 20)}…" is ${tag.length} characters long; the limit is ${MAX_TAG_CHARS}.`);
    const key = tag.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(tag);
  }
  if (out.length > MAX_TAGS) throw new InvalidRequestError('tags', `A take can have at most ${MAX_TAGS} tags, got ${out.length}.`);
  return out;
}

/** ISO 8601 UTC for a Date or a date string; throws for an invalid one. */
export function isoTime(field: string, value: Date | string | undefined, fallback: Date): string {
  const date = value === undefined ? fallback : new Date(value);
  if (Number.isNaN(date.getTime())) throw new InvalidRequestError(field, `${field} is not a valid date: ${JSON.stringify(value)}.`);
  return date.toISOString();
}

function checkAudio(sampleRate: unknown, samples: unknown, peaks: unknown): void {
  if (!Number.isInteger(sampleRate) || (sampleRate as number) <= 0) throw new InvalidRequestError('sampleRate', `sampleRate must be a positive whole number, got ${JSON.stringify(sampleRate)}.`);
  if (!Number.isSafeInteger(samples) || (samples as number) < 0) throw new InvalidRequestError('samples', `samples must be a whole number of frames, got ${JSON.stringify(samples)}.`);
  if (!Array.isArray(peaks) || peaks.length % 2 !== 0) throw new InvalidRequestError('peaks', 'peaks must be min/max pairs (an even number of values).');
}

/** Column values of a new take's row (named parameters for the INSERT). */
export function takeColumns(take: NewLibraryTake, now: Date): Record<string, string | number | null> {
  checkId('id', take.id);
  checkRelativePath('file', take.file);
  checkAudio(take.sampleRate, take.samples, take.peaks);
  if (typeof take.params !== 'object' || take.params === null || typeof take.params.prompt !== 'string') {
    throw new InvalidRequestError('params', 'params must be the job settings as validated.');
  }
  const params: JobParams = take.params;
  const lineage: Lineage | null = take.lineage ?? null;
  const loop = take.loop ?? null;
  if (loop && !(Number.isSafeInteger(loop.start) && Number.isSafeInteger(loop.end) && loop.start >= 0 && loop.end >= loop.start)) {
    throw new InvalidRequestError('loop', `loop must be two frame numbers with start ≤ end, got ${JSON.stringify(loop)}.`);
  }
  return {
    id: take.id,
    job_id: take.jobId,
    rank: take.rank,
    kind: isTransformParams(params) ? 'transform' : 'generate',
    prompt: params.prompt,
    negative_prompt: params.negativePrompt,
    seed: take.seed,
    steps: params.steps,
    scheduler: params.scheduler,
    guidance: params.guidance,
    // Text-to-audio and continuations ask for a length; the other transforms keep the reference's.
    seconds: 'seconds' in params ? params.seconds : null,
    params_json: JSON.stringify(params),
    score: take.score,
    model_id: take.modelId,
    bundle_hash: take.bundleHash ?? null,
    device: take.device,
    sample_rate: take.sampleRate,
    samples: take.samples,
    duration_s: take.samples / take.sampleRate,
    created_at: isoTime('createdAt', take.createdAt, now),
    rating: checkRating(take.rating ?? 0),
    favourite: take.favourite ? 1 : 0,
    notes: checkNotes(take.notes ?? ''),
    file: take.file,
    loop_start: loop?.start ?? null,
    loop_end: loop?.end ?? null,
    parent_take_id: lineage?.reference.kind === 'take' ? lineage.reference.id : null,
    parent_reference_id: lineage?.reference.referenceId ?? null,
    operation: lineage?.operation ?? (isTransformParams(params) ? params.op : null),
    lineage_json: lineage ? JSON.stringify(lineage) : null,
  };
}

/** SET clauses and values for a TakeUpdate's scalar fields (tags are rows of their own). */
export function updateColumns(patch: TakeUpdate): { sets: string[]; values: Array<number | string | null> } {
  const sets: string[] = [];
  const values: Array<number | string | null> = [];
  if (patch.rank !== undefined) {
    if (!Number.isInteger(patch.rank)) throw new InvalidRequestError('rank', `rank must be a whole number, got ${JSON.stringify(patch.rank)}.`);
    sets.push('rank = ?');
    values.push(patch.rank);
  }
  if (patch.score !== undefined) {
    if (patch.score !== null && !Number.isFinite(patch.score)) throw new InvalidRequestError('score', 'score must be a number or null.');
    sets.push('score = ?');
    values.push(patch.score);
  }
  if (patch.rating !== undefined) {
    sets.push('rating = ?');
    values.push(checkRating(patch.rating));
  }
  if (patch.favourite !== undefined) {
    sets.push('favourite = ?');
    values.push(patch.favourite ? 1 : 0);
  }
  if (patch.notes !== undefined) {
    sets.push('notes = ?');
    values.push(checkNotes(patch.notes));
  }
  return { sets, values };
}

/** What the take queries select (TAKE_COLUMNS in library-db.ts). */
export interface TakeRow {
  seq: number;
  id: string;
  job_id: string;
  rank: number;
  kind: 'generate' | 'transform';
  params_json: string;
  seed: number;
  score: number | null;
  model_id: string;
  bundle_hash: string | null;
  device: string;
  sample_rate: number;
  samples: number;
  duration_s: number;
  created_at: string;
  rating: number;
  favourite: number;
  notes: string;
  file: string;
  loop_start: number | null;
  loop_end: number | null;
  lineage_json: string | null;
  deleted_at: string | null;
  tags_json: string;
  peaks: Uint8Array | null;
  has_embedding: number;
}

export function takeFromRow(row: TakeRow): LibraryTake {
  return {
    id: row.id,
    jobId: row.job_id,
    rank: row.rank,
    kind: row.kind,
    params: JSON.parse(row.params_json) as JobParams,
    seed: row.seed,
    score: row.score,
    sampleRate: row.sample_rate,
    samples: row.samples,
    durationS: row.duration_s,
    modelId: row.model_id,
    bundleHash: row.bundle_hash,
    device: row.device,
    createdAt: row.created_at,
    rating: row.rating as Rating,
    favourite: row.favourite === 1,
    notes: row.notes,
    tags: JSON.parse(row.tags_json) as string[],
    file: row.file,
    peaks: row.peaks ? decodePeaks(row.peaks) : [],
    lineage: row.lineage_json ? (JSON.parse(row.lineage_json) as Lineage) : null,
    loop: row.loop_start !== null && row.loop_end !== null ? { start: row.loop_start, end: row.loop_end } : null,
    deletedAt: row.deleted_at,
    hasEmbedding: row.has_embedding === 1,
  };
}

export function referenceColumns(reference: NewLibraryReference, now: Date): Record<string, string | number | Uint8Array> {
  checkId('id', reference.id);
  checkRelativePath('file', reference.file);
  checkAudio(reference.sampleRate, reference.samples, reference.peaks);
  return {
    id: reference.id,
    name: reference.name,
    origin_json: JSON.stringify(reference.origin),
    file: reference.file,
    sample_rate: reference.sampleRate,
    samples: reference.samples,
    duration_s: reference.samples / reference.sampleRate,
    sha256: reference.sha256,
    notices_json: JSON.stringify(reference.notices),
    created_at: isoTime('createdAt', reference.createdAt, now),
    peaks: encodePeaks(reference.peaks),
  };
}

export interface ReferenceRow {
  id: string;
  name: string;
  origin_json: string;
  file: string;
  sample_rate: number;
  samples: number;
  duration_s: number;
  sha256: string;
  notices_json: string;
  created_at: string;
  peaks: Uint8Array;
  deleted_at: string | null;
}

export function referenceFromRow(row: ReferenceRow): LibraryReference {
  return {
    id: row.id,
    name: row.name,
    origin: JSON.parse(row.origin_json) as LibraryReference['origin'],
    file: row.file,
    sampleRate: row.sample_rate,
    samples: row.samples,
    durationS: row.duration_s,
    sha256: row.sha256,
    notices: JSON.parse(row.notices_json) as string[],
    createdAt: row.created_at,
    peaks: decodePeaks(row.peaks),
    deletedAt: row.deleted_at,
  };
}

// Blobs and tags come with the row; tags as a JSON array in the order they were given.
export const TAKE_COLUMNS = `t.seq, t.id, t.job_id, t.rank, t.kind, t.params_json, t.seed, t.score, t.model_id, t.bundle_hash, t.device,
  t.sample_rate, t.samples, t.duration_s, t.created_at, t.rating, t.favourite, t.notes, t.file, t.loop_start, t.loop_end,
  t.lineage_json, t.deleted_at,
  (SELECT json_group_array(tag ORDER BY position) FROM tags WHERE take_seq = t.seq) AS tags_json,
  (SELECT peaks FROM take_peaks WHERE take_seq = t.seq) AS peaks,
  EXISTS (SELECT 1 FROM take_clap WHERE take_seq = t.seq) AS has_embedding`;

export const INSERT_TAKE = `INSERT INTO takes (id, job_id, rank, kind, prompt, negative_prompt, seed, steps, scheduler, guidance, seconds,
  params_json, score, model_id, bundle_hash, device, sample_rate, samples, duration_s, created_at, rating, favourite, notes, file,
  loop_start, loop_end, parent_take_id, parent_reference_id, operation, lineage_json)
  VALUES (@id, @job_id, @rank, @kind, @prompt, @negative_prompt, @seed, @steps, @scheduler, @guidance, @seconds,
  @params_json, @score, @model_id, @bundle_hash, @device, @sample_rate, @samples, @duration_s, @created_at, @rating, @favourite,
  @notes, @file, @loop_start, @loop_end, @parent_take_id, @parent_reference_id, @operation, @lineage_json)`;
