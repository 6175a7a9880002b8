/**
 * What an exported or dragged-out WAV carries: the take's recipe plus how the file was rendered
 * from it (bext, iXML, LIST/INFO), and the loop points of a whole loop take at the new rate. So a
 * file that went into a DAW can be dropped back on the studio, or regenerated, like the take.
 */
import type { WavEncodeOptions } from '../audio/wav.ts';
import type { Recipe, Rendering, RenderSettings } from '../../shared/library/recipe.ts';
import { cueChunks, type CueMarker } from '../audio/wav-cues.ts';
import { recipeChunks, takeCueMarkers } from '../library/wav-metadata.ts';

export function renderingOf(takeId: string, options: RenderSettings, region?: { start: number; end: number }): Rendering {
  const { format, sampleRate, normalize, fadeInMs, fadeOutMs } = options;
  return { takeId, format, sampleRate, normalize, fadeInMs, fadeOutMs, ...(region ? { region: { start: region.start, end: region.end } } : {}) };
}

/** The encode options for an export of `recipe`'s take rendered as `rendering`, given its length in frames. */
export function exportMetadata(recipe: Recipe, rendering: Rendering, tags: string[] = []): (frames: number) => WavEncodeOptions {
  const exported: Recipe = { ...recipe, rendering };
  const chunks = recipeChunks(exported, { takeId: rendering.takeId, tags });
  // A region cuts the loop open; the whole loop take is still a loop at any rate.
  return (frames) => ({
    chunks: [...chunks, ...cueChunks(exportedMarkers(takeCueMarkers(recipe), recipe.sampleRate, rendering, frames))],
    ...(recipe.loop && !rendering.region && frames > 0 ? { loop: { start: 0, end: frames - 1 } } : {}),
  });
}

/** A take's markers where they fall in its export: moved to the region's start, scaled to the export rate; those outside dropped. */
export function exportedMarkers(markers: readonly CueMarker[], takeRate: number, rendering: Rendering, frames: number): CueMarker[] {
  const start = rendering.region ? Math.max(0, Math.round(rendering.region.start * takeRate)) : 0;
  const ratio = rendering.sampleRate / takeRate;
  return markers.map((m) => ({ frame: Math.round((m.frame - start) * ratio), label: m.label })).filter((m) => m.frame >= 0 && m.frame <= frames);
}
