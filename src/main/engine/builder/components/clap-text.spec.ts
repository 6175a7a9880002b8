import { describe, expect, it } from 'vitest';
import { int64 } from '../../onnx/onnx-runtime.ts';
import { CheckpointError } from '../checkpoint/checkpoint-error.ts';
import type { Config } from '../checkpoint/checkpoint.ts';
import { WeightRecorder } from '../onnx/weights.ts';
import { goldenCase, goldenCaseNames, goldenStage, relativeL2 } from '../testing/golden.ts';
import { eachGoldenCase, fixtureGraph } from '../testing/graph-harness.ts';
import { parameterCount, plannedCheckpoint, plannedFixture, publishedConfig } from '../testing/planned.ts';
import { buildClapText, clapTextDims } from './clap-text.ts';

/** Rows [rows, len] of `ids`/`mask` cut to their first `keep` columns (padding to the longest instead of 512). */
function cut(data: BigInt64Array, dims: number[], keep: number): BigInt64Array {
  const [rows, len] = dims;
  const out = new BigInt64Array(rows * keep);
  for (let r = 0; r < rows; r++) out.set(data.subarray(r * len, r * len + keep), r * keep);
  return out;
}

function longest(mask: BigInt64Array, dims: number[]): number {
  const [rows, len] = dims;
  let max = 0;
  for (let r = 0; r < rows; r++) {
    let n = 0;
    for (let i = 0; i < len; i++) n += Number(mask[r * len + i]);
    max = Math.max(max, n);
  }
  return max;
}

describe('CLAP text graph vs diffusers (ClapModel.get_text_features)', () => {
  const run = fixtureGraph(buildClapText);

  const embed = async (ids: BigInt64Array, mask: BigInt64Array, dims: number[]) => {
    const out = await run.session.run({ input_ids: int64(ids, dims), attention_mask: int64(mask, dims) });
    return out.text_embeds;
  };

  eachGoldenCase('case %s: 512-padded tokens → clap_text_embeds', async (c) => {
    const ids = goldenStage(c, 'clap_input_ids');
    const mask = goldenStage(c, 'clap_attention_mask');
    const expected = goldenStage(c, 'clap_text_embeds');
    expect(ids.dims[1]).toBe(512);
    const out = await embed(ids.data as BigInt64Array, mask.data as BigInt64Array, ids.dims);
    expect(out.dims).toEqual(expected.dims);
    expect(relativeL2(out.data as Float32Array, expected.data as Float32Array)).toBeLessThan(1e-5);
  });

  eachGoldenCase('case %s: the same texts padded to the longest give the same embeddings', async (c) => {
    const ids = goldenStage(c, 'clap_input_ids');
    const mask = goldenStage(c, 'clap_attention_mask');
    // Case f's prompt fills all 512 (truncated); its other rows still change length.
    const keep = longest(mask.data as BigInt64Array, ids.dims);
    expect(keep).toBeLessThanOrEqual(512);
    const dims = [ids.dims[0], keep];
    const out = await embed(cut(ids.data as BigInt64Array, ids.dims, keep), cut(mask.data as BigInt64Array, mask.dims, keep), dims);
    expect(relativeL2(out.data as Float32Array, goldenStage(c, 'clap_text_embeds').data as Float32Array)).toBeLessThan(1e-5);
  });

  it("case e: score_waveforms' own tokens (padding=True) → score_text_embeds, equal to the 512-padded prompt's", async () => {
    const c = goldenCase(goldenCaseNames().find((n) => n.startsWith('e-'))!);
    const ids = goldenStage(c, 'score_clap_input_ids');
    const mask = goldenStage(c, 'score_clap_attention_mask');
    expect(ids.dims).toEqual([1, 6]);
    const out = await embed(ids.data as BigInt64Array, mask.data as BigInt64Array, ids.dims);
    const expected = goldenStage(c, 'score_text_embeds');
    expect(relativeL2(out.data as Float32Array, expected.data as Float32Array)).toBeLessThan(1e-5);
    // The positive prompt is the second row of the CFG-ordered text stages.
    const positive = (goldenStage(c, 'clap_text_embeds').data as Float32Array).subarray(32, 64);
    expect(relativeL2(out.data as Float32Array, positive)).toBeLessThan(1e-5);
  });

  it('a batch of 7 texts from different cases matches each case, whatever its neighbours', async () => {
    const rows: { ids: BigInt64Array; mask: BigInt64Array; expected: Float32Array }[] = [];
    for (const name of goldenCaseNames()) {
      const c = goldenCase(name);
      const ids = goldenStage(c, 'clap_input_ids').data as BigInt64Array;
      const mask = goldenStage(c, 'clap_attention_mask').data as BigInt64Array;
      const expected = goldenStage(c, 'clap_text_embeds').data as Float32Array;
      const last = ids.length / 512 - 1;
      rows.push({ ids: ids.subarray(last * 512), mask: mask.subarray(last * 512), expected: expected.subarray(last * 32) });
    }
    const ids = new BigInt64Array(rows.length * 512);
    const mask = new BigInt64Array(rows.length * 512);
    rows.forEach((r, i) => {
      ids.set(r.ids, i * 512);
      mask.set(r.mask, i * 512);
    });
    const out = await embed(ids, mask, [rows.length, 512]);
    expect(out.dims).toEqual([rows.length, 32]);
    rows.forEach((r, i) => expect(relativeL2((out.data as Float32Array).subarray(i * 32, i * 32 + 32), r.expected)).toBeLessThan(1e-5));
  });
});

/** Persistent buffers ClapTextEmbeddings saves (arange position ids, zero token types): not parameters, not read. */
const isClapTextBuffer = (name: string) => name === 'text_model.embeddings.position_ids' || name === 'text_model.embeddings.token_type_ids';

describe('CLAP text builder on configs', () => {
  it("asks for exactly the fixture's text tensors (all of text_model. and text_projection. but the two index buffers)", async () => {
    const { checkpoint, recorder, file } = await plannedFixture('text_encoder');
    buildClapText(checkpoint);
    const inFile = [...file.tensors.keys()].filter((n) => (n.startsWith('text_model.') || n.startsWith('text_projection.')) && !isClapTextBuffer(n)).sort();
    expect([...recorder.specs.keys()].sort()).toEqual(inFile);
  });

  const published = () => publishedConfig('text_encoder');

  it('builds the published cvssp/audioldm2 config from ClapTextConfig defaults: RoBERTa-base + projection, 125,302,016 parameters', async () => {
    const recorder = new WeightRecorder();
    const checkpoint = plannedCheckpoint('text_encoder', await published(), recorder);
    expect(clapTextDims(checkpoint)).toEqual({
      vocabSize: 50265,
      hidden: 768,
      layers: 12,
      heads: 12,
      intermediate: 3072,
      hiddenAct: 'gelu',
      maxPositions: 514,
      typeVocab: 1,
      eps: 1e-12,
      padTokenId: 1,
      projectionDim: 512,
      projectionAct: 'relu',
    });
    expect(buildClapText(checkpoint).nodeCount).toBeGreaterThan(0);
    // RoBERTa-base with its pooler is 124,645,632; the projection adds 768·512+512 + 512·512+512 = 656,384.
    expect(parameterCount(recorder)).toBe(124_645_632 + 656_384);
    expect(recorder.specs.get('text_model.embeddings.position_embeddings.weight')).toEqual({ name: 'text_model.embeddings.position_embeddings.weight', shape: [514, 768], init: 'embedding' });
    expect(recorder.specs.get('text_model.encoder.layer.11.intermediate.dense.weight')?.shape).toEqual([3072, 768]);
    expect(recorder.specs.get('text_projection.linear2.weight')?.shape).toEqual([512, 512]);
  });

  it.each([
    ['position_embedding_type', 'relative_key'],
    ['hidden_act', 'quick_gelu'],
    ['num_attention_heads', 7],
    ['is_decoder', true],
  ])('refuses text_config %s = %j by name', async (key, value) => {
    const config = await published();
    config.text_config = { ...(config.text_config as Config), [key]: value };
    expect(() => buildClapText(plannedCheckpoint('text_encoder', config))).toThrow(CheckpointError);
    expect(() => buildClapText(plannedCheckpoint('text_encoder', config))).toThrow(new RegExp(`"${key}"`));
  });

  it('refuses a projection activation it does not implement by name', async () => {
    const config = { ...(await published()), projection_hidden_act: 'tanh' };
    expect(() => buildClapText(plannedCheckpoint('text_encoder', config))).toThrow(/"projection_hidden_act"/);
  });
});
