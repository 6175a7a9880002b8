// Renders one take (or a region of it) into the bytes of an exported WAV:
//   slice → resample (libsamplerate, SRC_SINC_BEST_QUALITY) → high-pass (optional) → fades → normalise → measure → encode.
// Fades come after resampling so they are exact at the output rate (first and last sample 0)
// and also fade out the sinc ringing that the hard region edges cause in the resampler. A whole
// loop take is the exception: resampled as a loop and never faded, so its loop wraps cleanly.
// What the file reached (loudness, peak, whether the ceiling held the gain) goes into its metadata.
import { InvalidRequestError } from '../../shared/errors.ts';
import type { RenderResult, RenderSettings } from '../../shared/library/recipe.ts';
import type { Normalize } from '../../shared/studio/studio-api.ts';
import { resampleBest } from '../audio/resample-best.ts';
import { encodeWav, type WavEncodeOptions } from '../audio/wav.ts';
import { highPass } from './high-pass.ts';
import { integratedLoudness } from './loudness.ts';

// Re-exported for the callers (and specs) that have always imported it from here.
export { resampleBest };

/** Fade length for dragged regions: long enough to remove the click of a hard cut, short enough to keep the transient. */
export const DRAG_FADE_MS = 5;
/** Loudness normalisation never lifts the sample peak above this (docs/ux-conventions.md §7: AudioCraft's −1 dBFS headroom). */
export const PEAK_CEILING_DBFS = -1;

export interface RenderedExport {
  /** The complete WAV file. */
  bytes: Uint8Array;
  sampleRate: number;
  /** Sample frames in the file. */
  frames: number;
  /** Normalisation gain that was applied (0 for `none` and for silence). */
  gainDb: number;
  /** Sample peak of the exported audio before quantisation; −Infinity for silence. */
  peakDbfs: number;
  /** BS.1770 integrated loudness of the exported audio; −Infinity for silence. */
  lufs: number;
  /** True when a loudness target was not reached because the gain was held at PEAK_CEILING_DBFS. */
  limited: boolean;
  /** Samples beyond ±1.0 that 16/24-bit PCM had to clip (only with `normalize: none`); 0 for float32. */
  clippedSamples: number;
  /** The same measurements as the file's metadata records them (rounded to 0.001 dB, null for silence). */
  result: RenderResult;
}

/** Levels are recorded to a thousandth of a dB: enough for anyone, and the same text on every run. */
const round3 = (n: number): number => Math.round(n * 1000) / 1000;

/** What was rendered: its length at the export rate, where it starts in the take (take-rate frames), and what it reached. */
export interface RenderedSpan {
  frames: number;
  startFrame: number;
  result: RenderResult;
}

/** How to render: the export settings, and whether the take is a loop to keep seamless. */
export type RenderOptions = RenderSettings & {
  /**
   * A whole loop take: resampled as one period of a repeating signal (so the wrap is as smooth at
   * the export rate as at the take's) and never faded, whatever fadeInMs/fadeOutMs say: a fade on
   * a loop is a click on every wrap. Callers record fades of 0 in the rendering (export-metadata).
   */
  loop?: boolean;
};

/** Each side of a loop gets this much of the loop's other end before resampling (longer than the sinc filter's reach). */
const LOOP_PAD_S = 0.05;
const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/**
 * Resamples one period of a loop as the periodic signal it is: the loop is extended on both sides
 * with its own other end, resampled, and the middle cut out. The padding is a whole number of
 * frames at both rates, so the cut falls exactly on an output sample; the result is
 * round(n·to/from) frames long. (A plain resample sees silence beyond both ends, and its sinc
 * ringing makes the first and last samples disagree with the wrap.)
 */
export async function resampleLoop(x: Float32Array, fromRate: number, toRate: number): Promise<Float32Array> {
  if (fromRate === toRate || x.length === 0) return x.slice();
  const unit = fromRate / gcd(fromRate, toRate);
  const pad = unit * Math.ceil((LOOP_PAD_S * fromRate) / unit);
  const n = x.length;
  const extended = new Float32Array(n + 2 * pad);
  for (let i = 0; i < extended.length; i++) extended[i] = x[(((i - pad) % n) + n) % n];
  const y = await resampleBest(extended, fromRate, toRate);
  const start = (pad * toRate) / fromRate;
  return y.slice(start, start + Math.round((n * toRate) / fromRate));
}

/** Silence is anything this far below the span's peak. */
export const SILENCE_BELOW_PEAK_DB = -60;
/** Kept before the first sound (so its attack is whole) and after the last (its tail's last breath). */
const LEAD_MS = 5;
const TAIL_MS = 20;

/**
 * [start, end) of `samples` narrowed to where there is sound: from LEAD_MS before the first sample
 * above SILENCE_BELOW_PEAK_DB (relative to the span's peak) to TAIL_MS after the last. A silent
 * span is left as it is. Pure.
 */
export function soundBounds(samples: Float32Array, sampleRate: number, start: number, end: number): [number, number] {
  let peak = 0;
  for (let i = start; i < end; i++) peak = Math.max(peak, Math.abs(samples[i]));
  if (peak === 0) return [start, end];
  const floor = peak * 10 ** (SILENCE_BELOW_PEAK_DB / 20);
  let first = start;
  while (first < end && Math.abs(samples[first]) <= floor) first++;
  let last = end - 1;
  while (last > first && Math.abs(samples[last]) <= floor) last--;
  const lead = Math.round((LEAD_MS / 1000) * sampleRate);
  const tail = Math.round((TAIL_MS / 1000) * sampleRate);
  return [Math.max(start, first - lead), Math.min(end, last + 1 + tail)];
}

/** Region in seconds → [start, end) sample indices, clamped to the take. */
function regionFrames(length: number, sampleRate: number, region?: { start: number; end: number }): [number, number] {
  if (region === undefined) {
    if (length === 0) throw new InvalidRequestError('region', 'The take has no audio to export.', 'Generate the take again.');
    return [0, length];
  }
  if (!Number.isFinite(region.start) || !Number.isFinite(region.end)) {
    throw new InvalidRequestError('region', `The region must be two numbers of seconds, got ${region.start}–${region.end}.`);
  }
  const clamp = (s: number): number => Math.min(length, Math.max(0, Math.round(s * sampleRate)));
  const start = clamp(region.start);
  const end = clamp(region.end);
  if (end <= start) {
    const dur = (length / sampleRate).toFixed(2);
    throw new InvalidRequestError('region', `The region ${region.start}–${region.end} s holds no audio (the take is ${dur} s long).`, 'Drag across the waveform to select a region inside the take.');
  }
  return [start, end];
}

/**
 * Equal-power (quarter-sine) fades, SoX `fade q`: gain sin(π/2·i/N) over the first N samples and
 * its mirror over the last N, so the first and last samples are exactly 0. Chosen over linear
 * because half-way through it is at −3 dB instead of −6 dB: the short de-click fades of a drag
 * keep the level up to the edges and do not audibly dull the transient a region often starts on.
 */
function applyFades(x: Float32Array, fadeIn: number, fadeOut: number): void {
  for (let i = 0; i < fadeIn; i++) x[i] *= Math.sin((Math.PI / 2) * (i / fadeIn));
  for (let i = 0; i < fadeOut; i++) x[x.length - 1 - i] *= Math.sin((Math.PI / 2) * (i / fadeOut));
}

function fadeFrames(ms: number, rate: number, length: number, field: string): number {
  if (!Number.isFinite(ms) || ms < 0) throw new InvalidRequestError(field, `${field} must be 0 ms or more, got ${ms}.`);
  return Math.min(Math.floor(length / 2), Math.round((ms * rate) / 1000));
}

const toDb = (amplitude: number): number => 20 * Math.log10(amplitude);

function peakOf(x: Float32Array): number {
  let peak = 0;
  for (const v of x) peak = Math.max(peak, Math.abs(v));
  return peak;
}

/**
 * Gain for the chosen normalisation. Peak: the sample peak lands on `dbfs`. Loudness: target −
 * measured (BS.1770), but never so much that the sample peak passes PEAK_CEILING_DBFS ("never clip
 * silently"). Sample peak stands in for true peak: exports are mostly 16 kHz model output
 * upsampled to 44.1/48 kHz, so the content sits below a third of Nyquist and inter-sample peaks
 * are negligible.
 */
function normalisationGain(x: Float32Array, rate: number, normalize: Normalize): { gainDb: number; limited: boolean } {
  const peak = peakOf(x);
  if (normalize.kind === 'none' || peak === 0) return { gainDb: 0, limited: false };
  if (normalize.kind === 'peak') {
    if (!Number.isFinite(normalize.dbfs) || normalize.dbfs > 0) {
      throw new InvalidRequestError('normalize.dbfs', `The peak target must be 0 dBFS or lower, got ${normalize.dbfs}.`, 'Use −1 dBFS, the usual headroom.');
    }
    return { gainDb: normalize.dbfs - toDb(peak), limited: false };
  }
  if (!Number.isFinite(normalize.lufs) || normalize.lufs > 0) {
    throw new InvalidRequestError('normalize.lufs', `The loudness target must be 0 LUFS or lower, got ${normalize.lufs}.`, 'Use −14 LUFS (streaming) or −23 LUFS (broadcast).');
  }
  const measured = integratedLoudness([x], rate);
  if (measured === -Infinity) return { gainDb: 0, limited: false };
  const wanted = normalize.lufs - measured;
  const ceiling = PEAK_CEILING_DBFS - toDb(peak);
  return wanted > ceiling ? { gainDb: ceiling, limited: true } : { gainDb: wanted, limited: false };
}

/**
 * Renders a mono take (or `region`, in seconds, clamped to the take) as a WAV file per `options`.
 * Fades are clamped to half the rendered length each. Async only because libsamplerate-js loads
 * asynchronously; nothing else waits. Throws InvalidRequestError for an empty region or bad options.
 * `metadata` gives the chunks (and loop) to write, once the rendered span is known.
 */
export async function renderExport(
  samples: Float32Array,
  sampleRate: number,
  options: RenderOptions,
  region?: { start: number; end: number },
  metadata?: (rendered: RenderedSpan) => WavEncodeOptions,
): Promise<RenderedExport> {
  if (!Number.isInteger(sampleRate) || sampleRate <= 0) throw new RangeError(`renderExport: bad take sample rate ${sampleRate}`);
  const rate = options.sampleRate;
  if (!Number.isInteger(rate) || rate < 8000 || rate > 192_000) {
    throw new InvalidRequestError('sampleRate', `The export sample rate must be a whole number of Hz, got ${rate}.`, 'Choose 44.1 or 48 kHz.');
  }
  if (!['pcm16', 'pcm24', 'float32'].includes(options.format)) {
    throw new InvalidRequestError('format', `Unknown export format "${String(options.format)}".`, 'Choose 16-bit, 24-bit or 32-bit float.');
  }
  let [start, end] = regionFrames(samples.length, sampleRate, region);
  if (options.trimSilence) [start, end] = soundBounds(samples, sampleRate, start, end);
  const span = samples.subarray(start, end);
  const resampled = options.loop ? await resampleLoop(span, sampleRate, rate) : await resampleBest(span, sampleRate, rate);
  // Before the fades (so they still end on 0) and before normalisation (so the removed offset frees headroom).
  const audio = options.highPass ? highPass(resampled, rate, { periodic: options.loop === true }) : resampled;
  const fadeIn = fadeFrames(options.fadeInMs, rate, audio.length, 'fadeInMs');
  const fadeOut = fadeFrames(options.fadeOutMs, rate, audio.length, 'fadeOutMs');
  if (!options.loop) applyFades(audio, fadeIn, fadeOut);

  const { gainDb, limited } = normalisationGain(audio, rate, options.normalize);
  if (gainDb !== 0) {
    const g = 10 ** (gainDb / 20);
    for (let i = 0; i < audio.length; i++) audio[i] *= g;
  }
  let clippedSamples = 0;
  if (options.format !== 'float32') for (const v of audio) if (Math.abs(v) > 1) clippedSamples++;
  const peakDbfs = toDb(peakOf(audio));
  const lufs = integratedLoudness([audio], rate);
  const result: RenderResult = {
    lufs: Number.isFinite(lufs) ? round3(lufs) : null,
    peakDbfs: Number.isFinite(peakDbfs) ? round3(peakDbfs) : null,
    gainDb: round3(gainDb),
    limited,
    ceilingDbfs: PEAK_CEILING_DBFS,
  };
  return {
    bytes: encodeWav([audio], rate, options.format, metadata?.({ frames: audio.length, startFrame: start, result })),
    sampleRate: rate,
    frames: audio.length,
    gainDb,
    peakDbfs,
    lufs,
    limited,
    clippedSamples,
    result,
  };
}
