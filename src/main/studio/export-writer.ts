/**
 * Writes one export (a whole take or a region) into the Exports folder. Rendering and naming belong
 * to src/main/export (the default `Exporter`); this file owns the file system side: read the take,
 * check the region, pick a name nobody uses yet, write atomically. An export is never overwritten:
 * a DAW may play the earlier file in place (docs/ux-conventions.md §3).
 */
import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidRequestError, LoaError } from '../../shared/errors.ts';
import type { RenderResult } from '../../shared/library/recipe.ts';
import type { ExportOptions, ExportReport, Settings, TakeInfo } from '../../shared/studio/studio-api.ts';
import { decodeWav, type WavEncodeOptions } from '../audio/wav.ts';
import { exportMetadata, renderingOf } from '../export/export-metadata.ts';
import { fileNameFor } from '../export/file-name.ts';
import { renderExport, type RenderedSpan, type RenderOptions } from '../export/render-export.ts';
import { resultText } from '../../shared/library/rendering-text.ts';
import { writeFileAtomic } from '../io/atomic-write.ts';
import { readRecipe } from '../library/wav-metadata.ts';

export type Region = { start: number; end: number };

/** Renders and names export files; injectable so a spec can substitute a plain one. */
export interface Exporter {
  /** `result`: what the export reached (the default exporter's measurements; a plain spec exporter may leave it out). */
  renderExport(
    samples: Float32Array,
    sampleRate: number,
    options: RenderOptions,
    region?: Region,
    metadata?: (span: RenderedSpan) => WavEncodeOptions,
  ): Promise<{ bytes: Uint8Array; result?: RenderResult }>;
  /** `index`: the take's 1-based position in the batch (`{index}`). */
  fileNameFor(template: string, take: TakeInfo, ucs: Settings['ucs'], index: number): string;
}

export const defaultExporter: Exporter = { renderExport, fileNameFor };

export interface ExportJob {
  take: TakeInfo;
  /** The take's WAV in the library. */
  source: string;
  exportsDir: string;
  options: ExportOptions;
  ucs: Settings['ucs'];
  /** 0-based position of the take in this export batch. */
  index: number;
  region?: Region;
}

export interface WrittenExport {
  path: string;
  fileName: string;
  bytes: number;
  /** What the export reached and how it was rendered, for the export dialog. */
  report?: ExportReport;
}

/** A UI selection may overshoot the end by rounding; more than this is a wrong region. */
const REGION_SLACK_S = 0.001;
/** How many `-2`, `-3`, … suffixes to try before giving up on a name. */
const MAX_SUFFIX = 999;

export async function writeExport(exporter: Exporter, job: ExportJob): Promise<WrittenExport> {
  const source = new Uint8Array(await readFile(job.source));
  const wav = decodeWav(source);
  const samples = wav.channels[0];
  const durationS = samples.length / wav.sampleRate;
  if (job.region && job.region.end > durationS + REGION_SLACK_S) {
    throw new InvalidRequestError('region', `The region ends at ${job.region.end} s but the take is ${durationS.toFixed(3)} s long.`, 'Select a region inside the take.');
  }
  // The take's recipe travels with the export (a take imported without one exports plain audio).
  const recipe = readRecipe(source);
  // A whole loop take stays a seamless loop: no fades (renderingOf), resampled as a loop.
  const rendering = renderingOf(job.take.id, job.options, job.region, recipe?.loop !== undefined);
  const metadata = recipe ? exportMetadata(recipe, rendering, job.take.tags) : undefined;
  const options: RenderOptions = { ...job.options, fadeInMs: rendering.fadeInMs, fadeOutMs: rendering.fadeOutMs, ...(rendering.loop ? { loop: true } : {}) };
  const { bytes, result } = await exporter.renderExport(samples, wav.sampleRate, options, job.region, metadata);
  const name = checkedName(exporter.fileNameFor(job.options.nameTemplate, job.take, job.ucs, job.index + 1));
  const { path, fileName } = await reserve(job.exportsDir, name);
  try {
    await writeFileAtomic(path, bytes);
  } catch (error) {
    await rm(path, { force: true });
    throw error;
  }
  return { path, fileName, bytes: bytes.length, ...(result ? { report: exportReport(result, rendering.loop === true, job.options) } : {}) };
}

/** The dialog's account of one export: the levels reached, whether the ceiling held the gain, and fades left off a loop. */
export function exportReport(result: RenderResult, loop: boolean, requested: ExportOptions): ExportReport {
  const fadesDropped = loop && (requested.fadeInMs > 0 || requested.fadeOutMs > 0);
  const text = [resultText(result), ...(loop ? [fadesDropped ? 'seamless loop: exported without fades' : 'seamless loop'] : [])].join('; ');
  return { ...result, loop, text };
}

/** The exporter cleans names; this is the last guard that the name stays one file in the Exports folder. */
function checkedName(name: string): string {
  const withExtension = /\.wav$/i.test(name) ? name : `${name}.wav`;
  if (!name || /[\\/:\u0000-\u001f]/.test(withExtension) || withExtension.startsWith('.') || withExtension.length > 255) {
    throw new LoaError('IO_FAILED', `The export file name "${name}" is not a plain file name.`, 'Change the file name template in the export options.');
  }
  return withExtension;
}

/**
 * Claims `name` (or `name-2`, `name-3`, …) by creating it exclusively, so two exports running at
 * once can't pick the same file. The empty placeholder is then replaced atomically.
 */
async function reserve(dir: string, name: string): Promise<{ path: string; fileName: string }> {
  await mkdir(dir, { recursive: true });
  const dot = name.length - 4;
  for (let n = 1; n <= MAX_SUFFIX; n++) {
    const fileName = n === 1 ? name : `${name.slice(0, dot)}-${n}${name.slice(dot)}`;
    const path = join(dir, fileName);
    try {
      await (await open(path, 'wx')).close();
      return { path, fileName };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  throw new LoaError('IO_FAILED', `There are already ${MAX_SUFFIX} exports named like ${name}.`, 'Tidy up the Exports folder or change the file name template.');
}
