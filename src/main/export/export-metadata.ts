/**
 * What an exported or dragged-out WAV carries: the take's recipe plus how the file was rendered
 * from it and what that reached (bext, iXML, LIST/INFO), and the loop points of a whole loop take
 * at the new rate. So a file that went into a DAW can be dropped back on the studio, or
 * regenerated, like the take.
 */
import type { WavEncodeOptions } from '../audio/wav.ts';
import type { Recipe, Rendering, RenderSettings } from '../../shared/library/recipe.ts';
import { cueChunks, type CueMarker } from '../audio/wav-cues.ts';
import { recipeChunks, takeCueMarkers } from '../library/wav-metadata.ts';
import type { RenderedSpan } from './render-export.ts';

/**
 * The rendering of an export of `takeId`. A whole loop take (`loop`: the take has loop points,
 * and neither a region nor trimmed silence cuts the loop open) is rendered as a loop: no fades,
 * whatever the settings say, because a fade on a loop is a click on every wrap.
 */
export function renderingOf(takeId: string, options: RenderSettings, region?: { start: number; end: number }, loop = false): Rendering {
  const { format, sampleRate, normalize, fadeInMs, fadeOutMs, trimSilence, highPass } = options;
  const seamless = loop && !region && !trimSilence;
  return {
    takeId,
    format,
    sampleRate,
    normalize,
    fadeInMs: seamless ? 0 : fadeInMs,
    fadeOutMs: seamless ? 0 : fadeOutMs,
    ...(trimSilence ? { trimSilence: true } : {}),
    ...(highPass ? { highPass: true } : {}),
    ...(region ? { region: { start: region.start, end: region.end } } : {}),
    ...(seamless ? { loop: true } : {}),
  };
}

/**
 * The encode options for an export of `recipe`'s take rendered as `rendering`, given what was
 * rendered: its length in frames and what it reached (written into the recipe's rendering, so
 * bext, iXML and INFO say the loudness and peak the file has, not only the target).
 */
export function exportMetadata(recipe: Recipe, rendering: Rendering, tags: string[] = []): (span: RenderedSpan) => WavEncodeOptions {
  // A region (or trimmed silence) cuts the loop open; the whole loop take is still a loop at any rate.
  const whole = !rendering.region && !rendering.trimSilence;
  const { result: _recorded, ...settings } = rendering;
  return (span) => {
    const exported: Recipe = { ...recipe, rendering: { ...settings, result: span.result } };
    return {
      chunks: [...recipeChunks(exported, { takeId: rendering.takeId, tags }), ...cueChunks(exportedMarkers(takeCueMarkers(recipe), recipe.sampleRate, rendering.sampleRate, span))],
      ...(recipe.loop && whole && span.frames > 0 ? { loop: { start: 0, end: span.frames - 1 } } : {}),
    };
  };
}

/** A take's markers where they fall in its export: moved to where the export starts, scaled to its rate; those outside dropped. */
export function exportedMarkers(markers: readonly CueMarker[], takeRate: number, exportRate: number, span: Pick<RenderedSpan, 'frames' | 'startFrame'>): CueMarker[] {
  const ratio = exportRate / takeRate;
  return markers.map((m) => ({ frame: Math.round((m.frame - span.startFrame) * ratio), label: m.label })).filter((m) => m.frame >= 0 && m.frame <= span.frames);
}
