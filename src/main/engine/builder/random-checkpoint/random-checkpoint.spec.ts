import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ComponentKey } from '../../bundle/contract.ts';
import { Checkpoint, CHECKPOINT_COMPONENTS, type CheckpointComponent } from '../checkpoint/checkpoint.ts';
import { type SafetensorsFile } from '../checkpoint/safetensors.ts';
import { GRAPH_BUILDERS, type GraphBuilder } from '../components/registry.ts';
import { FIXTURE_CHECKPOINT } from '../testing/golden.ts';
import { loadConfigSet, type RandomCheckpointConfigs } from './config-sets.ts';
import { planParameterCounts, planRandomCheckpoint, tensorCount, WEIGHTS_FILE, writeRandomCheckpoint } from './random-checkpoint.ts';
import { fillChunks, tensorStreamSeed } from './random-fill.ts';
import { tensorBytes } from './safetensors-writer.ts';

/** Which bundle graphs read each checkpoint folder, once every builder is registered. */
const GRAPHS_OF: Record<CheckpointComponent, ComponentKey[]> = {
  text_encoder: ['clapText', 'clapAudio'],
  text_encoder_2: ['t5Encoder'],
  language_model: ['gpt2Prefill', 'gpt2Step'],
  projection_model: ['projection'],
  unet: ['unet'],
  vae: ['vaeDecoder', 'vaeEncoder'],
  vocoder: ['vocoder'],
};
const registered = GRAPH_BUILDERS as Partial<Record<ComponentKey, GraphBuilder>>;
/** A folder whose every graph has a builder: its random file must hold all the fixture's tensors. */
const complete = (c: CheckpointComponent) => GRAPHS_OF[c].every((key) => registered[key] !== undefined);
const allRegistered = CHECKPOINT_COMPONENTS.every(complete);

/**
 * Differences from the fixture's tensor list that are intended (name → why). None today: for the
 * tiny configs the random checkpoint holds exactly the tensors, dtypes and shapes diffusers wrote.
 */
const KNOWN_DIFFERENCES: Record<string, string> = {};

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

function tensorBytesOf(file: SafetensorsFile, name: string): Buffer {
  const t = file.tensors.get(name);
  if (!t) throw new Error(`${file.path} has no ${name}`);
  return readFileSync(file.path).subarray(t.offset, t.offset + t.length);
}

function floatsOf(file: SafetensorsFile, name: string): Float32Array {
  const b = tensorBytesOf(file, name);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length));
}

const rms = (v: Float32Array) => Math.sqrt(v.reduce((s, x) => s + x * x, 0) / v.length);

describe('config sets', () => {
  it('tiny is the fixture checkpoint’s configs', async () => {
    const tiny = await loadConfigSet('tiny');
    const read = (file: string) => JSON.parse(readFileSync(join(FIXTURE_CHECKPOINT, file), 'utf8'));
    expect(tiny.model_index).toEqual(read('model_index.json'));
    for (const c of CHECKPOINT_COMPONENTS) expect(tiny[c]).toEqual(read(join(c, 'config.json')));
    expect(tiny.scheduler).toEqual(read('scheduler/scheduler_config.json'));
    expect(tiny.feature_extractor).toEqual(read('feature_extractor/preprocessor_config.json'));
  });

  it('audioldm2 is the published configs, GPT-2 completed with the base defaults', async () => {
    const full = await loadConfigSet('audioldm2');
    const spec = join(import.meta.dirname, '../../../../../../shared/spec/checkpoints/audioldm2');
    const read = (file: string) => JSON.parse(readFileSync(join(spec, file), 'utf8'));
    if (!existsSync(spec)) return; // the spec folder lives beside the repository, not in it
    for (const c of CHECKPOINT_COMPONENTS.filter((c) => c !== 'language_model')) expect(full[c]).toEqual(read(join(c, 'config.json')));
    expect(full.language_model).toEqual({ ...read('language_model/config.partial.json'), vocab_size: 50257, use_cache: true });
    expect(full.model_index).toEqual(read('model_index.json'));
  });

  it('refuses an unknown set by name, listing the known ones', async () => {
    await expect(loadConfigSet('../tiny')).rejects.toThrow(/no config set "\.\.\/tiny"/);
    await expect(loadConfigSet('huge')).rejects.toMatchObject({ hint: expect.stringContaining('audioldm2, tiny') });
  });
});

describe('the planned tensors of the tiny configs vs what diffusers saved', () => {
  let tiny: RandomCheckpointConfigs;
  let fixture: Checkpoint;
  beforeAll(async () => {
    tiny = await loadConfigSet('tiny');
    fixture = await Checkpoint.open(FIXTURE_CHECKPOINT);
  });

  it.each(CHECKPOINT_COMPONENTS)('%s: the same tensor names, dtypes and shapes (all of them once its graphs are registered)', (component) => {
    const plan = planRandomCheckpoint(tiny)[component];
    const saved = fixture.weights(component) as SafetensorsFile;
    const describe = (t: { dtype: string; shape: readonly number[] }) => `${t.dtype}[${t.shape.join(', ')}]`;
    const ours = new Map(plan.tensors.map((t) => [t.name, describe(t)]));
    const theirs = new Map([...saved.tensors.values()].map((t) => [t.name, describe(t)]));
    const mismatched = [...ours].filter(([name, d]) => !(name in KNOWN_DIFFERENCES) && theirs.get(name) !== d).map(([name, d]) => `${name}: ours ${d}, diffusers ${theirs.get(name) ?? 'absent'}`);
    expect(mismatched).toEqual([]);
    if (complete(component)) {
      expect([...theirs.keys()].filter((name) => !ours.has(name) && !(name in KNOWN_DIFFERENCES))).toEqual([]);
      expect(plan.graphs.sort()).toEqual([...GRAPHS_OF[component]].sort());
    }
  });

  it('the file names are the ones save_pretrained uses', () => {
    for (const c of CHECKPOINT_COMPONENTS) expect((fixture.weights(c) as SafetensorsFile).path).toBe(join(FIXTURE_CHECKPOINT, c, WEIGHTS_FILE[c]));
  });

  it.skipIf(!allRegistered)('the tiny checkpoint has the fixture’s parameter count, component by component', () => {
    const { perComponent } = planParameterCounts(planRandomCheckpoint(tiny));
    for (const c of CHECKPOINT_COMPONENTS) {
      const saved = fixture.weights(c) as SafetensorsFile;
      expect(perComponent[c]).toBe([...saved.tensors.values()].reduce((s, t) => s + tensorCount(t), 0));
    }
  });
});

describe('a written tiny random checkpoint', () => {
  const root = mkdtempSync(join(tmpdir(), 'loa-random-ckpt-'));
  const dirA = join(root, 'a');
  const dirB = join(root, 'nested', 'b');
  const dirOtherSeed = join(root, 'c');
  let tiny: RandomCheckpointConfigs;
  let checkpoint: Checkpoint;
  let fixture: Checkpoint;

  beforeAll(async () => {
    tiny = await loadConfigSet('tiny');
    await writeRandomCheckpoint(dirA, tiny, { seed: 7 });
    await writeRandomCheckpoint(dirB, tiny, { seed: 7 });
    await writeRandomCheckpoint(dirOtherSeed, tiny, { seed: 8 });
    checkpoint = await Checkpoint.open(dirA);
    fixture = await Checkpoint.open(FIXTURE_CHECKPOINT);
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('opens with Checkpoint.open and has every file of the fixture, nothing else', () => {
    expect(filesUnder(dirA)).toEqual(filesUnder(FIXTURE_CHECKPOINT));
    for (const c of CHECKPOINT_COMPONENTS) expect(checkpoint.config(c)).toEqual(tiny[c]);
    expect(checkpoint.modelIndex).toEqual(JSON.parse(readFileSync(join(FIXTURE_CHECKPOINT, 'model_index.json'), 'utf8')));
    expect(checkpoint.scheduler).toEqual(tiny.scheduler);
    expect(checkpoint.featureExtractor).toEqual(tiny.feature_extractor);
    for (const file of filesUnder(dirA).filter((f) => f.startsWith('tokenizer'))) {
      expect(readFileSync(join(dirA, file)).equals(readFileSync(join(FIXTURE_CHECKPOINT, file)))).toBe(true);
    }
  });

  it('is byte-identical for the same configs and seed (sha256 of every file), different for another seed', () => {
    const files = filesUnder(dirA);
    expect(files.map((f) => sha256(join(dirB, f)))).toEqual(files.map((f) => sha256(join(dirA, f))));
    for (const c of CHECKPOINT_COMPONENTS.filter((c) => complete(c))) {
      expect(sha256(join(dirOtherSeed, c, WEIGHTS_FILE[c]))).not.toBe(sha256(join(dirA, c, WEIGHTS_FILE[c])));
    }
    expect(sha256(join(dirOtherSeed, 'unet', 'config.json'))).toBe(sha256(join(dirA, 'unet', 'config.json')));
  });

  it("each tensor's values come from its own stream: (seed, component, name) alone", () => {
    const plan = planRandomCheckpoint(tiny).projection_model;
    const weight = plan.tensors.find((t) => t.name === 'projection.weight')!;
    const expected = Buffer.concat([...fillChunks(weight.fill, 'F32', tensorCount(weight), tensorStreamSeed(7, 'projection_model', 'projection.weight'))]);
    expect(tensorBytesOf(checkpoint.weights('projection_model') as SafetensorsFile, 'projection.weight').equals(expected)).toBe(true);
  });

  it('holds what diffusers saved for the tensors no graph reads (logit scales, buffers)', () => {
    const same = (component: CheckpointComponent, name: string) => {
      const ours = tensorBytesOf(checkpoint.weights(component) as SafetensorsFile, name);
      const theirs = tensorBytesOf(fixture.weights(component) as SafetensorsFile, name);
      expect(ours.equals(theirs), `${component} ${name}`).toBe(true);
    };
    const clap = checkpoint.weights('text_encoder') as SafetensorsFile;
    // ClapModel.__init__ sets both to log(logit_scale_init_value), as the real checkpoint's training
    // started from. The fixture holds -0.0036 / -0.0051 there (its generator's init pass drew them),
    // so these two are the one place our values deliberately differ from the fixture's.
    for (const name of ['logit_scale_a', 'logit_scale_t']) {
      expect(floatsOf(clap, name)[0]).toBe(Math.fround(Math.log(14.285714285714285)));
      expect(Math.abs(floatsOf(fixture.weights('text_encoder') as SafetensorsFile, name)[0])).toBeLessThan(0.01);
    }
    const buffers = [...clap.tensors.keys()].filter((n) => /relative_position_index|position_ids|token_type_ids|num_batches_tracked/.test(n));
    expect(buffers.length).toBe(3 + 5);
    for (const name of buffers) same('text_encoder', name);
    same('vocoder', 'mean');
    same('vocoder', 'scale');
    const wte = floatsOf(checkpoint.weights('language_model') as SafetensorsFile, 'wte.weight');
    expect(rms(wte)).toBeCloseTo(0.02, 3);
  });

  it.skipIf(!allRegistered)('draws each init kind at its scale', () => {
    const unet = checkpoint.weights('unet') as SafetensorsFile;
    expect(rms(floatsOf(unet, 'conv_in.weight'))).toBeCloseTo(1 / Math.sqrt(8 * 9), 2);
    expect(rms(floatsOf(unet, 'conv_in.bias'))).toBeLessThan(0.02);
    expect([...floatsOf(unet, 'conv_norm_out.weight')].every((v) => v === 1)).toBe(true);
    expect([...floatsOf(unet, 'conv_norm_out.bias')].every((v) => v === 0)).toBe(true);
    // GPT-2's Conv1D [in, out]: fan_in = in.
    expect(rms(floatsOf(checkpoint.weights('language_model') as SafetensorsFile, 'h.0.mlp.c_fc.weight'))).toBeCloseTo(1 / 8, 2);
    // The vocoder's first upsampler [64, 32, 16], stride 5: fan_in = 64·16/5 (the fixture README's re-initialisation).
    expect(rms(floatsOf(checkpoint.weights('vocoder') as SafetensorsFile, 'upsampler.0.weight'))).toBeCloseTo(1 / Math.sqrt((64 * 16) / 5), 2);
    // T5 folds 1/√d_kv into q (its own init), d_model 48, d_kv 12.
    expect(rms(floatsOf(checkpoint.weights('text_encoder_2') as SafetensorsFile, 'encoder.block.0.layer.0.SelfAttention.q.weight'))).toBeCloseTo(1 / Math.sqrt(48 * 12), 2);
  });

  it('replaces an existing folder, and a failed write leaves the old one and no partial folder', async () => {
    const target = join(root, 'replace');
    mkdirSync(target);
    writeFileSync(join(target, 'old.txt'), 'old');
    await writeRandomCheckpoint(target, tiny, { seed: 7 });
    expect(existsSync(join(target, 'old.txt'))).toBe(false);
    expect(sha256(join(target, 'unet', WEIGHTS_FILE.unet))).toBe(sha256(join(dirA, 'unet', WEIGHTS_FILE.unet)));

    const before = readdirSync(root).sort();
    await expect(writeRandomCheckpoint(target, tiny, { seed: 7, tokenizersFrom: join(root, 'no-such-folder') })).rejects.toThrow(/ENOENT/);
    expect(readdirSync(root).sort()).toEqual(before);
    expect(sha256(join(target, 'unet', WEIGHTS_FILE.unet))).toBe(sha256(join(dirA, 'unet', WEIGHTS_FILE.unet)));
    await expect(writeRandomCheckpoint(join(root, 'bad-seed'), tiny, { seed: -1 })).rejects.toThrow(RangeError);
    expect(existsSync(join(root, 'bad-seed'))).toBe(false);
  });
});

/**
 * The published cvssp/audioldm2 configs, planned (never written in tests: about 4.5 GB). Values per
 * folder, parameters and saved buffers together; where they come from:
 * - text_encoder_2 341,231,104, language_model 124,439,808 (incl. the unused wte), projection_model
 *   1,184,256, vocoder 55,264,897 parameters + 128 (mean, scale): docs/engine-spec.md §1.5,
 *   computed from the configs.
 * - text_encoder: 193,914,010 parameters (text branch 125,302,016 as its builder's commit states) +
 *   74,757 buffer values (position_ids and token_type_ids 2·514, num_batches_tracked 1, 18 Swin blocks'
 *   relative_position_index 64·64 each).
 * - unet 346,943,496 (diffusers' docs: "350M"), vae 55,376,873 (encoder and decoder): as the builders
 *   plan them, whose tiny configs give exactly the fixture's tensors (above).
 */
const FULL_VALUES: Record<CheckpointComponent, number> = {
  text_encoder: 193_914_010 + 74_757,
  text_encoder_2: 341_231_104,
  language_model: 124_439_808,
  projection_model: 1_184_256,
  unet: 346_943_496,
  vae: 55_376_873,
  vocoder: 55_264_897 + 128,
};

describe('the planned full-size (cvssp/audioldm2) checkpoint', () => {
  it('has the published parameter counts for every registered folder, and sums them', async () => {
    const plan = planRandomCheckpoint(await loadConfigSet('audioldm2'));
    const { perComponent, total } = planParameterCounts(plan);
    let expected = 0;
    for (const c of CHECKPOINT_COMPONENTS) {
      if (complete(c)) expect(perComponent[c], c).toBe(FULL_VALUES[c]);
      expected += complete(c) ? FULL_VALUES[c] : perComponent[c];
    }
    expect(total).toBe(expected);
    if (allRegistered) {
      expect(total).toBe(1_118_429_329);
      const bytes = CHECKPOINT_COMPONENTS.reduce((s, c) => s + plan[c].tensors.reduce((b, t) => b + tensorBytes(t.dtype, t.shape), 0), 0);
      expect(bytes).toBe(4 * 1_118_429_329 + 4 * 74_757); // the int64 buffers take 8 bytes a value
    }
  }, 60_000);
});
