/** Takes made by audio-to-audio jobs, for the renderer's pure specs. */
import type { Lineage } from '../../../shared/engine/lineage.ts';
import type { TransformParams } from '../../../shared/engine/transform-params.ts';
import type { TakeInfo } from '../../../shared/studio/studio-api.ts';

const common = { prompt: 'rain on a tin roof', negativePrompt: 'Low quality.', steps: 10, scheduler: 'ddim' as const, guidance: 3.5, seed: 100, takes: 1 };

export const PARAMS = {
  continue: { ...common, op: 'continue', seconds: 5, crossfadeMs: 50, resample: 0 },
  vary: { ...common, op: 'vary', scheduler: 'dpmpp', strengths: [0.5] },
  grid: { ...common, op: 'vary', scheduler: 'dpmpp', takes: 2, strengths: [0.25, 0.5, 0.75] },
  inpaint: { ...common, op: 'inpaint', from: 1, to: 2, crossfadeMs: 50, resample: 0 },
  loop: { ...common, op: 'loop', seamSeconds: 1, crossfadeMs: 50, resample: 0 },
} satisfies Record<string, TransformParams>;

export function transformTake(id: string, jobId: string, params: TransformParams, seed = params.seed, strength?: number, rank = 1): TakeInfo {
  const lineage: Lineage = {
    operation: params.op,
    reference: { kind: 'file', id: '/home/me/Sounds/tone.wav', referenceId: 'ref-1', sha256: 'ab', seconds: 2 },
    params,
    seed,
    ...(strength !== undefined ? { strength } : {}),
  };
  return {
    id,
    jobId,
    rank,
    createdAt: '2026-01-01T10:00:00Z',
    seed,
    params,
    score: null,
    sampleRate: 16000,
    samples: 32000,
    durationS: 2,
    modelId: 'tiny',
    device: 'cpu',
    rating: 0,
    favourite: false,
    audioUrl: `/media/take/${id}`,
    peaks: [],
    lineage,
    tags: [],
    notes: '',
    loop: params.op === 'loop' ? { start: 0, end: 32000 } : null,
  };
}

/** A text-to-audio take. */
export function plainTake(id: string, jobId: string, rank = 1, createdAt = '2026-01-01T09:00:00Z'): TakeInfo {
  return {
    ...transformTake(id, jobId, PARAMS.continue),
    rank,
    createdAt,
    params: { prompt: 'glass', negativePrompt: '', seconds: 2, steps: 10, scheduler: 'dpmpp', guidance: 3.5, seed: 7, takes: 1 },
    seed: 7,
    lineage: null,
    loop: null,
  };
}
