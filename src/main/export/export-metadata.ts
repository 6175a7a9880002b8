/**
 * What an exported or dragged-out WAV carries: the take's recipe plus how the file was rendered
 * from it (bext, iXML, LIST/INFO), and the loop points of a whole loop take at the new rate. So a
 * file that went into a DAW can be dropped back on the studio, or regenerated, like the take.
 */
import type { WavEncodeOptions } from '../audio/wav.ts';
import type { Recipe, Rendering, RenderSettings } from '../../shared/library/recipe.ts';
import { recipeChunks } from '../library/wav-metadata.ts';

export function renderingOf(takeId: string, options: RenderSettings, region?: { start: number; end: number }): Rendering {
  const { format, sampleRate, normalize, fadeInMs, fadeOutMs } = options;
  return { takeId, format, sampleRate, normalize, fadeInMs, fadeOutMs, ...(region ? { region: { start: region.start, end: region.end } } : {}) };
}

/** The encode options for an export of `recipe`'s take rendered as `rendering`, given its length in frames. */
export function exportMetadata(recipe: Recipe, rendering: Rendering, tags: string[] = []): (frames: number) => WavEncodeOptions {
  const exported: Recipe = { ...recipe, rendering };
  const chunks = recipeChunks(exported, { takeId: rendering.takeId, tags });
  // A region cuts the loop open; the whole loop take is still a loop at any rate.
  return (frames) => ({ chunks, ...(recipe.loop && !rendering.region && frames > 0 ? { loop: { start: 0, end: frames - 1 } } : {}) });
}
