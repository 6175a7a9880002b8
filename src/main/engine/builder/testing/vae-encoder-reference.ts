/**
 * A plain float64 AutoencoderKL encoder (diffusers Encoder + quant_conv), written loop by loop from
 * the PyTorch definitions, to check the built vaeEncoder graph where the oracle has no golden. Slow
 * and simple on purpose: it shares no code with the builder.
 */
import { readFileSync } from 'node:fs';
import type { SafetensorsFile } from '../checkpoint/safetensors.ts';

/** A [C, H, W] image of one batch row. */
export interface Image {
  c: number;
  h: number;
  w: number;
  data: Float64Array;
}

/** Every float32 tensor of a safetensors file, widened to float64. */
export function readAllTensors(file: SafetensorsFile): Map<string, Float64Array> {
  const bytes = readFileSync(file.path);
  const out = new Map<string, Float64Array>();
  for (const t of file.tensors.values()) {
    if (t.dtype !== 'F32') throw new Error(`${t.name}: ${t.dtype}, the reference reads F32 only`);
    const view = new DataView(bytes.buffer, bytes.byteOffset + t.offset, t.length);
    const values = new Float64Array(t.length / 4);
    for (let i = 0; i < values.length; i++) values[i] = view.getFloat32(i * 4, true);
    out.set(t.name, values);
  }
  return out;
}

/** torch.nn.Conv2d with zero padding [top, left, bottom, right]; weight [out, in, k, k]. */
export function conv2d(x: Image, weight: Float64Array, bias: Float64Array, out: number, k: number, stride = 1, pads = [(k - 1) / 2, (k - 1) / 2, (k - 1) / 2, (k - 1) / 2]): Image {
  const [top, left, bottom, right] = pads;
  const h = Math.floor((x.h + top + bottom - k) / stride) + 1;
  const w = Math.floor((x.w + left + right - k) / stride) + 1;
  const data = new Float64Array(out * h * w);
  for (let o = 0; o < out; o++) {
    for (let i = 0; i < h; i++) {
      for (let j = 0; j < w; j++) {
        let sum = bias[o];
        for (let c = 0; c < x.c; c++) {
          for (let a = 0; a < k; a++) {
            const y = i * stride + a - top;
            if (y < 0 || y >= x.h) continue;
            for (let b = 0; b < k; b++) {
              const z = j * stride + b - left;
              if (z < 0 || z >= x.w) continue;
              sum += weight[((o * x.c + c) * k + a) * k + b] * x.data[(c * x.h + y) * x.w + z];
            }
          }
        }
        data[(o * h + i) * w + j] = sum;
      }
    }
  }
  return { c: out, h, w, data };
}

/** torch.nn.GroupNorm (biased variance, affine). */
export function groupNorm(x: Image, groups: number, eps: number, gamma: Float64Array, beta: Float64Array): Image {
  const per = (x.c / groups) * x.h * x.w;
  const plane = x.h * x.w;
  const data = new Float64Array(x.data.length);
  for (let gi = 0; gi < groups; gi++) {
    const start = gi * per;
    let mean = 0;
    for (let i = 0; i < per; i++) mean += x.data[start + i];
    mean /= per;
    let variance = 0;
    for (let i = 0; i < per; i++) variance += (x.data[start + i] - mean) ** 2;
    variance /= per;
    const inv = 1 / Math.sqrt(variance + eps);
    for (let i = 0; i < per; i++) {
      const c = Math.floor((start + i) / plane);
      data[start + i] = (x.data[start + i] - mean) * inv * gamma[c] + beta[c];
    }
  }
  return { ...x, data };
}

export function silu(x: Image): Image {
  return { ...x, data: x.data.map((v) => v / (1 + Math.exp(-v))) };
}

function add(a: Image, b: Image): Image {
  return { ...a, data: a.data.map((v, i) => v + b.data[i]) };
}

type Params = (name: string) => Float64Array;

function resnet(p: Params, prefix: string, x: Image, out: number, groups: number): Image {
  let h = silu(groupNorm(x, groups, 1e-6, p(`${prefix}.norm1.weight`), p(`${prefix}.norm1.bias`)));
  h = conv2d(h, p(`${prefix}.conv1.weight`), p(`${prefix}.conv1.bias`), out, 3);
  h = silu(groupNorm(h, groups, 1e-6, p(`${prefix}.norm2.weight`), p(`${prefix}.norm2.bias`)));
  h = conv2d(h, p(`${prefix}.conv2.weight`), p(`${prefix}.conv2.bias`), out, 3);
  const skip = x.c === out ? x : conv2d(x, p(`${prefix}.conv_shortcut.weight`), p(`${prefix}.conv_shortcut.bias`), out, 1);
  return add(skip, h);
}

/** Single-head self-attention over the H·W positions, softmax(QKᵀ/√C)V, to_out, residual. */
function attention(p: Params, prefix: string, x: Image, groups: number): Image {
  const n = x.h * x.w;
  const C = x.c;
  const normed = groupNorm(x, groups, 1e-6, p(`${prefix}.group_norm.weight`), p(`${prefix}.group_norm.bias`));
  // tokens[s][c] = normed[c][s]
  const project = (name: string, input: (s: number, c: number) => number): Float64Array => {
    const weight = p(`${prefix}.${name}.weight`);
    const bias = p(`${prefix}.${name}.bias`);
    const out = new Float64Array(n * C);
    for (let s = 0; s < n; s++) {
      for (let o = 0; o < C; o++) {
        let sum = bias[o];
        for (let c = 0; c < C; c++) sum += weight[o * C + c] * input(s, c);
        out[s * C + o] = sum;
      }
    }
    return out;
  };
  const token = (s: number, c: number) => normed.data[c * n + s];
  const q = project('to_q', token);
  const k = project('to_k', token);
  const v = project('to_v', token);
  const attended = new Float64Array(n * C);
  const scores = new Float64Array(n);
  for (let s = 0; s < n; s++) {
    let max = -Infinity;
    for (let t = 0; t < n; t++) {
      let dot = 0;
      for (let c = 0; c < C; c++) dot += q[s * C + c] * k[t * C + c];
      scores[t] = dot / Math.sqrt(C);
      max = Math.max(max, scores[t]);
    }
    let total = 0;
    for (let t = 0; t < n; t++) total += scores[t] = Math.exp(scores[t] - max);
    for (let t = 0; t < n; t++) {
      const weight = scores[t] / total;
      for (let c = 0; c < C; c++) attended[s * C + c] += weight * v[t * C + c];
    }
  }
  const out = project('to_out.0', (s, c) => attended[s * C + c]);
  const data = new Float64Array(x.data.length);
  for (let c = 0; c < C; c++) for (let s = 0; s < n; s++) data[c * n + s] = out[s * C + c] + x.data[c * n + s];
  return { ...x, data };
}

export interface EncoderShape {
  blockOut: number[];
  layersPerBlock: number;
  latentChannels: number;
  groups: number;
}

/** AutoencoderKL._encode on one mel image [1, T, F] → moments [2·latent, T/4, F/4] (three blocks). */
export function referenceVaeEncoder(tensors: Map<string, Float64Array>, shape: EncoderShape, mel: Image): Image {
  const p: Params = (name) => {
    const t = tensors.get(name);
    if (!t) throw new Error(`reference: no tensor ${name}`);
    return t;
  };
  const e = (name: string) => p(`encoder.${name}`);
  let h = conv2d(mel, e('conv_in.weight'), e('conv_in.bias'), shape.blockOut[0], 3);
  shape.blockOut.forEach((out, i) => {
    for (let j = 0; j < shape.layersPerBlock; j++) h = resnet((n) => e(n), `down_blocks.${i}.resnets.${j}`, h, out, shape.groups);
    if (i < shape.blockOut.length - 1) {
      // Downsample2D(padding=0): F.pad(x, (0, 1, 0, 1)) then a stride-2 conv without padding.
      h = conv2d(h, e(`down_blocks.${i}.downsamplers.0.conv.weight`), e(`down_blocks.${i}.downsamplers.0.conv.bias`), out, 3, 2, [0, 0, 1, 1]);
    }
  });
  const width = shape.blockOut[shape.blockOut.length - 1];
  h = resnet((n) => e(n), 'mid_block.resnets.0', h, width, shape.groups);
  h = attention((n) => e(n), 'mid_block.attentions.0', h, shape.groups);
  h = resnet((n) => e(n), 'mid_block.resnets.1', h, width, shape.groups);
  h = silu(groupNorm(h, shape.groups, 1e-6, e('conv_norm_out.weight'), e('conv_norm_out.bias')));
  h = conv2d(h, e('conv_out.weight'), e('conv_out.bias'), 2 * shape.latentChannels, 3);
  return conv2d(h, p('quant_conv.weight'), p('quant_conv.bias'), 2 * shape.latentChannels, 1);
}
