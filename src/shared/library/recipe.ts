/**
 * Everything needed to make a take again, bit-identically on the same device: stored in the
 * library row, in the WAV's iXML chunk and in the `.json` sidecar beside it.
 */
import type { GenerateParams } from '../engine/generate-params.ts';
import type { Lineage } from '../engine/lineage.ts';
import type { TransformParams } from '../engine/transform-params.ts';
import type { ExportOptions } from '../studio/studio-api.ts';

export const RECIPE_FORMAT = 'loa-studio-recipe';
export const RECIPE_VERSION = 1;

export interface Recipe {
  format: typeof RECIPE_FORMAT;
  version: typeof RECIPE_VERSION;
  /** Text-to-audio, or audio-to-audio on a reference (then `lineage` says which). */
  kind: 'generate' | 'transform';
  /** The job's settings as validated (a generate job's seed is its first take's). */
  params: GenerateParams | TransformParams;
  /** This take's own seed: regenerating runs the job with this seed and one take. */
  seed: number;
  /** Variation grid: this take's strength. */
  strength?: number;
  lineage?: Lineage;
  model: {
    id: string;
    name: string;
    /** SHA-256 of the bundle's manifest.json, which pins every graph file's SHA-256. */
    bundleHash: string;
    /** Where a built bundle came from: the checkpoint's Hub repo and revision (null when built from a folder) and the builder version. */
    source?: ModelSource;
    /** The model's licence as its manifest states it (e.g. CC-BY-NC-SA-4.0 for AudioLDM 2): what the file may be used for. */
    license?: string;
  };
  /** Execution provider the take was made on (bit-identical only on the same one). */
  device: string;
  sampleRate: number;
  /** Length in sample frames. */
  samples: number;
  /** Loop takes: loop points in sample frames. */
  loop?: { start: number; end: number };
  createdAt: string;
  app: { name: 'LOA Studio'; version: string };
  /**
   * Exported and dragged-out files only: how this file was rendered from the take the rest of the
   * recipe makes (rendering is deterministic, so the file can be made again from the recipe too).
   */
  rendering?: Rendering;
}

/** An export's settings, less its file name. */
export type RenderSettings = Omit<ExportOptions, 'nameTemplate'>;

export interface Rendering extends RenderSettings {
  /** The library take the file was rendered from. */
  takeId: string;
  /** Seconds within the take; the whole take when absent. */
  region?: { start: number; end: number };
  /**
   * A whole loop take rendered as a loop: resampled as one period of a repeating signal and left
   * without fades (its fade settings read 0), so the file's `smpl` loop wraps without a click.
   */
  loop?: true;
  /** What the rendering reached, measured on the exported audio (absent in files written before it was recorded). */
  result?: RenderResult;
}

/** What an export reached, measured on the rendered audio before quantisation. */
export interface RenderResult {
  /** BS.1770 integrated loudness in LUFS; null for silence. */
  lufs: number | null;
  /** Sample peak in dBFS; null for silence. */
  peakDbfs: number | null;
  /** The normalisation gain applied, dB. */
  gainDb: number;
  /** A loudness target was not reached because the gain was held at the peak ceiling (ceilingDbfs). */
  limited: boolean;
  /** The peak ceiling of loudness normalisation, dBFS. */
  ceilingDbfs: number;
}

/** The checkpoint a bundle was built from, as its manifest records it. */
export interface ModelSource {
  repo: string | null;
  revision: string | null;
  builder: string;
}
