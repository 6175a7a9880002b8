// Band-limited sample-rate conversion with libsamplerate (a maintained C library), for the paths
// where quality matters more than speed: exports and imported reference clips. The engine's
// preview path keeps its own polyphase resampler (resample.ts), whose length rule this matches.
import * as libsamplerateModule from '@alexanderolsen/libsamplerate-js';
import { resampledLength } from './resample.ts';

type LibSampleRate = typeof libsamplerateModule;
// The package is a webpack UMD bundle: Node's ESM loader cannot see its named exports and hands
// over module.exports as `default`, while a bundler honouring its __esModule flag gives named ones.
const LibSampleRate: LibSampleRate = (libsamplerateModule as LibSampleRate & { default?: LibSampleRate }).default ?? libsamplerateModule;

// libsamplerate-wrapper.cpp (libsamplerate-js 2.1): the WASM side has fixed 1,008,000-float input
// and output buffers. Its `simple()` falls back to a chunked path above that size which never
// flushes the filter (and ignores a subarray's byteOffset), so we drive the streaming `full()` API
// ourselves in chunks that always fit.
const WASM_BUFFER_FLOATS = 1_008_000;
const MAX_CHUNK = 65_536;
/** libsamplerate's common.h: the largest conversion ratio either way. */
const SRC_MAX_RATIO = 256;

/** libsamplerate's sinc converters this app uses: best for exports (short), medium for references (up to 10 min). */
export type SincQuality = 'best' | 'medium';

export interface SincOptions {
  quality?: SincQuality;
  /** Called with the share of the input consumed so far (0..1), once per chunk. */
  onProgress?: (fraction: number) => void;
}

const CONVERTERS = {
  best: LibSampleRate.ConverterType.SRC_SINC_BEST_QUALITY,
  medium: LibSampleRate.ConverterType.SRC_SINC_MEDIUM_QUALITY,
} as const satisfies Record<SincQuality, unknown>;

/**
 * Band-limited resampling of one channel with libsamplerate's best sinc converter (Castro Lopo's
 * "Secret Rabbit Code"; api_misc.html: worst-case 97 dB SNR at 97 % bandwidth). Returns exactly resampledLength(n) = ⌈n·to/from⌉
 * samples, the same count as our own preview resampler. The converter is created per call, so
 * the output depends only on the input (bit-identical between runs). libsamplerate-js compiles
 * the C library to plain JavaScript (wasm2js), and only offers an async `create`, hence async.
 */
export function resampleBest(x: Float32Array, fromRate: number, toRate: number): Promise<Float32Array> {
  return resampleSinc(x, fromRate, toRate, { quality: 'best' });
}

/**
 * resampleBest at a chosen quality. SRC_SINC_MEDIUM_QUALITY keeps the stopband below −100 dB
 * (bench/audio-bench.ts, BENCHMARKS.md) at about 3× the speed of the best converter, which is
 * what lets a 10-minute reference import in seconds instead of a minute.
 */
export async function resampleSinc(x: Float32Array, fromRate: number, toRate: number, options: SincOptions = {}): Promise<Float32Array> {
  const { quality = 'best', onProgress } = options;
  if (fromRate === toRate) return x.slice();
  // libsamplerate refuses ratios beyond SRC_MAX_RATIO and then produces almost nothing; callers
  // check rates first (decode-audio.ts MIN_SAMPLE_RATE), so reaching this is a bug, said plainly.
  if (!(toRate / fromRate <= SRC_MAX_RATIO && fromRate / toRate <= SRC_MAX_RATIO)) {
    throw new RangeError(`resampleBest: ${fromRate} Hz to ${toRate} Hz is beyond libsamplerate's ${SRC_MAX_RATIO}× ratio`);
  }
  const target = resampledLength(x.length, fromRate, toRate);
  const out = new Float32Array(target);
  if (target === 0) return out;
  const src = await LibSampleRate.create(1, fromRate, toRate, { converterType: CONVERTERS[quality] });
  try {
    const ratio = toRate / fromRate;
    // Each call's output (≈ chunk·ratio plus what the filter held back) must fit the WASM buffer.
    const chunk = Math.max(1, Math.min(MAX_CHUNK, Math.floor(WASM_BUFFER_FLOATS / (2 * (ratio + 1)))));
    let written = 0;
    const keep = (y: Float32Array): void => {
      const k = Math.min(y.length, target - written);
      out.set(y.subarray(0, k), written);
      written += k;
    };
    for (let p = 0; p < x.length && written < target; p += chunk) {
      keep(src.full(x.subarray(p, p + chunk)));
      onProgress?.(Math.min(1, (p + chunk) / x.length));
    }
    // The sinc filter holds back about its half-length (≈ 143 input samples at best quality when
    // upsampling); feeding zeros past the end releases them, exactly as src_simple's end-of-input does.
    const zeros = new Float32Array(chunk);
    for (let fed = 0; written < target; fed += chunk) {
      if (fed > fromRate + chunk) throw new Error(`resampleBest: libsamplerate produced ${written} of ${target} samples`);
      keep(src.full(zeros));
    }
    return out;
  } finally {
    src.destroy();
  }
}
