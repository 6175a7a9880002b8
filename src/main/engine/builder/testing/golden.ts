/**
 * The diffusers oracle: fixtures/audioldm2-tiny holds a random-weight checkpoint written by
 * diffusers' save_pretrained and every stage of AudioLDM2Pipeline on 7 cases (its README).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const FIXTURE_DIR = resolve(import.meta.dirname, '../../../../../fixtures/audioldm2-tiny');
export const FIXTURE_CHECKPOINT = join(FIXTURE_DIR, 'checkpoint');

export interface StageInfo {
  name: string;
  file: string;
  dtype: 'float32' | 'int64';
  shape: number[];
  description: string;
}

export interface GoldenCase {
  name: string;
  inputs: {
    prompt: string;
    negative_prompt: string | null;
    guidance_scale: number;
    num_inference_steps: number;
    scheduler: 'ddim' | 'dpmpp';
    audio_length_in_s: number;
    num_waveforms_per_prompt: number;
  };
  latents: { file: string; shape: number[]; seed: number };
  derived: Record<string, unknown>;
  stages: StageInfo[];
}

export interface GoldenArray {
  data: Float32Array | BigInt64Array;
  dims: number[];
}

export function goldenCaseNames(): string[] {
  return readdirSync(join(FIXTURE_DIR, 'golden'))
    .filter((f) => f.startsWith('case-') && f.endsWith('.json'))
    .map((f) => f.slice('case-'.length, -'.json'.length))
    .sort();
}

export function goldenCase(name: string): GoldenCase {
  const raw = JSON.parse(readFileSync(join(FIXTURE_DIR, 'golden', `case-${name}.json`), 'utf8')) as Omit<GoldenCase, 'name'>;
  return { name, ...raw };
}

function readArray(file: string, dtype: 'float32' | 'int64', dims: number[]): GoldenArray {
  const bytes = readFileSync(join(FIXTURE_DIR, 'golden', file));
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  const data = dtype === 'float32' ? new Float32Array(buffer) : new BigInt64Array(buffer);
  const count = dims.reduce((a, b) => a * b, 1);
  if (data.length !== count) throw new Error(`${file}: ${data.length} values for [${dims.join(', ')}]`);
  return { data, dims };
}

/** One stage's array (see the case file's `stages`). */
export function goldenStage(c: GoldenCase, stage: string): GoldenArray {
  const info = c.stages.find((s) => s.name === stage);
  if (!info) throw new Error(`case ${c.name} has no stage ${stage}`);
  return readArray(info.file, info.dtype, info.shape);
}

export function goldenLatentsInit(c: GoldenCase): GoldenArray {
  return readArray(c.latents.file, 'float32', c.latents.shape);
}

/** ‖a − b‖ / ‖b‖: the README's tolerance measure. */
export function relativeL2(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} vs ${expected.length}`);
  let num = 0;
  let den = 0;
  for (let i = 0; i < expected.length; i++) {
    const d = actual[i] - expected[i];
    num += d * d;
    den += expected[i] * expected[i];
  }
  return Math.sqrt(num / (den || 1));
}

export function maxAbsDiff(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < expected.length; i++) max = Math.max(max, Math.abs(actual[i] - expected[i]));
  return max;
}
