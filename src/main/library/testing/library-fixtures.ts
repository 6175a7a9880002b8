/** Takes for the library specs: a real WAV written into the library, and the addTake input for it. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { GenerateParams } from '../../../shared/engine/generate-params.ts';
import { encodeWav } from '../../audio/wav.ts';
import { computePeaks } from '../../studio/peaks.ts';
import { absolutePath } from '../library-files.ts';
import type { NewLibraryTake } from '../library-types.ts';
import { generationFile, newTakeId } from '../take-paths.ts';

export const SAMPLE_RATE = 16_000;

export function generateParams(prompt: string, seed = 1): GenerateParams {
  return { prompt, negativePrompt: 'Low quality.', seconds: 1, steps: 4, scheduler: 'ddim', guidance: 2, seed, takes: 1 };
}

/** Writes a short sine WAV for the take and returns its addTake input (`frames` long). */
export function newTake(libraryDir: string, prompt: string, overrides: Partial<NewLibraryTake> & { frames?: number } = {}): NewLibraryTake {
  const { frames = 1600, ...rest } = overrides;
  const id = rest.id ?? newTakeId();
  const createdAt = new Date(rest.createdAt ?? '2025-06-01T12:00:00Z');
  const seed = rest.seed ?? 7;
  const file = rest.file ?? generationFile(createdAt, prompt, seed, id);
  const samples = new Float32Array(frames).map((_, i) => 0.5 * Math.sin(i / 5));
  mkdirSync(dirname(absolutePath(libraryDir, file)), { recursive: true });
  writeFileSync(absolutePath(libraryDir, file), encodeWav([samples], SAMPLE_RATE, 'float32'));
  return {
    id,
    file,
    jobId: 'job-1',
    rank: 1,
    params: generateParams(prompt, seed),
    seed,
    score: null,
    modelId: 'tiny-random',
    device: 'cpu',
    sampleRate: SAMPLE_RATE,
    samples: frames,
    peaks: computePeaks(samples),
    createdAt,
    ...rest,
  };
}
