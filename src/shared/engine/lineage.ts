/**
 * Where an audio-to-audio result came from: the reference, the operation and its settings.
 * Recorded with every take (studio) and beside every CLI output (`<file>.json`), so the library
 * can draw the family tree and regenerate the take.
 */
import type { TransformOp, TransformParams } from './transform-params.ts';

export interface ReferenceSource {
  /** A file the user brought, or a take already in the studio. */
  kind: 'file' | 'take';
  /** Absolute path for files (the name alone for browser uploads); take id for takes. */
  id: string;
  /** The studio's reference record the job ran on, when it ran in the studio. */
  referenceId?: string;
  /** SHA-256 of the reference as the engine saw it (mono float32 at the model rate), hex. */
  sha256: string;
  seconds: number;
}

export interface Lineage {
  operation: TransformOp;
  reference: ReferenceSource;
  /** The request exactly as validated (seed of the first take, all strengths of a grid). */
  params: TransformParams;
  /** This take's own seed and, for a variation grid, its strength. */
  seed: number;
  strength?: number;
}

/**
 * Where new audio meets the reference, in seconds: the end of the reference for a continuation,
 * the region's edges for an inpaint. The waveform draws them, and the take's WAV carries them as cue markers.
 */
export function seamMarkers(lineage: Lineage | null): { at: number; label: string }[] {
  if (!lineage) return [];
  const params = lineage.params;
  if (params.op === 'continue') return [{ at: lineage.reference.seconds, label: 'seam' }];
  if (params.op === 'inpaint')
    return [
      { at: params.from, label: 'from' },
      { at: params.to, label: 'to' },
    ];
  return [];
}
