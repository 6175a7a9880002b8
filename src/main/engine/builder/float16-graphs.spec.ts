/**
 * fp16 graphs, shape-checked here without a GPU (issue 10 item 6): the oracle checkpoint built with
 * fp16, then every fp16 graph file as written is
 *   - type-checked structurally (element-types.ts propagates every value's type; ONNX Runtime's own
 *     type and shape inference runs again when the session is created),
 *   - checked against the contract (contractProblems on the session's declared inputs and outputs),
 *   - run on ORT's CPU provider at two sizes of every dynamic dimension and compared with the fp32
 *     graph, and for the UNet and vocoder with diffusers' own outputs.
 * ORT's CPU provider has fp16 kernels for a few ops only; for the rest it inserts float32 casts
 * around the node, so these runs check the graphs' structure and the rounding of weights and
 * activations at fp16 storage — not the GPU kernels' own arithmetic, whose speed and accuracy are
 * measured when a GPU machine is lent.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMPONENT_KEYS, CONTRACT, contractProblems, expandValues, type ComponentKey } from '../bundle/contract.ts';
import { readManifest, type BundleManifest } from '../bundle/manifest.ts';
import { chooseGraph, ModelBundle } from '../bundle/model-bundle.ts';
import { RUN_SIZES } from '../bundle/run-check.ts';
import { float32, int64, OnnxSession, type TensorData } from '../onnx/onnx-runtime.ts';
import { SeededRandom } from '../random.ts';
import { buildBundle, type BuildResult } from './build-bundle.ts';
import { readSafetensors, type SafetensorsFile } from './checkpoint/safetensors.ts';
import { GRAPH_BUILDERS } from './components/registry.ts';
import { float16GraphFile, float16WeightsLocation } from './float16-graphs.ts';
import { inferElementTypes } from './onnx/element-types.ts';
import { Checkpoint } from './checkpoint/checkpoint.ts';
import { loadConfigSet } from './random-checkpoint/config-sets.ts';
import { float32ArrayToFloat16 } from './onnx/float16.ts';
import type { GraphParts } from './onnx/graph.ts';
import { externalSource, toFloat16 } from './onnx/to-float16.ts';
import { FIXTURE_CHECKPOINT, goldenCase, goldenStage, relativeL2 } from './testing/golden.ts';
import { fixtureCheckpoint } from './testing/graph-harness.ts';

const { onnx } = onnxProto;
const HALF_KEYS = COMPONENT_KEYS.filter((key) => CONTRACT.components[key].precisions.includes('fp16'));

let root: string;
let bundle: string;
let result: BuildResult;
let manifest: BundleManifest;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'loa-fp16-'));
  bundle = join(root, 'bundle');
  result = await buildBundle(FIXTURE_CHECKPOINT, bundle, { precisions: ['fp32', 'fp16'] });
  manifest = await readManifest(bundle);
}, 120_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

function fp16Entry(key: ComponentKey) {
  return manifest.components[key].graphs.find((g) => g.precision === 'fp16')!;
}

/** The graph file as written, decoded. */
function writtenParts(file: string): GraphParts {
  const graph = onnx.ModelProto.decode(readFileSync(join(bundle, file))).graph!;
  return { nodes: graph.node ?? [], initializers: graph.initializer ?? [], inputs: graph.input ?? [], outputs: graph.output ?? [] };
}

/** Inputs at one of run-check's sizes: masks all ones, small ids, timestep 501, normal floats. */
function feeds(key: ComponentKey, base: Record<string, number>, seed: number): Record<string, TensorData> {
  const config = manifest.config as unknown as Record<string, number>;
  const sizes: Record<string, number> = { ...base, total_len: base.past_len + 1, mel_len: base.latent_len * config.vaeScaleFactor };
  for (const [k, v] of Object.entries(config)) if (typeof v === 'number') sizes[`$${k}`] = v;
  const random = new SeededRandom(seed);
  const out: Record<string, TensorData> = {};
  for (const input of expandValues(CONTRACT.components[key].inputs, config.gpt2Layers)) {
    const dims = input.dims.map((d) => (typeof d === 'number' ? d : sizes[d]));
    const count = dims.reduce((a, b) => a * b, 1);
    if (input.type === 'int64') {
      const last = dims.at(-1)!;
      const data = BigInt64Array.from({ length: count }, (_, i) => BigInt(input.name.includes('mask') ? 1 : input.name === 'position_ids' ? (last === 1 ? sizes.past_len : i % last) : 3 + (i % 7)));
      out[input.name] = int64(data, dims);
    } else if (input.name === 'timestep') {
      out[input.name] = float32(new Float32Array(count).fill(501), dims);
    } else {
      const data = random.fillNormal(count);
      const scale = input.name === 'input_features' || input.name === 'mel' ? 2 : 0.5;
      for (let i = 0; i < count; i++) data[i] *= scale;
      out[input.name] = float32(data, dims);
    }
  }
  return out;
}

describe('models build --fp16 on the oracle checkpoint', () => {
  it("lists an fp16 graph beside the fp32 one for exactly the contract's fp16 components; the bundle verifies; CPU picks fp32, GPUs fp16", async () => {
    for (const key of COMPONENT_KEYS) {
      const graphs = manifest.components[key].graphs;
      const fp32 = graphs.find((g) => g.precision === 'fp32')!;
      if (!HALF_KEYS.includes(key)) {
        expect(
          graphs.map((g) => g.precision),
          key,
        ).toEqual(['fp32']);
        continue;
      }
      expect(
        graphs.map((g) => g.precision),
        key,
      ).toEqual(['fp32', 'fp16']);
      expect(fp16Entry(key).file).toBe(float16GraphFile(fp32.file));
      expect(fp16Entry(key).externalData?.map((e) => e.file)).toEqual([float16WeightsLocation(GRAPH_BUILDERS[key].component)]);
      expect(chooseGraph(graphs, 'cuda').precision).toBe('fp16');
      expect(chooseGraph(graphs, 'cpu').precision).toBe('fp32');
    }
    expect(HALF_KEYS).toEqual(['clapText', 'clapAudio', 'gpt2Prefill', 'gpt2Step', 'unet', 'vocoder']);
    // Checksums of every file, fp16 graphs and weights included, and the fp32 graphs' contracts.
    const loaded = await ModelBundle.load(bundle, { device: 'cpu', eager: [] });
    await loaded.release();
  }, 60_000);

  it('writes one converted weights file per component: exactly the tensors its fp16 graphs read, each the round-to-nearest-even half of the checkpoint tensor', async () => {
    expect(result.fp16Weights?.map((w) => w.component)).toEqual(['text_encoder', 'language_model', 'unet', 'vocoder']);
    for (const written of result.fp16Weights!) {
      expect(written.saturated, written.component).toBe(0);
      const location = float16WeightsLocation(written.component);
      const converted = await readSafetensors(join(bundle, location));
      const source = (await fixtureCheckpoint()).weights(written.component) as SafetensorsFile;
      // Every external initializer of every fp16 graph of this component points at one tensor of the file, and every tensor is read.
      const read = new Set<string>();
      for (const key of HALF_KEYS.filter((k) => GRAPH_BUILDERS[k].component === written.component)) {
        for (const init of writtenParts(fp16Entry(key).file).initializers) {
          const ref = externalSource(init);
          if (!ref) continue;
          expect(ref.location).toBe(location);
          const tensor = [...converted.tensors.values()].find((t) => t.offset === ref.offset);
          expect(tensor, `${key} ${init.name}`).toBeDefined();
          expect(tensor!.length).toBe(ref.length);
          expect(tensor!.shape).toEqual(ref.dims);
          expect(ref.type).toBe('float16');
          read.add(tensor!.name);
        }
      }
      expect(read.size).toBe(converted.tensors.size);
      expect(written.tensors).toBe(converted.tensors.size);
      const convertedBytes = readFileSync(join(bundle, location));
      const sourceBytes = readFileSync(source.path);
      for (const tensor of converted.tensors.values()) {
        expect(tensor.dtype).toBe('F16');
        const from = source.tensors.get(tensor.name)!;
        expect(from.dtype).toBe('F32');
        const words = new Uint32Array(sourceBytes.buffer.slice(sourceBytes.byteOffset + from.offset, sourceBytes.byteOffset + from.offset + from.length));
        const expected = Buffer.from(float32ArrayToFloat16(words).buffer);
        expect(convertedBytes.subarray(tensor.offset, tensor.offset + tensor.length).equals(expected), tensor.name).toBe(true);
      }
    }
  }, 60_000);

  describe.each(HALF_KEYS)('%s fp16 graph', (key) => {
    let half: OnnxSession;
    let full: OnnxSession;
    beforeAll(async () => {
      half = await OnnxSession.create(key, join(bundle, fp16Entry(key).file), { provider: 'cpu', intraOpThreads: 2 });
      full = await OnnxSession.create(key, join(bundle, manifest.components[key].graphs[0].file), { provider: 'cpu', intraOpThreads: 2 });
    });
    afterAll(async () => {
      await half?.release();
      await full?.release();
    });

    it("has one consistent element type per value, float16 inside and the contract's types at its inputs and outputs", () => {
      const parts = writtenParts(fp16Entry(key).file);
      const types = inferElementTypes(parts); // throws on a mismatch, naming the node
      expect([...types.values()]).toContain('float16');
      expect(contractProblems(key, half, manifest.config as unknown as Record<string, unknown>)).toEqual([]);
      expect(half.inputs).toEqual(full.inputs);
      expect(half.outputs).toEqual(full.outputs);
    });

    it.each(RUN_SIZES.map((sizes, n) => ({ sizes, n })))("runs on ORT CPU at sizes $n with fp32's output shapes, within rel. L2 2e-3 of fp32", async ({ sizes, n }) => {
      const input = feeds(key, sizes, 1000 + n);
      const [a, b] = [await full.run(input), await half.run(input)];
      for (const [name, want] of Object.entries(a)) {
        const got = b[name];
        expect(got.type, name).toBe(want.type);
        expect(got.dims, name).toEqual(want.dims);
        const data = got.data as Float32Array;
        expect(data.every(Number.isFinite), name).toBe(true);
        expect(relativeL2(data, want.data as Float32Array), name).toBeLessThan(2e-3);
      }
    });
  });

  it("converts and type-checks every fp16 graph of the published cvssp/audioldm2 configs; only the UNet's timestep embedding stays float32", async () => {
    const planned = Checkpoint.planned(await loadConfigSet('audioldm2'));
    for (const key of HALF_KEYS) {
      const { graph, keptFloat32 } = toFloat16(GRAPH_BUILDERS[key].build(planned), (source) => ({ ...source, type: 'float16', length: source.length / 2 }));
      const types = inferElementTypes(graph.parts);
      expect([...types.values()], key).toContain('float16');
      expect(
        keptFloat32.map((k) => k.split(' ')[0]),
        key,
      ).toEqual(key === 'unet' ? ['Unsqueeze', 'Mul', 'Sin', 'Cos'] : []);
    }
  }, 60_000);

  it('UNet and vocoder in fp16 stay within rel. L2 2e-3 of diffusers on the odd-length case (63 latent frames)', async () => {
    const c = goldenCase('b-ddim-cfg3.5-frames63');
    const unet = await OnnxSession.create('unet', join(bundle, fp16Entry('unet').file), { provider: 'cpu', intraOpThreads: 2 });
    const vocoder = await OnnxSession.create('vocoder', join(bundle, fp16Entry('vocoder').file), { provider: 'cpu', intraOpThreads: 2 });
    try {
      const sample = goldenStage(c, 'unet_step1_sample');
      const batch = sample.dims[0];
      const stage = (name: string) => goldenStage(c, name);
      const out = await unet.run({
        sample: float32(sample.data as Float32Array, sample.dims),
        timestep: float32(new Float32Array(batch).fill(Number((stage('timesteps').data as BigInt64Array)[0])), [batch]),
        encoder_hidden_states: float32(stage('unet_step1_encoder_hidden_states').data as Float32Array, stage('unet_step1_encoder_hidden_states').dims),
        encoder_hidden_states_1: float32(stage('unet_step1_encoder_hidden_states_1').data as Float32Array, stage('unet_step1_encoder_hidden_states_1').dims),
        encoder_attention_mask_1: int64(stage('unet_step1_encoder_attention_mask_1').data as BigInt64Array, stage('unet_step1_encoder_attention_mask_1').dims),
      });
      expect(out.noise_pred.dims).toEqual(stage('unet_step1_noise_pred').dims);
      expect(relativeL2(out.noise_pred.data as Float32Array, stage('unet_step1_noise_pred').data as Float32Array)).toBeLessThan(2e-3);

      const mel = stage('vae_mel');
      const [rows, , frames, bins] = mel.dims;
      const wave = await vocoder.run({ mel: float32(mel.data as Float32Array, [rows, frames, bins]) });
      const expected = stage('waveform');
      const samples = wave.waveform.dims[1];
      const kept = expected.dims[1];
      const data = wave.waveform.data as Float32Array;
      const prefix = new Float32Array(rows * kept);
      for (let r = 0; r < rows; r++) prefix.set(data.subarray(r * samples, r * samples + kept), r * kept);
      expect(relativeL2(prefix, expected.data as Float32Array)).toBeLessThan(2e-3);
    } finally {
      await unet.release();
      await vocoder.release();
    }
  });
});
