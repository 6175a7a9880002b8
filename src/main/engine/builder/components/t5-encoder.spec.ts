import { describe, expect, it } from 'vitest';
import { int64 } from '../../onnx/onnx-runtime.ts';
import { CheckpointError } from '../checkpoint/checkpoint-error.ts';
import { WeightRecorder } from '../onnx/weights.ts';
import { goldenCase, goldenCaseNames, goldenStage, relativeL2 } from '../testing/golden.ts';
import { eachGoldenCase, fixtureGraph } from '../testing/graph-harness.ts';
import { parameterCount, plannedCheckpoint, plannedFixture, publishedConfig } from '../testing/planned.ts';
import { buildT5Encoder, relativeBucketTable, t5Dims } from './t5-encoder.ts';

describe('T5 encoder graph vs diffusers (T5EncoderModel.last_hidden_state)', () => {
  const run = fixtureGraph(buildT5Encoder);

  eachGoldenCase('case %s', async (c) => {
    const ids = goldenStage(c, 't5_input_ids');
    const mask = goldenStage(c, 't5_attention_mask');
    const expected = goldenStage(c, 't5_last_hidden_state');
    const out = await run.session.run({ input_ids: int64(ids.data as BigInt64Array, ids.dims), attention_mask: int64(mask.data as BigInt64Array, mask.dims) });
    expect(out.last_hidden_state.dims).toEqual(expected.dims);
    expect(relativeL2(out.last_hidden_state.data as Float32Array, expected.data as Float32Array)).toBeLessThan(1e-5);
  });

  it('the golden lengths span short prompts and the 128-token limit', () => {
    const lengths = goldenCaseNames().map((n) => goldenStage(goldenCase(n), 't5_input_ids').dims[1]);
    expect(Math.max(...lengths)).toBe(128);
    expect(Math.min(...lengths)).toBeLessThan(16);
  });

  it('each row of a batch matches that row run alone (batch 2 → 1, per-row masks)', async () => {
    const c = goldenCase(goldenCaseNames().find((n) => n.startsWith('g-'))!);
    const ids = goldenStage(c, 't5_input_ids');
    const mask = goldenStage(c, 't5_attention_mask');
    const expected = goldenStage(c, 't5_last_hidden_state').data as Float32Array;
    const [rows, len] = ids.dims;
    const width = len * 48;
    for (let r = 0; r < rows; r++) {
      const slice = (a: BigInt64Array) => a.slice(r * len, (r + 1) * len);
      const out = await run.session.run({ input_ids: int64(slice(ids.data as BigInt64Array), [1, len]), attention_mask: int64(slice(mask.data as BigInt64Array), [1, len]) });
      expect(relativeL2(out.last_hidden_state.data as Float32Array, expected.subarray(r * width, (r + 1) * width))).toBeLessThan(1e-5);
    }
  });

  it('a batch of 6 rows from cases d, e and g (all length 5) matches each case', async () => {
    const cases = goldenCaseNames()
      .filter((n) => /^[deg]-/.test(n))
      .map(goldenCase);
    const ids = cases.map((c) => goldenStage(c, 't5_input_ids'));
    expect(ids.every((a) => a.dims[1] === 5)).toBe(true);
    const concat = (parts: BigInt64Array[]) => {
      const out = new BigInt64Array(parts.reduce((n, p) => n + p.length, 0));
      parts.reduce((at, p) => (out.set(p, at), at + p.length), 0);
      return out;
    };
    const rows = ids.reduce((n, a) => n + a.dims[0], 0);
    const out = await run.session.run({
      input_ids: int64(concat(ids.map((a) => a.data as BigInt64Array)), [rows, 5]),
      attention_mask: int64(concat(cases.map((c) => goldenStage(c, 't5_attention_mask').data as BigInt64Array)), [rows, 5]),
    });
    const expected = new Float32Array(rows * 5 * 48);
    cases.reduce((at, c) => {
      const e = goldenStage(c, 't5_last_hidden_state').data as Float32Array;
      expected.set(e, at);
      return at + e.length;
    }, 0);
    expect(out.last_hidden_state.dims).toEqual([rows, 5, 48]);
    expect(relativeL2(out.last_hidden_state.data as Float32Array, expected)).toBeLessThan(1e-5);
  });

  it('stays finite for a row with no attended token (the finfo.min mask does not overflow)', async () => {
    const out = await run.session.run({ input_ids: int64(new BigInt64Array([5n, 6n, 1n]), [1, 3]), attention_mask: int64(new BigInt64Array(3), [1, 3]) });
    expect((out.last_hidden_state.data as Float32Array).every(Number.isFinite)).toBe(true);
  });
});

describe('T5 relative position buckets', () => {
  it("match transformers' bidirectional buckets (32 buckets, max distance 128) at the log-range boundaries", () => {
    const table = relativeBucketTable(32, 128);
    const bucket = (r: number) => table[Math.max(-128, Math.min(128, r)) + 128];
    // |r| < 8 exact; then 8·log(|r|/8)/log(16) + 8, so |r| = 16, 32, 64 start buckets 10, 12, 14 (+16 for r > 0).
    expect([0, -1, -7, -8, -11, -12, -15, -16, -31, -32, -63, -64, -127, -500].map(bucket)).toEqual([0, 1, 7, 8, 8, 9, 9, 10, 11, 12, 13, 14, 15, 15]);
    expect([1, 7, 8, 16, 32, 64, 128, 1000].map(bucket)).toEqual([17, 23, 24, 26, 28, 30, 31, 31]);
  });
});

describe('T5 encoder builder on configs', () => {
  it("asks for exactly the fixture's tensors (the shared embedding once, as shared.weight)", async () => {
    const { checkpoint, recorder, file } = await plannedFixture('text_encoder_2');
    buildT5Encoder(checkpoint);
    expect([...recorder.specs.keys()].sort()).toEqual([...file.tensors.keys()].sort());
  });

  it('builds the published cvssp/audioldm2 config: the Flan-T5-large encoder, 341,231,104 parameters', async () => {
    const recorder = new WeightRecorder();
    const checkpoint = plannedCheckpoint('text_encoder_2', await publishedConfig('text_encoder_2'), recorder);
    expect(t5Dims(checkpoint)).toEqual({ vocabSize: 32128, dModel: 1024, heads: 16, headDim: 64, ff: 2816, layers: 24, eps: 1e-6, buckets: 32, maxDistance: 128 });
    expect(buildT5Encoder(checkpoint).nodeCount).toBeGreaterThan(0);
    // docs/engine-spec.md §1.5 (the shared embedding counted once).
    expect(parameterCount(recorder)).toBe(341_231_104);
    expect(recorder.specs.get('shared.weight')).toEqual({ name: 'shared.weight', shape: [32128, 1024], init: 'embedding' });
    expect(recorder.specs.has('encoder.embed_tokens.weight')).toBe(false);
    expect(recorder.specs.get('encoder.block.23.layer.1.DenseReluDense.wi_1.weight')?.shape).toEqual([2816, 1024]);
    // Only layer 0 owns a relative-position table.
    expect([...recorder.specs.keys()].filter((n) => n.includes('relative_attention_bias'))).toEqual(['encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight']);
  });

  it.each([
    ['feed_forward_proj', 'relu'],
    ['feed_forward_proj', 'gated-silu'],
    ['dense_act_fn', 'gelu'],
    ['is_gated_act', false],
    ['relative_attention_num_buckets', 31],
  ])('refuses %s = %j by name', async (key, value) => {
    const checkpoint = plannedCheckpoint('text_encoder_2', { ...(await publishedConfig('text_encoder_2')), [key]: value });
    expect(() => buildT5Encoder(checkpoint)).toThrow(CheckpointError);
    expect(() => buildT5Encoder(checkpoint)).toThrow(new RegExp(`"${key}"`));
  });
});
