/**
 * The front of ClapAudioEncoder.forward (transformers v4.47 models/clap/modeling_clap.py): the
 * mel-bin BatchNorm and reshape_mel2img, which turns the [B, 1, 1001, 64] log-mel spectrogram into
 * the [B, 1, spec_size, spec_size] image the patch embedding reads.
 */
import { int, ints, type Graph } from '../onnx/graph.ts';
import type { Weights } from '../onnx/weights.ts';

/** BatchNorm2d's default eps (ClapAudioEncoder builds it without one). */
const BATCH_NORM_EPS = 1e-5;

/**
 * Eval-mode BatchNorm2d over the mel bins (the encoder transposes [B, 1, T, F] to [B, F, T, 1],
 * normalises channels, transposes back): x·α + β per bin, α = weight / √(running_var + eps),
 * β = bias − running_mean·α — PyTorch's own inference form. `num_batches_tracked` is not read.
 */
export function melBatchNorm(g: Graph, w: Weights, x: string, bins: number): string {
  const p = 'batch_norm';
  const mean = w.load(g, `${p}.running_mean`, [bins], 'zeros');
  const variance = w.load(g, `${p}.running_var`, [bins], 'ones');
  const std = g.op('Sqrt', [g.op('Add', [variance, g.constFloat(BATCH_NORM_EPS)])]);
  const alpha = g.op('Div', [w.load(g, `${p}.weight`, [bins], 'ones'), std], {}, { name: `${p}.alpha` });
  const beta = g.op('Sub', [w.load(g, `${p}.bias`, [bins], 'zeros'), g.op('Mul', [mean, alpha])], {}, { name: `${p}.beta` });
  return g.op('Add', [g.op('Mul', [x, alpha]), beta], {}, { name: p });
}

/**
 * PyTorch's bicubic taps for one axis with align_corners=True (aten/src/ATen/native/UpSample.h:
 * area_pixel_compute_scale / area_pixel_compute_source_index, get_cubic_upsample_coefficients with
 * A = −0.75, source indices clamped to the edges), with the roundings of the PyTorch that made the
 * goldens (1.13, float tensors): the scale (in − 1)/(out − 1) is a float32, the source position
 * scale·o is not rounded again, and the weights are stored as float32. Found by fitting PyTorch's
 * own output: with these taps the interpolated spectrogram matches F.interpolate to 4e-5 dB at
 * most (float32 sums of values up to 100), where ONNX Resize (cubic, a = −0.75, "align_corners")
 * — the same formula with its own source-position rounding — is off by up to 1.9e-3 dB around
 * frame 900 (t moves by ~2e-5 where the spectrogram steps by 60 dB a frame). So the taps are
 * computed here and applied with a Gather. Returns, per output row, 4 source rows and their weights.
 */
export function bicubicTaps(inSize: number, outSize: number): { index: number[]; weight: number[] } {
  const A = -0.75;
  // cubic_convolution1 (|x| ≤ 1) and cubic_convolution2 (1 < |x| < 2).
  const near = (x: number) => ((A + 2) * x - (A + 3)) * x * x + 1;
  const far = (x: number) => ((A * x - 5 * A) * x + 8 * A) * x - 4 * A;
  const scale = outSize > 1 ? Math.fround((inSize - 1) / (outSize - 1)) : 0;
  const index: number[] = [];
  const weight: number[] = [];
  for (let o = 0; o < outSize; o++) {
    const real = scale * o;
    const base = Math.floor(real);
    const t = real - base;
    weight.push(...[far(t + 1), near(t), near(1 - t), far(2 - t)].map(Math.fround));
    for (let k = 0; k < 4; k++) index.push(Math.min(Math.max(base - 1 + k, 0), inSize - 1));
  }
  return { index, weight };
}

export interface Mel2ImgDims {
  frames: number;
  melBins: number;
  specSize: number;
  /** spec_size // num_mel_bins. */
  freqRatio: number;
  /** spec_size · freq_ratio. */
  specWidth: number;
}

/**
 * reshape_mel2img on [B, 1, T, F] (F = spec_size / freq_ratio, checked by the config reader, so the
 * frequency axis is never interpolated): the time axis interpolated to spec_width (bicubic,
 * align_corners=True) when shorter, then cut into freq_ratio chunks stacked along frequency —
 * [B, ratio, spec_size, F] → [B, ratio, F, spec_size] → [B, 1, ratio·F, spec_size] — so image
 * row = chunk·F + bin, column = frame within the chunk.
 */
export function melToImage(g: Graph, x: string, d: Mel2ImgDims): string {
  let spec = x;
  if (d.frames < d.specWidth) {
    const { index, weight } = bicubicTaps(d.frames, d.specWidth);
    const taps = g.op('Gather', [x, g.constInt(index)], { axis: int(2) }, { name: 'mel2img.taps' });
    const grouped = g.op('Reshape', [taps, g.constInt([0, 0, d.specWidth, 4, d.melBins])]);
    const weighted = g.op('Mul', [grouped, g.constFloat(weight, [d.specWidth, 4, 1])]);
    spec = g.op('ReduceSum', [weighted, g.constInt([3])], { keepdims: int(0) }, { name: 'mel2img.interpolate' });
  }
  const chunks = g.op('Reshape', [spec, g.constInt([-1, d.freqRatio, d.specSize, d.melBins])], {}, { name: 'mel2img.chunks' });
  const stacked = g.op('Transpose', [chunks], { perm: ints([0, 1, 3, 2]) }, { name: 'mel2img.transpose' });
  return g.op('Reshape', [stacked, g.constInt([-1, 1, d.specSize, d.specSize])], {}, { name: 'mel2img' });
}
