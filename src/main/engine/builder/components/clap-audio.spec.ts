import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONTRACT, contractProblems } from '../../bundle/contract.ts';
import { float32 } from '../../onnx/onnx-runtime.ts';
import { CheckpointError } from '../checkpoint/checkpoint-error.ts';
import { Checkpoint, type Config } from '../checkpoint/checkpoint.ts';
import { readSafetensors, type SafetensorsFile } from '../checkpoint/safetensors.ts';
import { Graph } from '../onnx/graph.ts';
import { WeightRecorder } from '../onnx/weights.ts';
import { FIXTURE_CHECKPOINT, goldenCase, goldenCaseNames, goldenStage, relativeL2 } from '../testing/golden.ts';
import { fixtureCheckpoint, fixtureGraph, openBuiltGraph } from '../testing/graph-harness.ts';
import { parameterCount, plannedCheckpoint, plannedFixture, publishedConfig } from '../testing/planned.ts';
import { mergeOrder, relativePositionIndex, shiftedWindowMask, windowOrder } from './clap-audio-blocks.ts';
import { buildClapAudio, CLAP_AUDIO_FRAMES, clapAudioDims, clapLogitScale, isClapAudioBuffer } from './clap-audio.ts';
import { bicubicTaps, melToImage } from './clap-audio-mel2img.ts';

const caseE = () => goldenCase(goldenCaseNames().find((n) => n.startsWith('e-'))!);
const ROW = 1001 * 64;

describe('CLAP audio graph vs diffusers (ClapModel.get_audio_features, case e ranking)', () => {
  const run = fixtureGraph(buildClapAudio);

  const embed = async (features: Float32Array, batch: number) => {
    const out = await run.session.run({ input_features: float32(features, [batch, 1, 1001, 64]) });
    expect(out.audio_embeds.dims).toEqual([batch, 32]);
    return out.audio_embeds.data as Float32Array;
  };

  it('satisfies models/contract.json', () => {
    expect(contractProblems('clapAudio', run.session, { clapDim: 32 })).toEqual([]);
    expect(run.session.outputs.map((o) => o.name)).toEqual(CONTRACT.components.clapAudio.outputs.map((o) => o.name));
  });

  it('score_input_features [2, 1, 1001, 64] → score_audio_embeds [2, 32]', async () => {
    const c = caseE();
    const features = goldenStage(c, 'score_input_features');
    expect(features.dims).toEqual([2, 1, 1001, 64]);
    const got = await embed(features.data as Float32Array, 2);
    // Measured 1.8e-7 (diffusers' own float32 vs float64: 2.4e-7; 5.4e-7 with ONNX Resize instead of the exact taps).
    expect(relativeL2(got, goldenStage(c, 'score_audio_embeds').data as Float32Array)).toBeLessThan(1e-5);
  });

  it('batch 1: each take alone gives its own row', async () => {
    const c = caseE();
    const features = goldenStage(c, 'score_input_features').data as Float32Array;
    const expected = goldenStage(c, 'score_audio_embeds').data as Float32Array;
    for (const row of [0, 1]) {
      const got = await embed(features.slice(row * ROW, (row + 1) * ROW), 1);
      expect(relativeL2(got, expected.subarray(row * 32, row * 32 + 32))).toBeLessThan(1e-5);
    }
  });

  it('logits_per_text = text_embeds · audio_embedsᵀ · exp(logit_scale_t), and the ranking diffusers returned', async () => {
    const c = caseE();
    const audio = await embed(goldenStage(c, 'score_input_features').data as Float32Array, 2);
    const text = goldenStage(c, 'score_text_embeds').data as Float32Array;
    const scale = clapLogitScale(await fixtureCheckpoint());
    const logits = [0, 1].map((j) => text.reduce((sum, t, k) => sum + t * audio[j * 32 + k], 0) * scale);
    const expected = goldenStage(c, 'score_logits_per_text').data as Float32Array;
    expect(relativeL2(logits, expected)).toBeLessThan(1e-5);
    const ranking = [0, 1].sort((a, b) => logits[b] - logits[a]);
    expect(ranking).toEqual([...(goldenStage(c, 'score_ranking').data as BigInt64Array)].map(Number));
    // The scale the file holds is the one diffusers used: logits / cosine with diffusers' own embeddings.
    const goldenAudio = goldenStage(c, 'score_audio_embeds').data as Float32Array;
    const cosine = text.reduce((sum, t, k) => sum + t * goldenAudio[k], 0);
    expect(scale).toBeCloseTo(expected[0] / cosine, 5);
  });
});

/**
 * PyTorch's upsample_bicubic2d with align_corners=True (aten/src/ATen/native/UpSample.h,
 * cubic_convolution1/2 with A = −0.75, indices clamped to the edges) on the time axis, written
 * plainly in float64 from the formula; the mel axis keeps its size, where align_corners makes
 * every weight 0 but the centre one.
 */
function bicubicTime64(x: Float32Array, rows: number, bins: number, outRows: number): Float64Array {
  const A = -0.75;
  const near = (t: number) => ((A + 2) * t - (A + 3)) * t * t + 1;
  const far = (t: number) => ((A * t - 5 * A) * t + 8 * A) * t - 4 * A;
  const out = new Float64Array(outRows * bins);
  for (let o = 0; o < outRows; o++) {
    const real = ((rows - 1) / (outRows - 1)) * o;
    const base = Math.floor(real);
    const t = real - base;
    const weights = [far(t + 1), near(t), near(1 - t), far(2 - t)];
    for (let k = 0; k < 4; k++) {
      const src = Math.min(Math.max(base - 1 + k, 0), rows - 1);
      for (let f = 0; f < bins; f++) out[o * bins + f] += weights[k] * x[src * bins + f];
    }
  }
  return out;
}

describe('reshape_mel2img in ONNX', () => {
  it("the taps are the cubic formula at PyTorch's source positions: clamped at the edges, summing to 1", () => {
    const { index, weight } = bicubicTaps(1001, 1024);
    expect(index.slice(0, 8)).toEqual([0, 0, 1, 2, 0, 0, 1, 2]);
    expect(weight.slice(0, 4)).toEqual([0, 1, 0, 0]);
    // fl32(1000/1023)·1023 lands just past 1000: the last row leans on the clamped edge.
    expect(index.slice(-4)).toEqual([999, 1000, 1000, 1000]);
    for (let o = 0; o < 1024; o++) {
      expect(Math.abs(weight.slice(o * 4, o * 4 + 4).reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-6);
      expect(Math.abs(index[o * 4 + 1] - (1000 / 1023) * o)).toBeLessThan(1);
    }
  });

  it('interpolation + fold equal PyTorch bicubic (align_corners) + reshape/permute on the real features', async () => {
    const checkpoint = await fixtureCheckpoint();
    const d = clapAudioDims(checkpoint);
    expect({ specSize: d.specSize, freqRatio: d.freqRatio, specWidth: d.specWidth }).toEqual({ specSize: 256, freqRatio: 4, specWidth: 1024 });
    const g = new Graph('mel2img');
    const x = g.input('x', 'float32', ['batch', 1, CLAP_AUDIO_FRAMES, 64]);
    g.output(melToImage(g, x, { ...d, frames: CLAP_AUDIO_FRAMES }), 'image', 'float32', ['batch', 1, 256, 256]);
    const run = await openBuiltGraph(checkpoint, g);
    try {
      const features = goldenStage(caseE(), 'score_input_features').data as Float32Array;
      const out = await run.session.run({ x: float32(features, [2, 1, 1001, 64]) });
      expect(out.image.dims).toEqual([2, 1, 256, 256]);
      const image = out.image.data as Float32Array;
      for (const b of [0, 1]) {
        const spec = bicubicTime64(features.subarray(b * ROW, (b + 1) * ROW), 1001, 64, 1024);
        // [1024, 64] → [4, 256, 64] → [4, 64, 256] → [256, 256]: row = chunk·64 + bin, column = frame in chunk.
        const expected = new Float64Array(256 * 256);
        for (let chunk = 0; chunk < 4; chunk++) {
          for (let frame = 0; frame < 256; frame++) {
            for (let bin = 0; bin < 64; bin++) expected[(chunk * 64 + bin) * 256 + frame] = spec[(chunk * 256 + frame) * 64 + bin];
          }
        }
        // PyTorch's float32 scale against the exact one: measured 1.4e-6.
        expect(relativeL2(image.subarray(b * 65536, (b + 1) * 65536), expected)).toBeLessThan(3e-6);
      }
      // PyTorch 1.13's own F.interpolate(bicubic, align_corners=True) of take 0 at output frames 916
      // and 917 (chunk 3, columns 148 and 149), bins 0–3: where the spectrogram steps by tens of dB a
      // frame, so the source-position rounding shows (ONNX Resize is 1.9e-3 off at [916, 0]).
      const torch: Record<number, number[]> = {
        916: [-8.681891441345215, -9.753331184387207, -10.567896842956543, -11.910467147827148],
        917: [-16.57990837097168, -25.039573669433594, -26.127973556518555, -25.084871292114258],
      };
      for (const [frame, values] of Object.entries(torch)) {
        const column = Number(frame) - 3 * 256;
        values.forEach((v, bin) => expect(Math.abs(image[(3 * 64 + bin) * 256 + column] - v)).toBeLessThan(1e-4));
      }
    } finally {
      await run.dispose();
    }
  });
});

describe('Swin index math', () => {
  it('relative position index = the relative_position_index buffer transformers saved for every block', async () => {
    const file = (await fixtureCheckpoint()).weights('text_encoder') as SafetensorsFile;
    const bytes = readFileSync(file.path);
    const buffers = [...file.tensors.values()].filter((t) => t.name.endsWith('relative_position_index'));
    expect(buffers).toHaveLength(5);
    const computed = relativePositionIndex(8);
    for (const t of buffers) {
      expect(t.shape).toEqual([64, 64]);
      const saved = new BigInt64Array(bytes.buffer.slice(bytes.byteOffset + t.offset, bytes.byteOffset + t.offset + t.length));
      expect([...saved].map(Number)).toEqual(computed);
    }
  });

  it('shifted window order and mask on a 16 × 16 grid, window 8, shift 4', () => {
    const plan = { height: 16, width: 16, window: 8, shift: 4 };
    const order = windowOrder(plan);
    // torch.roll(shifts=−4) brings token (4, 4) to the corner; the last window wraps around.
    expect(order[0]).toBe(4 * 16 + 4);
    expect(order[255]).toBe(3 * 16 + 3);
    expect([...order].sort((a, b) => a - b)).toEqual(Array.from({ length: 256 }, (_, i) => i));
    const mask = shiftedWindowMask(plan);
    const masked = [0, 1, 2, 3].map((w) => mask.slice(w * 4096, (w + 1) * 4096).filter((v) => v === -100).length);
    // Window 0 is one region; windows 1 and 2 two halves of 32 tokens; window 3 four quarters of 16.
    expect(masked).toEqual([0, 2 * 32 * 32, 2 * 32 * 32, 4096 - 4 * 16 * 16]);
    expect(mask.every((v) => v === 0 || v === -100)).toBe(true);
  });

  it('patch merging takes x[0::2, 0::2], x[1::2, 0::2], x[0::2, 1::2], x[1::2, 1::2] in that order', () => {
    expect(mergeOrder(4, 4).slice(0, 8)).toEqual([0, 4, 1, 5, 2, 6, 3, 7]);
  });
});

/**
 * The fixture's random init leaves the relative position bias tables at zero and BatchNorm at
 * identity (transformers' own init), so diffusers' goldens cannot see either. These checks give
 * them values: a copy of the fixture whose text_encoder weights are edited in place.
 */
async function editedCheckpoint(edit: (name: string, values: Float32Array) => void): Promise<{ checkpoint: Checkpoint; dispose: () => void }> {
  const dir = mkdtempSync(join(tmpdir(), 'loa-clap-audio-'));
  cpSync(FIXTURE_CHECKPOINT, dir, { recursive: true });
  const path = join(dir, 'text_encoder', 'model.safetensors');
  const header = await readSafetensors(path);
  const bytes = readFileSync(path);
  for (const t of header.tensors.values()) {
    if (t.dtype !== 'F32') continue;
    const values = new Float32Array(bytes.buffer.slice(bytes.byteOffset + t.offset, bytes.byteOffset + t.offset + t.length));
    edit(t.name, values);
    Buffer.from(values.buffer).copy(bytes, t.offset);
  }
  writeFileSync(path, bytes);
  return { checkpoint: await Checkpoint.open(dir), dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Deterministic "trained-looking" values: bias tables of ±0.5 per head and block, BatchNorm statistics near the features' own. */
function trainedLooking(name: string, v: Float32Array): void {
  const block = /layers\.(\d+)\.blocks\.(\d+)\.attention\.self\.relative_position_bias_table$/.exec(name);
  if (block) {
    const heads = v.length / 225;
    const k = Number(block[1]) * 4 + Number(block[2]);
    for (let r = 0; r < 225; r++) for (let h = 0; h < heads; h++) v[r * heads + h] = 0.5 * Math.sin(0.37 * r + 1.3 * h + 0.7 * k);
    return;
  }
  const bn = /^audio_model\.audio_encoder\.batch_norm\.(running_mean|running_var|weight|bias)$/.exec(name);
  if (!bn) return;
  for (let f = 0; f < v.length; f++) {
    v[f] = { running_mean: -26 + 5 * Math.sin(0.9 * f), running_var: 900 + 300 * Math.cos(0.4 * f), weight: 1 + 0.3 * Math.sin(1.7 * f), bias: 0.2 * Math.cos(2.3 * f) }[bn[1] as 'running_mean'];
  }
}

/**
 * get_audio_features on case e's features with `trainedLooking` weights, from a PyTorch 1.13
 * transcription of ClapAudioEncoder (F.batch_norm eval, F.interpolate bicubic, torch.roll,
 * window_partition/reverse, relative_position_bias_table[relative_position_index], the −100 mask),
 * run once on this fixture; its relative_position_index was checked equal to the saved buffer.
 */
const TORCH_TRAINED_LOOKING: number[] = [
  // take 0
  0.171825469, 0.0142800743, -0.379456043, -0.109886661, 0.176141903, 0.0725726858, -0.0946884453, 0.0342773721, 0.233498573, -0.00383110764, 0.0731312856, 0.0576162934, -0.0240237974, 0.152868733,
  -0.0705635175, -0.134502739, 0.174750358, -0.0568636097, 0.0464432202, 0.298931003, 0.0821797252, -0.301351011, 0.224913076, 0.392233849, 0.2361359, 0.211701885, 0.0651587248, 0.00495736022,
  0.080465652, 0.0126551893, -0.126790777, 0.32048431,
  // take 1
  0.174669042, 0.0130476225, -0.379921883, -0.107771195, 0.175025508, 0.0757261068, -0.100255087, 0.0395602398, 0.238204882, -0.00328462501, 0.0710219219, 0.0529043227, -0.0154332379, 0.163743556,
  -0.0671450868, -0.129645079, 0.174640283, -0.0593855605, 0.0454686023, 0.299310833, 0.0891395137, -0.306017846, 0.221129581, 0.385862082, 0.241664454, 0.216629818, 0.0660763159, 0.000813115214,
  0.0782230943, 0.00928811356, -0.116900146, 0.312714577,
];

describe('CLAP audio graph with bias tables and BatchNorm statistics', () => {
  it('BatchNorm reads mean and variance: statistics with weight = √(var + eps), bias = mean leave the golden unchanged', async () => {
    const mean = (f: number) => 3 * Math.sin(f);
    const variance = (f: number) => 50 + 40 * Math.cos(0.3 * f);
    const values: Record<string, (f: number) => number> = {
      running_mean: mean,
      running_var: variance,
      weight: (f) => Math.sqrt(variance(f) + 1e-5),
      bias: mean,
    };
    const { checkpoint, dispose } = await editedCheckpoint((name, v) => {
      const key = /^audio_model\.audio_encoder\.batch_norm\.(\w+)$/.exec(name)?.[1];
      if (key && values[key]) v.set(Array.from(v, (_, f) => values[key](f)));
    });
    const run = await openBuiltGraph(checkpoint, buildClapAudio(checkpoint));
    try {
      const c = caseE();
      const out = await run.session.run({ input_features: float32(goldenStage(c, 'score_input_features').data as Float32Array, [2, 1, 1001, 64]) });
      expect(relativeL2(out.audio_embeds.data as Float32Array, goldenStage(c, 'score_audio_embeds').data as Float32Array)).toBeLessThan(1e-5);
    } finally {
      await run.dispose();
      dispose();
    }
  });

  it('trained-looking tables and statistics: equal to the PyTorch transcription', async () => {
    const { checkpoint, dispose } = await editedCheckpoint(trainedLooking);
    const run = await openBuiltGraph(checkpoint, buildClapAudio(checkpoint));
    try {
      const c = caseE();
      const out = await run.session.run({ input_features: float32(goldenStage(c, 'score_input_features').data as Float32Array, [2, 1, 1001, 64]) });
      const got = out.audio_embeds.data as Float32Array;
      // Measured 2.4e-7; the same transcription gives diffusers' golden on the unedited fixture to 1.5e-7.
      expect(relativeL2(got, TORCH_TRAINED_LOOKING)).toBeLessThan(1e-5);
      // The edits matter: the embeddings move far from the fixture's.
      expect(relativeL2(got, goldenStage(c, 'score_audio_embeds').data as Float32Array)).toBeGreaterThan(1e-2);
    } finally {
      await run.dispose();
      dispose();
    }
  });
});

const published = () => publishedConfig('text_encoder');

describe('CLAP audio builder on configs', () => {
  it("asks for exactly the fixture's audio tensors (all of audio_model. and audio_projection. but the saved buffers)", async () => {
    const { checkpoint, recorder, file } = await plannedFixture('text_encoder');
    buildClapAudio(checkpoint);
    const inFile = [...file.tensors.values()].filter((t) => (t.name.startsWith('audio_model.') || t.name.startsWith('audio_projection.')) && !isClapAudioBuffer(t.name));
    expect([...recorder.specs.keys()].sort()).toEqual(inFile.map((t) => t.name).sort());
    for (const t of inFile) expect(recorder.specs.get(t.name)?.shape).toEqual(t.shape);
  });

  it('builds the published cvssp/audioldm2 config from ClapAudioConfig defaults: HTSAT 128-wide, depths 2-2-12-2, 68,611,992 values', async () => {
    const recorder = new WeightRecorder();
    const checkpoint = plannedCheckpoint('text_encoder', await published(), recorder);
    const d = clapAudioDims(checkpoint);
    expect(d.stages.map((s) => [s.dim, s.heads, s.height, s.blocks.length, s.blocks.map((b) => b.shift).join('')])).toEqual([
      [128, 4, 64, 2, '04'],
      [256, 8, 32, 2, '04'],
      [512, 16, 16, 12, '040404040404'],
      [1024, 32, 8, 2, '00'],
    ]);
    expect({ hiddenSize: d.hiddenSize, projectionDim: d.projectionDim, projectionAct: d.projectionAct, hiddenAct: d.hiddenAct, window: d.windowSize }).toEqual({
      hiddenSize: 1024,
      projectionDim: 512,
      projectionAct: 'relu',
      hiddenAct: 'gelu',
      window: 8,
    });
    expect(buildClapAudio(checkpoint).nodeCount).toBeGreaterThan(0);
    // By hand, C = stage width, h = heads, window 8 → (2·8 − 1)² = 225 bias rows:
    //   a Swin block  = LN 2C + q/k/v 3(C² + C) + out C² + C + table 225h + LN 2C + MLP C·4C + 4C + 4C·C + C = 12C² + 13C + 225h
    //   stages (C, h, depth) = (128, 4, 2) 398,344 + (256, 8, 2) 1,583,120 + (512, 16, 12) 37,871,808 + (1024, 32, 2) 25,206,848
    //   patch mergings 8C² + 8C (LN 4C, reduction 4C → 2C, no bias) for C = 128, 256, 512: 132,096 + 526,336 + 2,101,248
    //   BatchNorm 4 × 64 (weight, bias, running mean and variance) + patch conv 128·16 + 128 + its LN 256 + final LN 2048
    //   = 67,824,536 in the encoder; the projection 1024·512 + 512 + 512·512 + 512 = 787,456.
    expect(parameterCount(recorder)).toBe(67_824_536 + 787_456);
    expect(recorder.specs.get('audio_model.audio_encoder.layers.2.blocks.11.attention.self.relative_position_bias_table')?.shape).toEqual([225, 16]);
    expect(recorder.specs.get('audio_model.audio_encoder.layers.2.downsample.reduction.weight')?.shape).toEqual([1024, 2048]);
    expect(recorder.specs.get('audio_projection.linear1.weight')?.shape).toEqual([512, 1024]);
  });

  it.each([
    ['enable_fusion', { enable_fusion: true }],
    ['num_mel_bins', { num_mel_bins: 80 }],
    ['spec_size', { spec_size: 192 }],
    ['hidden_size', { hidden_size: 768 }],
    ['window_size', { window_size: 16 }],
    ['hidden_act', { hidden_act: 'mish' }],
    ['num_attention_heads', { num_attention_heads: [4, 8, 16] }],
  ])('refuses audio_config %s it does not build, by name', async (key, change) => {
    const config = await published();
    config.audio_config = { ...(config.audio_config as Config), ...change };
    const build = () => buildClapAudio(plannedCheckpoint('text_encoder', config));
    expect(build).toThrow(CheckpointError);
    expect(build).toThrow(new RegExp(`"${key}"`));
  });

  it('reads exp(logit_scale_t) from the file, and a planned checkpoint the scale its weights start from', async () => {
    const fixture = await fixtureCheckpoint();
    const file = fixture.weights('text_encoder') as SafetensorsFile;
    const t = file.tensors.get('logit_scale_t')!;
    const bytes = readFileSync(file.path).subarray(t.offset, t.offset + 4);
    expect(clapLogitScale(fixture)).toBe(Math.exp(bytes.readFloatLE(0)));
    expect(clapLogitScale(plannedCheckpoint('text_encoder', await published()))).toBeCloseTo(14.285714285714285, 12);
  });
});
