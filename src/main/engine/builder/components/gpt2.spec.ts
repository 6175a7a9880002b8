import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTRACT, contractProblems, expandValues } from '../../bundle/contract.ts';
import { float32, int64, type TensorData } from '../../onnx/onnx-runtime.ts';
import { generateLanguageOfAudio } from '../../pipeline/language-of-audio.ts';
import { CheckpointError } from '../checkpoint/checkpoint-error.ts';
import { WeightRecorder } from '../onnx/weights.ts';
import { goldenCase, goldenStage, relativeL2 } from '../testing/golden.ts';
import { eachGoldenCase, fixtureCheckpoint, openBuiltGraph, type GraphRun } from '../testing/graph-harness.ts';
import { parameterCount, plannedCheckpoint, plannedFixture, publishedConfig } from '../testing/planned.ts';
import { buildGpt2Prefill, buildGpt2Step, gpt2Dims, isUnusedGpt2Tensor, type Gpt2Dims } from './gpt2.ts';

const MAX_NEW_TOKENS = 8;

interface Prefix {
  embeds: Float32Array;
  mask: BigInt64Array;
  batch: number;
  seq: number;
}

function goldenPrefix(name: string): Prefix {
  const c = goldenCase(name);
  const hidden = goldenStage(c, 'projection_hidden_states');
  return { embeds: hidden.data as Float32Array, mask: goldenStage(c, 'projection_attention_mask').data as BigInt64Array, batch: hidden.dims[0], seq: hidden.dims[1] };
}

function arangePositions(batch: number, seq: number): BigInt64Array {
  const out = new BigInt64Array(batch * seq);
  for (let b = 0; b < batch; b++) for (let s = 0; s < seq; s++) out[b * seq + s] = BigInt(s);
  return out;
}

/** Row `b` of a [batch, ...] array of `rowSize` values per row. */
function rowOf<T extends Float32Array | BigInt64Array>(data: T, b: number, rowSize: number): T {
  return data.slice(b * rowSize, (b + 1) * rowSize) as T;
}

/** Appends `extra` [batch, n, D] along the sequence of `embeds` [batch, seq, D]. */
function appendRows(embeds: Float32Array, batch: number, seq: number, extra: Float32Array, n: number, dim: number): Float32Array {
  const out = new Float32Array(batch * (seq + n) * dim);
  for (let b = 0; b < batch; b++) {
    out.set(embeds.subarray(b * seq * dim, (b + 1) * seq * dim), b * (seq + n) * dim);
    out.set(extra.subarray(b * n * dim, (b + 1) * n * dim), (b * (seq + n) + seq) * dim);
  }
  return out;
}

function appendOnes(mask: BigInt64Array, batch: number, seq: number, n: number): BigInt64Array {
  const out = new BigInt64Array(batch * (seq + n)).fill(1n);
  for (let b = 0; b < batch; b++) out.set(mask.subarray(b * seq, (b + 1) * seq), b * (seq + n));
  return out;
}

describe('GPT-2 language-of-audio graphs vs diffusers', () => {
  let prefill: GraphRun;
  let step: GraphRun;
  let dims: Gpt2Dims;
  const measured: string[] = [];

  beforeAll(async () => {
    const checkpoint = await fixtureCheckpoint();
    dims = gpt2Dims(checkpoint);
    prefill = await openBuiltGraph(checkpoint, buildGpt2Prefill(checkpoint));
    step = await openBuiltGraph(checkpoint, buildGpt2Step(checkpoint));
  });
  afterAll(async () => {
    console.log(`GPT-2 LOA rel. L2 vs diffusers:\n  ${measured.join('\n  ')}`);
    await prefill?.dispose();
    await step?.dispose();
  });

  /** The engine's loop as a built bundle runs it: the step graph is its own prefill. */
  const cachedLoa = (p: Prefix) => generateLanguageOfAudio(step.session, step.session, p.embeds, p.mask, p.batch, MAX_NEW_TOKENS, { llmDim: dims.llmDim, layers: dims.layers });
  /** The loop as a bundle with a separate prefill graph runs it (older bundles). */
  const prefillGraphLoa = (p: Prefix) => generateLanguageOfAudio(prefill.session, step.session, p.embeds, p.mask, p.batch, MAX_NEW_TOKENS, { llmDim: dims.llmDim, layers: dims.layers });

  /** The step graph on `seq` new positions after a cache of `past` ones (`past` = undefined: an empty cache). */
  function runStep(embeds: Float32Array, mask: BigInt64Array, batch: number, seq: number, past?: Record<string, TensorData>, pastLen = 0) {
    const feeds: Record<string, TensorData> = {
      inputs_embeds: float32(embeds, [batch, seq, dims.llmDim]),
      attention_mask: int64(mask, [batch, pastLen + seq]),
      position_ids: int64(
        arangePositions(batch, pastLen + seq).filter((_, i) => i % (pastLen + seq) >= pastLen),
        [batch, seq],
      ),
    };
    for (let i = 0; i < dims.layers; i++) {
      for (const kv of ['key', 'value']) {
        feeds[`past.${i}.${kv}`] = past ? past[`present.${i}.${kv}`] : float32(new Float32Array(0), [batch, dims.heads, 0, dims.headDim]);
      }
    }
    return step.session.run(feeds);
  }

  const runPrefill = (embeds: Float32Array, mask: BigInt64Array, batch: number, seq: number) =>
    prefill.session.run({
      inputs_embeds: float32(embeds, [batch, seq, dims.llmDim]),
      attention_mask: int64(mask, [batch, seq]),
      position_ids: int64(arangePositions(batch, seq), [batch, seq]),
    });

  /** The original AudioLDM 2 loop (sequence_input.py:generate): the whole sequence again at every step, no cache. */
  async function uncachedLoa(p: Prefix): Promise<Float32Array> {
    const D = dims.llmDim;
    let embeds = p.embeds;
    let mask = p.mask;
    let seq = p.seq;
    const out = new Float32Array(p.batch * MAX_NEW_TOKENS * D);
    for (let k = 0; k < MAX_NEW_TOKENS; k++) {
      const hidden = (await runPrefill(embeds, mask, p.batch, seq)).last_hidden_state.data as Float32Array;
      const next = new Float32Array(p.batch * D);
      for (let b = 0; b < p.batch; b++) next.set(hidden.subarray((b * seq + seq - 1) * D, (b * seq + seq) * D), b * D);
      for (let b = 0; b < p.batch; b++) out.set(next.subarray(b * D, (b + 1) * D), (b * MAX_NEW_TOKENS + k) * D);
      embeds = appendRows(embeds, p.batch, seq, next, 1, D);
      mask = appendOnes(mask, p.batch, seq, 1);
      seq += 1;
    }
    return out;
  }

  eachGoldenCase("case %s: the engine loop on the built step graph (its own prefill) gives diffusers' loa_embeds", async (c, name) => {
    const p = goldenPrefix(name);
    const expected = goldenStage(c, 'loa_embeds');
    const loa = await cachedLoa(p);
    expect(expected.dims).toEqual([p.batch, MAX_NEW_TOKENS, dims.llmDim]);
    const rel = relativeL2(loa, expected.data as Float32Array);
    measured.push(`${name} (batch ${p.batch}, prefix ${p.seq}, ${p.mask.filter((m) => m === 0n).length} padded): ${rel.toExponential(2)}`);
    expect(rel).toBeLessThan(1e-5);
  });

  it('the separate prefill graph (older bundles) gives the same loa_embeds as the step graph over an empty cache', async () => {
    const p = goldenPrefix('d-dpmpp-cfg2.5-negnone');
    expect(relativeL2(await prefillGraphLoa(p), await cachedLoa(p))).toBeLessThan(1e-6);
  });

  it('the step graph over an empty cache equals the prefill graph: hidden states and every present', async () => {
    const p = goldenPrefix('f-dpmpp-cfg3.5-longprompt');
    const viaStep = await runStep(p.embeds, p.mask, p.batch, p.seq);
    const viaPrefill = await runPrefill(p.embeds, p.mask, p.batch, p.seq);
    for (const name of ['last_hidden_state', 'present.0.key', `present.${dims.layers - 1}.value`]) {
      expect(viaStep[name].dims).toEqual(viaPrefill[name].dims);
      expect(relativeL2(viaStep[name].data as Float32Array, viaPrefill[name].data as Float32Array)).toBeLessThan(1e-6);
    }
  });

  it('several new positions on a cache see only the keys before them (causal mask offset by the cache)', async () => {
    const p = goldenPrefix('d-dpmpp-cfg2.5-negnone');
    const D = dims.llmDim;
    const head = 5;
    const tail = p.seq - head;
    const slice = <T extends Float32Array | BigInt64Array>(data: T, size: number, from: number, to: number) => {
      const parts = Array.from({ length: p.batch }, (_, b) => data.slice((b * p.seq + from) * size, (b * p.seq + to) * size));
      const out = new (data.constructor as new (n: number) => T)(p.batch * (to - from) * size);
      parts.forEach((part, b) => out.set(part as never, b * (to - from) * size));
      return out;
    };
    const cache = await runStep(slice(p.embeds, D, 0, head), slice(p.mask, 1, 0, head), p.batch, head);
    const rest = await runStep(slice(p.embeds, D, head, p.seq), p.mask, p.batch, tail, cache, head);
    const whole = await runPrefill(p.embeds, p.mask, p.batch, p.seq);
    const wholeTail = slice(whole.last_hidden_state.data as Float32Array, D, head, p.seq);
    expect(rest.last_hidden_state.dims).toEqual([p.batch, tail, D]);
    expect(relativeL2(rest.last_hidden_state.data as Float32Array, wholeTail)).toBeLessThan(1e-6);
    expect(relativeL2(rest[`present.${dims.layers - 1}.key`].data as Float32Array, whole[`present.${dims.layers - 1}.key`].data as Float32Array)).toBeLessThan(1e-6);
  });

  // Both pad the negative's T5 tokens (mask zeros inside the prefix); f is the longest prefix (133).
  it.each(['d-dpmpp-cfg2.5-negnone', 'f-dpmpp-cfg3.5-longprompt'])('case %s: the cached path equals recomputing the whole sequence', async (name) => {
    const p = goldenPrefix(name);
    expect(p.mask.includes(0n)).toBe(true);
    const cached = await cachedLoa(p);
    const uncached = await uncachedLoa(p);
    expect(relativeL2(cached, uncached)).toBeLessThan(1e-6);
    expect(relativeL2(uncached, goldenStage(goldenCase(name), 'loa_embeds').data as Float32Array)).toBeLessThan(1e-5);
  });

  it('one step on a prefill cache equals a prefill over one more position (hidden state and every present)', async () => {
    const p = goldenPrefix('d-dpmpp-cfg2.5-negnone');
    const D = dims.llmDim;
    const next = new Float32Array(p.batch * D).map((_, i) => Math.sin(i * 0.37));
    const first = await runPrefill(p.embeds, p.mask, p.batch, p.seq);
    const feeds: Record<string, TensorData> = {
      inputs_embeds: float32(next, [p.batch, 1, D]),
      attention_mask: int64(appendOnes(p.mask, p.batch, p.seq, 1), [p.batch, p.seq + 1]),
      position_ids: int64(new BigInt64Array(p.batch).fill(BigInt(p.seq)), [p.batch, 1]),
    };
    for (let i = 0; i < dims.layers; i++) {
      feeds[`past.${i}.key`] = first[`present.${i}.key`];
      feeds[`past.${i}.value`] = first[`present.${i}.value`];
    }
    const stepped = await step.session.run(feeds);
    const full = await runPrefill(appendRows(p.embeds, p.batch, p.seq, next, 1, D), appendOnes(p.mask, p.batch, p.seq, 1), p.batch, p.seq + 1);

    expect(stepped.last_hidden_state.dims).toEqual([p.batch, 1, D]);
    const fullHidden = full.last_hidden_state.data as Float32Array;
    const lastOfFull = new Float32Array(p.batch * D);
    for (let b = 0; b < p.batch; b++) lastOfFull.set(fullHidden.subarray((b * (p.seq + 1) + p.seq) * D, (b * (p.seq + 1) + p.seq + 1) * D), b * D);
    expect(relativeL2(stepped.last_hidden_state.data as Float32Array, lastOfFull)).toBeLessThan(1e-6);
    for (let i = 0; i < dims.layers; i++) {
      for (const kv of ['key', 'value']) {
        const name = `present.${i}.${kv}`;
        expect(stepped[name].dims).toEqual([p.batch, dims.heads, p.seq + 1, dims.headDim]);
        expect(full[name].dims).toEqual(stepped[name].dims);
        expect(relativeL2(stepped[name].data as Float32Array, full[name].data as Float32Array)).toBeLessThan(1e-6);
      }
    }
  });

  it('each row of a batch of 2 gives the same result run alone at batch 1', async () => {
    const p = goldenPrefix('g-ddim-cfg3.5-negtrunc-0.29s');
    expect(p.batch).toBe(2);
    const both = await cachedLoa(p);
    const rowSize = MAX_NEW_TOKENS * dims.llmDim;
    for (let b = 0; b < 2; b++) {
      const alone = await cachedLoa({ embeds: rowOf(p.embeds, b, p.seq * dims.llmDim), mask: rowOf(p.mask, b, p.seq), batch: 1, seq: p.seq });
      expect(relativeL2(alone, rowOf(both, b, rowSize))).toBeLessThan(1e-6);
    }
  });

  it('the graphs satisfy models/contract.json exactly', () => {
    const config = { llmDim: dims.llmDim, gpt2Layers: dims.layers, gpt2Heads: dims.heads, gpt2HeadDim: dims.headDim };
    expect(contractProblems('gpt2Prefill', prefill.session, config)).toEqual([]);
    expect(contractProblems('gpt2Step', step.session, config)).toEqual([]);
    // contractProblems does not list extra outputs: the names must be exactly the contract's.
    const names = (values: readonly { name: string }[]) => values.map((v) => v.name).sort();
    expect(names(prefill.session.outputs)).toEqual(names(expandValues(CONTRACT.components.gpt2Prefill.outputs, dims.layers)));
    expect(names(step.session.outputs)).toEqual(names(expandValues(CONTRACT.components.gpt2Step.outputs, dims.layers)));
  });

  it('uses every tensor of the checkpoint but the token embedding', async () => {
    const { checkpoint, recorder, file } = await plannedFixture('language_model');
    buildGpt2Prefill(checkpoint);
    buildGpt2Step(checkpoint);
    const inFile = [...file.tensors.keys()].filter((n) => !isUnusedGpt2Tensor(n)).sort();
    expect([...recorder.specs.keys()].sort()).toEqual(inFile);
    expect(file.tensors.has('wte.weight')).toBe(true);
  });
});

describe('GPT-2 builder on the published cvssp/audioldm2 config', () => {
  // The hub's partial config completed with GPT2Config's vocab_size and use_cache (models/configs/README.md).
  const published = () => publishedConfig('language_model');

  it('builds both graphs and asks for GPT-2 base without wte: 124,439,808 − 50257·768 parameters', async () => {
    const recorder = new WeightRecorder();
    const checkpoint = plannedCheckpoint('language_model', await published(), recorder);
    expect(gpt2Dims(checkpoint)).toMatchObject({ llmDim: 768, heads: 12, headDim: 64, layers: 12, innerDim: 3072, positions: 1024, activation: 'gelu_new', scale: 1 / 8 });
    expect(buildGpt2Prefill(checkpoint).nodeCount).toBeGreaterThan(0);
    expect(buildGpt2Step(checkpoint).nodeCount).toBeGreaterThan(0);
    expect(parameterCount(recorder)).toBe(124_439_808 - 50257 * 768);
    expect(recorder.specs.has('wte.weight')).toBe(false);
    expect(recorder.specs.get('h.11.attn.c_attn.weight')).toEqual({ name: 'h.11.attn.c_attn.weight', shape: [768, 2304], init: 'fanInAxis0' });
    expect(recorder.specs.get('h.0.mlp.c_proj.weight')?.shape).toEqual([3072, 768]);
  });

  it.each([
    ['scale_attn_by_inverse_layer_idx', true],
    ['reorder_and_upcast_attn', true],
    ['add_cross_attention', true],
    ['activation_function', 'quick_gelu'],
    ['n_head', 7],
  ])('refuses %s = %j by name', async (key, value) => {
    const checkpoint = plannedCheckpoint('language_model', { ...(await published()), [key]: value });
    expect(() => buildGpt2Prefill(checkpoint)).toThrow(CheckpointError);
    expect(() => buildGpt2Step(checkpoint)).toThrow(new RegExp(`"${key}"`));
  });
});
