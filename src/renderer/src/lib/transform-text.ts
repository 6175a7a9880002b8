/** How an audio-to-audio job or take is worded in the queue, on cards and in lineage lines; pure. */
import type { Lineage, ReferenceSource } from '../../../shared/engine/lineage.ts';
import type { TransformParams } from '../../../shared/engine/transform-params.ts';
import { isTransformParams, type JobParams } from '../../../shared/studio/studio-api.ts';

/** `5`, `1.5`, `0.25`: a setting as the user typed it, not `5.00`. */
export function trimNumber(value: number, decimals = 2): string {
  const scale = 10 ** decimals;
  return String(Math.round(value * scale) / scale);
}

function span(from: number, to: number): string {
  return `${from.toFixed(1)}–${to.toFixed(1)} s`;
}

/** The operation in a few words ("continue +5 s", "vary 0.5", "inpaint 1.0–2.0 s", "make loop"); null for text-to-audio. */
export function describeOp(params: JobParams): string | null {
  if (!isTransformParams(params)) return null;
  switch (params.op) {
    case 'continue':
      return `continue +${trimNumber(params.seconds)} s`;
    case 'vary':
      return params.strengths.length === 1 ? `vary ${trimNumber(params.strengths[0])}` : `vary ${params.strengths.map((s) => trimNumber(s)).join('/')} × ${params.takes}`;
    case 'inpaint':
      return `inpaint ${span(params.from, params.to)}`;
    case 'loop':
      return 'make loop';
  }
}

/**
 * The operation as one take of it was made: a variation grid's take says its own strength
 * ("vary 0.5"), not the whole grid's ("vary 0.25/0.5/0.75 × 3"); everything else as describeOp.
 */
export function describeTakeOp(take: { params: JobParams; lineage: Lineage | null }): string | null {
  const { params } = take;
  if (isTransformParams(params) && params.op === 'vary') {
    const strength = strengthOf(params, take.lineage);
    if (strength !== null) return `vary ${trimNumber(strength)}`;
  }
  return describeOp(params);
}

/** The strength a vary take was made with (its grid cell's, or the job's only one). */
export function strengthOf(params: TransformParams, lineage: Lineage | null): number | null {
  if (lineage?.strength !== undefined) return lineage.strength;
  return params.op === 'vary' && params.strengths.length === 1 ? params.strengths[0] : null;
}

export interface LineageText {
  /** Before the reference's name: "continued from". */
  verb: string;
  /** After it, joined with " · ": "+5 s", "seed 12". */
  details: string[];
}

/** "continued from ‹name› · +5 s · seed 12", in parts so the name can be a link. */
export function lineageText(lineage: Lineage): LineageText {
  const params = lineage.params;
  const seed = `seed ${lineage.seed}`;
  switch (params.op) {
    case 'continue':
      return { verb: 'continued from', details: [`+${trimNumber(params.seconds)} s`, seed] };
    case 'vary': {
      const strength = strengthOf(params, lineage);
      return { verb: 'varied from', details: [...(strength === null ? [] : [`strength ${trimNumber(strength)}`]), seed] };
    }
    case 'inpaint':
      return { verb: 'region regenerated in', details: [span(params.from, params.to), seed] };
    case 'loop':
      return { verb: 'looped from', details: [`seam ${trimNumber(params.seamSeconds)} s`, seed] };
  }
}

/** A name for a reference the studio no longer lists: the file's base name, or "a take". */
export function fallbackReferenceName(source: ReferenceSource): string {
  if (source.kind === 'take') return 'a take';
  return source.id.split(/[\\/]/).filter(Boolean).pop() ?? source.id;
}
