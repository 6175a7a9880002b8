/**
 * The Swin-transformer pieces of CLAP's audio encoder (HTSAT; transformers v4.47
 * models/clap/modeling_clap.py, ClapAudioLayer / ClapAudioStage / ClapAudioPatchMerging, copied
 * there from models/swin/modeling_swin.py).
 *
 * The input is always 1001 × 64 and the image always spec_size², so every token grid is fixed:
 * the cyclic shift (torch.roll), the window partition and its reverse, and the patch merging's
 * strided split are all permutations of the token axis, computed here once and written as one
 * Gather each. The hidden state is kept in the order the current layer wants (its window order);
 * the next layer's Gather composes "undo this order" with "take mine", so a layer costs one
 * Gather instead of roll + partition + reverse + roll. The MLP, the norms and the residuals are
 * per token and do not care about the order; the final average pool does not either.
 */
import { int, ints, type Graph } from '../onnx/graph.ts';
import { gelu, geluTanh, layerNorm, linear, multiHeadAttention, relu, silu } from '../onnx/layers.ts';
import type { Weights } from '../onnx/weights.ts';

/** transformers' ACT2FN names the builder implements. */
export const ACTIVATIONS = ['gelu', 'relu', 'gelu_new', 'gelu_pytorch_tanh', 'silu'] as const;
export type Activation = (typeof ACTIVATIONS)[number];

export function activation(g: Graph, x: string, act: Activation): string {
  switch (act) {
    case 'gelu':
      return gelu(g, x);
    case 'gelu_new':
    case 'gelu_pytorch_tanh':
      return geluTanh(g, x);
    case 'relu':
      return relu(g, x);
    case 'silu':
      return silu(g, x);
  }
}

/** One ClapAudioLayer as it runs on its fixed grid (after set_shift_and_window_size). */
export interface SwinBlockPlan {
  /** Token grid height × width (rows are mel-bin chunks, columns time, as reshape_mel2img folds them). */
  height: number;
  width: number;
  window: number;
  /** 0, or window_size // 2 on odd blocks when the grid is larger than a window. */
  shift: number;
}

/**
 * Relative position index of SwinSelfAttention: for tokens i = (hi, wi) and j = (hj, wj) of a
 * window, (hi − hj + ws − 1)·(2·ws − 1) + (wi − wj + ws − 1), flattened [ws², ws²] row-major.
 * (transformers keeps it as the persistent buffer `relative_position_index`; it is recomputed here
 * rather than read, because it is a function of window_size alone.)
 */
export function relativePositionIndex(window: number): number[] {
  const n = window * window;
  const index = new Array<number>(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const dh = Math.floor(i / window) - Math.floor(j / window) + window - 1;
      const dw = (i % window) - (j % window) + window - 1;
      index[i * n + j] = dh * (2 * window - 1) + dw;
    }
  }
  return index;
}

/**
 * The window order of a layer: position p = (window, row in window, column in window), windows
 * row-major over the grid as window_partition lists them, holds the token of the natural
 * (row-major) grid that torch.roll(shifts = −shift) moved there: (r + shift) mod H, (c + shift) mod W.
 */
export function windowOrder(plan: SwinBlockPlan): number[] {
  const { height, width, window, shift } = plan;
  const windowsAcross = width / window;
  const order: number[] = [];
  for (let wr = 0; wr < height / window; wr++) {
    for (let wc = 0; wc < windowsAcross; wc++) {
      for (let i = 0; i < window; i++) {
        for (let j = 0; j < window; j++) {
          const r = (wr * window + i + shift) % height;
          const c = (wc * window + j + shift) % width;
          order.push(r * width + c);
        }
      }
    }
  }
  return order;
}

/**
 * ClapAudioLayer.get_attn_mask for a shifted layer, [windows, ws², ws²]: the rolled grid is cut
 * into 3 × 3 regions by the slices [0, H − ws), [H − ws, H − shift), [H − shift, H) (same for W);
 * two tokens of one window in different regions get −100 (not −∞: transformers adds −100.0, so
 * masked pairs keep a tiny weight and we keep it too), others 0.
 */
export function shiftedWindowMask(plan: SwinBlockPlan): number[] {
  const { height, width, window, shift } = plan;
  const region = (x: number, size: number) => (x < size - window ? 0 : x < size - shift ? 1 : 2);
  const n = window * window;
  const mask: number[] = [];
  for (let wr = 0; wr < height / window; wr++) {
    for (let wc = 0; wc < width / window; wc++) {
      const label = (t: number) => region(wr * window + Math.floor(t / window), height) * 3 + region(wc * window + (t % window), width);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) mask.push(label(i) === label(j) ? 0 : -100);
      }
    }
  }
  return mask;
}

/**
 * ClapAudioPatchMerging's split of an H × W grid, as token indices: output token (i, j) takes the
 * channels of x[2i, 2j], x[2i+1, 2j], x[2i, 2j+1], x[2i+1, 2j+1] in that order (torch.cat of the
 * 0::2/1::2 slices), so gathering these indices and reshaping to [B, HW/4, 4C] is the concat.
 */
export function mergeOrder(height: number, width: number): number[] {
  const order: number[] = [];
  for (let i = 0; i < height / 2; i++) {
    for (let j = 0; j < width / 2; j++) {
      for (const [a, b] of [
        [0, 0],
        [1, 0],
        [0, 1],
        [1, 1],
      ])
        order.push((2 * i + a) * width + 2 * j + b);
    }
  }
  return order;
}

/**
 * A token sequence [B, L, C] whose position p holds the natural-grid token `order[p]`;
 * `arrange` gathers it into another order with one Gather (none when it already is in it).
 */
export class TokenOrder {
  private order: number[];

  constructor(length: number) {
    this.order = Array.from({ length }, (_, i) => i);
  }

  arrange(g: Graph, x: string, target: readonly number[], name: string): string {
    const position = new Array<number>(this.order.length);
    this.order.forEach((token, p) => (position[token] = p));
    const index = target.map((token) => position[token]);
    this.order = [...target];
    if (index.every((p, i) => p === i)) return x;
    return g.op('Gather', [x, g.constInt(index)], { axis: int(1) }, { name });
  }

  /** After a patch merging the sequence is the new grid in natural order. */
  reset(length: number): void {
    this.order = Array.from({ length }, (_, i) => i);
  }
}

export interface BlockDims {
  dim: number;
  heads: number;
  mlpHidden: number;
  qkvBias: boolean;
  hiddenAct: Activation;
  eps: number;
}

/**
 * The attention bias of a layer, [1 or B·windows, heads, ws², ws²]: the relative position bias
 * (table[index] → [heads, N, N]) plus, for a shifted layer, the per-window mask repeated for each
 * batch item (windows are batch-major, as window_partition lays them out). `batch` is [1] int64.
 */
function attentionBias(g: Graph, w: Weights, prefix: string, plan: SwinBlockPlan, heads: number, batch: string): string {
  const n = plan.window * plan.window;
  const tableRows = (2 * plan.window - 1) ** 2;
  // torch.nn.Parameter(zeros) in transformers, trained in real checkpoints; a random checkpoint gets small noise.
  const table = w.load(g, `${prefix}.relative_position_bias_table`, [tableRows, heads], 'embedding');
  const gathered = g.op('Gather', [table, g.constInt(relativePositionIndex(plan.window))], { axis: int(0) }, { name: `${prefix}.rel_bias` });
  const perHead = g.op('Transpose', [g.op('Reshape', [gathered, g.constInt([n, n, heads])])], { perm: ints([2, 0, 1]) });
  const bias = g.op('Reshape', [perHead, g.constInt([1, heads, n, n])], {}, { name: `${prefix}.bias` });
  if (plan.shift === 0) return bias;
  const windows = (plan.height / plan.window) * (plan.width / plan.window);
  const mask = g.constFloat(shiftedWindowMask(plan), [windows, 1, n, n]);
  const perWindow = g.op('Add', [bias, mask], {}, { name: `${prefix}.bias_masked` });
  return g.op('Tile', [perWindow, g.op('Concat', [batch, g.constInt([1, 1, 1])], { axis: int(0) })], {}, { name: `${prefix}.bias_tiled` });
}

/**
 * One ClapAudioLayer on a sequence already in this layer's window order: pre-norm windowed
 * self-attention (+ relative position bias, + shift mask) with a residual, then the pre-norm MLP
 * with a residual. ClapAudioSelfOutput adds no residual itself; ClapAudioLayer does.
 */
export function swinBlock(g: Graph, w: Weights, prefix: string, x: string, plan: SwinBlockPlan, d: BlockDims, batch: string): string {
  const n = plan.window * plan.window;
  const tokens = plan.height * plan.width;
  const normed = layerNorm(g, w, `${prefix}.layernorm_before`, x, d.eps, d.dim);
  const windows = g.op('Reshape', [normed, g.constInt([-1, n, d.dim])], {}, { name: `${prefix}.windows` });
  const proj = (name: string) => linear(g, w, `${prefix}.attention.self.${name}`, windows, { in: d.dim, out: d.dim, bias: d.qkvBias });
  const attended = multiHeadAttention(g, proj('query'), proj('key'), proj('value'), d.heads, {
    bias: attentionBias(g, w, `${prefix}.attention.self`, plan, d.heads, batch),
    name: `${prefix}.attention`,
  });
  const merged = g.op('Reshape', [attended, g.constInt([-1, tokens, d.dim])], {}, { name: `${prefix}.unwindowed` });
  const out = linear(g, w, `${prefix}.attention.output.dense`, merged, { in: d.dim, out: d.dim });
  const h = g.op('Add', [x, out], {}, { name: `${prefix}.residual1` });
  const m = layerNorm(g, w, `${prefix}.layernorm_after`, h, d.eps, d.dim);
  const up = activation(g, linear(g, w, `${prefix}.intermediate.dense`, m, { in: d.dim, out: d.mlpHidden }), d.hiddenAct);
  const down = linear(g, w, `${prefix}.output.dense`, up, { in: d.mlpHidden, out: d.dim });
  return g.op('Add', [h, down], {}, { name: `${prefix}.residual2` });
}

/**
 * ClapAudioPatchMerging on a sequence already gathered into `mergeOrder`: [B, HW, C] →
 * [B, HW/4, 4C] → LayerNorm(4C) (torch's default eps 1e-5: the module is built with
 * nn.LayerNorm, not config.layer_norm_eps) → Linear(4C → 2C, no bias).
 */
export function patchMerging(g: Graph, w: Weights, prefix: string, x: string, tokens: number, dim: number): string {
  const grouped = g.op('Reshape', [x, g.constInt([-1, tokens / 4, 4 * dim])], {}, { name: `${prefix}.grouped` });
  const normed = layerNorm(g, w, `${prefix}.norm`, grouped, 1e-5, 4 * dim);
  return linear(g, w, `${prefix}.reduction`, normed, { in: 4 * dim, out: 2 * dim, bias: false });
}
