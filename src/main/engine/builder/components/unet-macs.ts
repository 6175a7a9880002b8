/**
 * Multiply-accumulates of one UNet evaluation per batch row, counted from the config the graph is built
 * from: every conv (Cout·Cin·k²·output pixels), every Linear (in·out·tokens, 1×1 proj_in/proj_out
 * included) and the attention products (Q·Kᵀ and P·V: 2·S·L·inner each attention). Norms, softmax,
 * activations and the time-embedding MLP are left out (under 1% of the work). Benchmarks divide a
 * measured step by this to see how close the graph runs to the CPU's GEMM rate.
 */
import type { AttnContext, CrossAttnDims, UnetDims } from './unet-config.ts';

export interface UnetShape {
  /** Latent frames and mel bins / 4 (the sample's last two axes). */
  frames: number;
  freq: number;
  loaLen: number;
  t5Len: number;
}

export interface UnetMacs {
  conv: number;
  linear: number;
  attention: number;
  total: number;
}

export function unetMacs(dims: UnetDims, shape: UnetShape): UnetMacs {
  const macs = { conv: 0, linear: 0, attention: 0 };
  const conv = (out: number, inC: number, k: number, pixels: number) => {
    macs.conv += out * inC * k * k * pixels;
  };
  const linear = (inDim: number, out: number, tokens: number) => {
    macs.linear += inDim * out * tokens;
  };
  const resnet = (inC: number, out: number, pixels: number) => {
    conv(out, inC, 3, pixels);
    conv(out, out, 3, pixels);
    if (inC !== out) conv(out, inC, 1, pixels);
  };
  const contextOf = (context: AttnContext, pixels: number, inner: number) =>
    context === 'self' ? { len: pixels, dim: inner } : context === 'loa' ? { len: shape.loaLen, dim: dims.loaDim } : { len: shape.t5Len, dim: dims.t5Dim };
  const attentionLayer = (channels: number, a: CrossAttnDims, pixels: number) => {
    const d = a.innerDim;
    for (const context of a.contexts) {
      linear(channels, d, pixels); // proj_in
      linear(d, channels, pixels); // proj_out
      const kv = contextOf(context, pixels, d);
      for (let t = 0; t < a.transformerLayers; t++) {
        linear(d, 3 * d, pixels); // attn1 q, k, v
        linear(d, d, pixels); // attn1 out
        macs.attention += 2 * pixels * pixels * d;
        linear(d, 2 * d, pixels); // attn2 q, out
        linear(kv.dim, 2 * d, kv.len); // attn2 k, v
        macs.attention += 2 * pixels * kv.len * d;
        linear(d, 8 * d, pixels); // GEGLU proj
        linear(4 * d, d, pixels); // ff.net.2
      }
    }
  };
  // Pixels per level: each stride-2 conv (padding 1, kernel 3) gives ceil(n / 2).
  const pixels = [shape.frames * shape.freq];
  for (let i = 1, [h, w] = [shape.frames, shape.freq]; i < dims.down.length; i++) {
    [h, w] = [Math.ceil(h / 2), Math.ceil(w / 2)];
    pixels.push(h * w);
  }
  const c0 = dims.down[0].inChannels;
  conv(c0, dims.inChannels, dims.convInKernel, pixels[0]);
  dims.down.forEach((b, level) => {
    for (let j = 0; j < b.resnets; j++) {
      resnet(j === 0 ? b.inChannels : b.outChannels, b.outChannels, pixels[level]);
      if (b.attention) attentionLayer(b.outChannels, b.attention, pixels[level]);
    }
    if (b.resample) conv(b.outChannels, b.outChannels, 3, pixels[level + 1]);
  });
  const bottom = pixels[pixels.length - 1];
  resnet(dims.mid.channels, dims.mid.channels, bottom);
  attentionLayer(dims.mid.channels, dims.mid.attention, bottom);
  resnet(dims.mid.channels, dims.mid.channels, bottom);
  dims.up.forEach((b, i) => {
    const level = dims.up.length - 1 - i;
    for (let j = 0; j < b.resnets; j++) {
      const skip = j === b.resnets - 1 ? b.inChannels : b.outChannels;
      resnet((j === 0 ? b.prevChannels : b.outChannels) + skip, b.outChannels, pixels[level]);
      if (b.attention) attentionLayer(b.outChannels, b.attention, pixels[level]);
    }
    if (b.resample) conv(b.outChannels, b.outChannels, 3, pixels[level - 1]);
  });
  conv(dims.outChannels, c0, dims.convOutKernel, pixels[0]);
  return { ...macs, total: macs.conv + macs.linear + macs.attention };
}
