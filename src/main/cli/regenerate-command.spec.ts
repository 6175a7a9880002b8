import { copyFile, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lineage } from '../../shared/engine/lineage.ts';
import type { Recipe } from '../../shared/library/recipe.ts';
import { decodeWav, encodeWav, listWavChunks, readSmplLoops } from '../audio/wav.ts';
import { manifestHash, readManifest } from '../engine/bundle/manifest.ts';
import { tempDir, TINY_BUNDLE } from '../engine/testing/tiny-bundle.ts';
import { REPO_ROOT, runNode, type CliResult } from './testing/run-cli.ts';
import { recipeChunks, sidecarJson } from '../library/wav-metadata.ts';
import { InvalidRequestError } from '../../shared/errors.ts';
import { regenerationTask } from '../library/regeneration-task.ts';
import type { ExportOptions, TakeInfo } from '../../shared/studio/studio-api.ts';
import { defaultExporter, writeExport } from '../studio/export-writer.ts';

const ROOT = REPO_ROOT;
const node = runNode;

/** The real CLI, exactly as `npm run loa --` runs it. */
const loa = (args: string[]) => node(['src/main/cli/loa.ts', ...args], cache);

/**
 * `regenerate` in a fresh process with loa.ts's error handling (one `error:` line; exit 2 for
 * usage and request errors, 1 for the rest), run on the function itself; one case below also goes
 * through the real entry point (`loa regenerate`), so both the command and its wiring are covered.
 */
function regen(args: string[]): Promise<CliResult> {
  const url = (file: string) => JSON.stringify(pathToFileURL(join(ROOT, file)).href);
  const script = `
    const { regenerate } = await import(${url('src/main/cli/regenerate-command.ts')});
    const { CancelledError, describeError, InvalidRequestError } = await import(${url('src/shared/errors.ts')});
    try {
      await regenerate(process.argv.slice(1));
    } catch (error) {
      const parseError = String(error?.code ?? '').startsWith('ERR_PARSE_ARGS');
      process.stderr.write('\\nerror: ' + (parseError ? error.message : describeError(error)).replace(/\\s+/g, ' ').trim() + '\\n');
      process.exitCode = error instanceof CancelledError ? 130 : parseError || error instanceof InvalidRequestError ? 2 : 1;
    }`;
  return node(['--input-type=module', '-e', script, '--', ...args], cache);
}

let scratch: Awaited<ReturnType<typeof tempDir>>;
let cache: string;
let bundleHash: string;
let model: Recipe['model'];
let refPath: string;

const at = (name: string) => join(scratch.path, name);
const bytesOf = async (name: string) => new Uint8Array(await readFile(at(name)));
const samplesOf = async (name: string) => decodeWav(await bytesOf(name)).channels[0];
const dataChunk = (bytes: Uint8Array) => listWavChunks(bytes).find((c) => c.id === 'data')!.body;
const lastLine = (text: string) => text.trim().split('\n').at(-1)!;
const sameBits = (a: Float32Array, b: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

function recipe(kind: Recipe['kind'], params: Recipe['params'], seed: number, samples: number, extra: Partial<Recipe> = {}): Recipe {
  return {
    format: 'loa-studio-recipe',
    version: 1,
    kind,
    params,
    seed,
    model,
    device: 'cpu',
    sampleRate: 16000,
    samples,
    createdAt: new Date().toISOString(),
    app: { name: 'LOA Studio', version: '0.1.0' },
    ...extra,
  };
}

/** The take written again with a recipe built here, so regenerate is checked against a recipe the test controls. */
async function withRecipe(take: string, out: string, r: Recipe): Promise<void> {
  const bytes = await bytesOf(take);
  const wav = decodeWav(bytes);
  const loop = readSmplLoops(bytes)[0];
  await writeFile(at(out), encodeWav(wav.channels, wav.sampleRate, 'float32', { ...(loop ? { loop } : {}), chunks: recipeChunks(r, { takeId: out }) }));
}

const PROMPT = 'glass ☔ on <concrete> & ]]> tin';
const GENERATE_PARAMS = { prompt: PROMPT, negativePrompt: 'Low quality.', seconds: 1, steps: 3, scheduler: 'dpmpp' as const, guidance: 3.5, seed: 12, takes: 2 };
/** Seed of each written take, from the CLI's "wrote <path> (seed N, …)" lines. */
const seeds = new Map<string, number>();
let varyLineage: Lineage;

beforeAll(async () => {
  scratch = await tempDir('loa-regenerate-');
  cache = at('cache');
  bundleHash = await manifestHash(TINY_BUNDLE);
  const manifest = await readManifest(TINY_BUNDLE);
  model = { id: manifest.id, name: manifest.name, bundleHash };
  refPath = at('ref.wav');
  await writeFile(refPath, encodeWav([Float32Array.from({ length: 32000 }, (_, i) => 0.4 * Math.sin((2 * Math.PI * 220 * i) / 16000))], 16000, 'pcm16'));

  const made = await loa(['generate', PROMPT, '--model', TINY_BUNDLE, '--seconds', '1', '--steps', '3', '--seed', '12', '--takes', '2', '--out', at('a.wav')]);
  expect(made.code, made.stderr).toBe(0);
  for (const [, path, seed] of made.stderr.matchAll(/wrote (\S+) \(seed (\d+)/g)) seeds.set(path, Number(seed));
  expect([...seeds.values()].sort()).toEqual([12, 13]);

  const varied = await loa(['vary', '--reference', refPath, '--prompt', 'a low hum', '--strengths', '0.3,0.6', '--seed', '3', '--steps', '4', '--model', TINY_BUNDLE, '--out', at('v.wav')]);
  expect(varied.code, varied.stderr).toBe(0);
  const sidecars = await Promise.all(['v_s0.3_seed3.json', 'v_s0.6_seed3.json'].map(async (f) => JSON.parse(await readFile(at(f), 'utf8')).recipe.lineage as Lineage));
  varyLineage = sidecars.find((l) => l.strength === 0.6)!;
  expect(varyLineage).toMatchObject({ operation: 'vary', seed: 3, strength: 0.6, reference: { kind: 'file', id: refPath } });
}, 240_000);

afterAll(async () => {
  await scratch.remove();
});

describe('regenerate a text-to-audio take', () => {
  it('remakes the second take of a two-take job, bit-identical, from the recipe in its iXML chunk', async () => {
    const second = at('a-2.wav');
    await withRecipe('a-2.wav', 'a2-recipe.wav', recipe('generate', GENERATE_PARAMS, seeds.get(second)!, (await samplesOf('a-2.wav')).length));
    const result = await regen([at('a2-recipe.wav'), '--out', at('a2-again.wav'), '--model', TINY_BUNDLE]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(`Regenerating take of “${PROMPT}” (seed ${seeds.get(second)}, dpmpp 3 steps) on tiny-random (recipe from its iXML chunk).`);
    expect(result.stderr).toMatch(/wrote .*a2-again\.wav \(seed \d+, 1\.00 s/);
    expect(sameBits(await samplesOf('a2-again.wav'), await samplesOf('a-2.wav'))).toBe(true);
    expect(Buffer.from(dataChunk(await bytesOf('a2-again.wav'))).equals(Buffer.from(dataChunk(await bytesOf('a-2.wav'))))).toBe(true);
  });

  it('falls back to the <take>.json sidecar when the WAV carries no recipe', async () => {
    // The take as another tool might save it: the same audio with our chunks stripped.
    const bare = at('a-bare.wav');
    await writeFile(bare, encodeWav([await samplesOf('a.wav')], 16000, 'float32'));
    await writeFile(at('a-bare.json'), sidecarJson(recipe('generate', GENERATE_PARAMS, seeds.get(at('a.wav'))!, 16000)));
    const result = await regen([bare, '--out', at('a-again.wav'), '--model', TINY_BUNDLE]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(`(recipe from ${at('a-bare.json')})`);
    expect(sameBits(await samplesOf('a-again.wav'), await samplesOf('a.wav'))).toBe(true);
  });
});

describe('regenerate an exported file', () => {
  it('remakes a 48 kHz 24-bit export of a region, bit-identical, from the take and rendering in its recipe', async () => {
    const take = { id: 'e'.repeat(32), seed: seeds.get(at('a-2.wav'))!, tags: [] as string[] } as unknown as TakeInfo;
    const options: ExportOptions = { format: 'pcm24', sampleRate: 48000, normalize: { kind: 'peak', dbfs: -1 }, fadeInMs: 5, fadeOutMs: 5, nameTemplate: '{seed}' };
    const exported = await writeExport(defaultExporter, {
      take,
      source: at('a-2.wav'),
      exportsDir: at('Exports'),
      options,
      ucs: { catId: '', creator: '', source: '' },
      index: 0,
      region: { start: 0.2, end: 0.7 },
    });
    const result = await regen([exported.path, '--out', at('export-again.wav'), '--model', TINY_BUNDLE]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(`The file is an export of take ${take.id}: the take is rendered again as it was (region 0.2–0.7 s, 48 kHz 24-bit, peak −1 dBFS, fades 5 / 5 ms).`);
    const again = await bytesOf('export-again.wav');
    expect(decodeWav(again)).toMatchObject({ sampleRate: 48000, format: 'pcm24' });
    expect(Buffer.from(dataChunk(again)).equals(Buffer.from(dataChunk(new Uint8Array(await readFile(exported.path)))))).toBe(true);
    // The remade file is an export too: dropped or regenerated again, it says so.
    expect(JSON.parse(await readFile(at('export-again.json'), 'utf8')).recipe.rendering).toMatchObject({ takeId: take.id, region: { start: 0.2, end: 0.7 } });
  });
});

describe('regenerate an audio-to-audio take', () => {
  const varyRecipe = (lineage: Lineage) => recipe('transform', lineage.params, lineage.seed, 32000, { strength: lineage.strength, lineage });
  const varyFile = async () => 'v_s0.6_seed3.wav';

  it('remakes one cell of a variation grid (strength 0.6 of 0.3, 0.6) bit-identically from the reference file', async () => {
    const take = await varyFile();
    await withRecipe(take, 'v-recipe.wav', varyRecipe(varyLineage));
    const result = await regen([at('v-recipe.wav'), '--out', at('v-again.wav'), '--model', TINY_BUNDLE]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('Regenerating vary take (strength 0.6) of “a low hum” (seed 3, dpmpp 4 steps) on tiny-random');
    expect(result.stderr).toMatch(/wrote .*v-again\.wav \(seed 3, 2\.00 s, strength 0\.6\)/);
    expect(sameBits(await samplesOf('v-again.wav'), await samplesOf(take))).toBe(true);
  });

  it('says the reference is missing and takes --reference <file> pointing at a moved copy', async () => {
    const moved = at('moved ref.wav');
    await copyFile(refPath, moved);
    const gone = at('gone.wav');
    const lineage: Lineage = { ...varyLineage, reference: { ...varyLineage.reference, id: gone } };
    await withRecipe(await varyFile(), 'v-gone.wav', varyRecipe(lineage));

    const missing = await regen([at('v-gone.wav'), '--out', at('v-x.wav'), '--model', TINY_BUNDLE]);
    expect(missing.code).toBe(2);
    expect(lastLine(missing.stderr)).toBe(
      `error: The reference ${gone} changed or is missing: Cannot import ${gone}: the file does not exist. Pass --reference <file> with the exact audio the take was made from.`,
    );
    expect(missing.stderr).not.toMatch(/Loading|\n\s+at /);

    const found = await regen([at('v-gone.wav'), '--reference', moved, '--out', at('v-moved.wav'), '--model', TINY_BUNDLE]);
    expect(found.code, found.stderr).toBe(0);
    expect(sameBits(await samplesOf('v-moved.wav'), await samplesOf(await varyFile()))).toBe(true);
  });

  it('refuses a reference whose audio changed, naming both SHA-256s', async () => {
    const other = at('other.wav');
    await writeFile(other, encodeWav([Float32Array.from({ length: 32000 }, (_, i) => 0.4 * Math.sin((2 * Math.PI * 221 * i) / 16000))], 16000, 'pcm16'));
    const result = await regen([at('v-recipe.wav'), '--reference', other, '--out', at('v-y.wav'), '--model', TINY_BUNDLE]);
    expect(result.code).toBe(2);
    expect(lastLine(result.stderr)).toMatch(
      new RegExp(`^error: --reference ${other} changed or is missing: its audio has SHA-256 [0-9a-f]{64}, the take was made from ${varyLineage.reference.sha256}\\. Pass --reference <file>`),
    );
  });

  it('remakes a loop take, smpl loop points included', async () => {
    const made = await loa(['loop', '--reference', refPath, '--prompt', 'a low hum', '--steps', '3', '--seed', '5', '--model', TINY_BUNDLE, '--out', at('l.wav')]);
    expect(made.code, made.stderr).toBe(0);
    const lineage = JSON.parse(await readFile(at('l.json'), 'utf8')).recipe.lineage as Lineage;
    const samples = (await samplesOf('l.wav')).length;
    await withRecipe('l.wav', 'l-recipe.wav', recipe('transform', lineage.params, lineage.seed, samples, { lineage, loop: { start: 0, end: samples - 1 } }));
    const result = await regen([at('l-recipe.wav'), '--out', at('l-again.wav'), '--model', TINY_BUNDLE]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('Regenerating loop take of “a low hum” (seed 5, ddim 3 steps) on tiny-random');
    expect(sameBits(await samplesOf('l-again.wav'), await samplesOf('l.wav'))).toBe(true);
    expect(readSmplLoops(await bytesOf('l-again.wav'))).toEqual(readSmplLoops(await bytesOf('l.wav')));
  });
});

describe('regenerate refuses, in one line, before loading the model', () => {
  it('a WAV with no recipe and no sidecar, or only a lineage sidecar (exit 2)', async () => {
    for (const name of ['plain.wav', 'lineage-only.wav']) {
      await writeFile(at(name), encodeWav([new Float32Array(1600)], 16000, 'float32'));
    }
    await writeFile(at('lineage-only.json'), JSON.stringify({ loaStudio: 1, lineage: varyLineage }));
    for (const name of ['plain.wav', 'lineage-only.wav']) {
      const result = await regen([at(name), '--out', at('x.wav'), '--model', TINY_BUNDLE]);
      expect(result.code).toBe(2);
      expect(lastLine(result.stderr)).toMatch(
        new RegExp(`^error: ${at(name)} has no LOA Studio recipe \\(none in the file${name === 'plain.wav' ? '' : ', none readable in .*lineage-only\\.json'}\\)\\. Only takes written by LOA Studio`),
      );
      expect(result.stderr).not.toMatch(/Loading|\n\s+at /);
    }
  });

  it('a recipe made with another bundle (exit 1), naming both manifest hashes and what to do', async () => {
    const other = 'f'.repeat(64);
    await withRecipe('a.wav', 'other-model.wav', recipe('generate', GENERATE_PARAMS, 12, 16000, { model: { id: 'audioldm2-music', name: 'AudioLDM 2 Music', bundleHash: other } }));
    const result = await regen([at('other-model.wav'), '--out', at('x.wav'), '--model', TINY_BUNDLE]);
    expect(result.code).toBe(1);
    expect(lastLine(result.stderr)).toBe(
      `error: The take was made with "AudioLDM 2 Music" (audioldm2-music, manifest SHA-256 ${other}), but ${TINY_BUNDLE} is "${model.name}" (tiny-random, manifest SHA-256 ${bundleHash}). Pass --model <dir> for the bundle the take was made with; another bundle cannot make the same take.`,
    );
    expect(result.stderr).not.toMatch(/Loading/);
  });

  it('a file that is not a WAV (exit 1), a missing file, and usage mistakes (exit 2)', async () => {
    await writeFile(at('notes.wav'), 'just text');
    const notWav = await regen([at('notes.wav'), '--out', at('x.wav')]);
    expect(notWav.code).toBe(1);
    expect(lastLine(notWav.stderr)).toBe(`error: ${at('notes.wav')} is not a WAV file (not a RIFF/WAVE file). Regenerate reads the WAV takes LOA Studio writes; pick one of those.`);
    const missing = await regen([at('nope.wav'), '--out', at('x.wav')]);
    expect(missing.code).toBe(2);
    expect(lastLine(missing.stderr)).toMatch(/nope\.wav does not exist\./);
    expect((await regen([at('a2-recipe.wav')])).stderr).toMatch(/Missing --out/);
    expect((await regen(['--out', at('x.wav')])).code).toBe(2);
    const same = await regen([at('a2-recipe.wav'), '--out', at('a2-recipe.wav')]);
    expect(same.code).toBe(2);
    expect(lastLine(same.stderr)).toMatch(/--out is the take being regenerated/);
    const ref = await regen([at('a2-recipe.wav'), '--reference', refPath, '--out', at('x.wav'), '--model', TINY_BUNDLE]);
    expect(ref.code).toBe(2);
    expect(lastLine(ref.stderr)).toMatch(/--reference applies only to audio-to-audio takes/);
  });
});

describe('regenerationTask', () => {
  it("runs one take with the take's own seed, and for a grid cell its own strength", () => {
    expect(regenerationTask(recipe('generate', GENERATE_PARAMS, 13, 16000))).toEqual({ kind: 'generate', params: { ...GENERATE_PARAMS, seed: 13, takes: 1 } });
    const ref = new Float32Array(4);
    const params = { ...varyLineage.params, op: 'vary' as const, strengths: [0.3, 0.6], takes: 3, seed: 7 };
    const lineage = { ...varyLineage, params, seed: 8, strength: 0.6 };
    expect(regenerationTask(recipe('transform', params, 8, 1, { strength: 0.6, lineage }), ref)).toEqual({
      kind: 'transform',
      params: { ...params, seed: 8, takes: 1, strengths: [0.6] },
      reference: ref,
    });
    // the strength only in the lineage, or a one-strength job: still known; a grid without it: refused
    expect(regenerationTask(recipe('transform', params, 8, 1, { lineage }), ref)).toMatchObject({ params: { strengths: [0.6] } });
    const single = { ...params, strengths: [0.4] };
    const bare = { ...lineage, params: single, strength: undefined };
    expect(regenerationTask(recipe('transform', single, 8, 1, { lineage: bare }), ref)).toMatchObject({ params: { strengths: [0.4] } });
    expect(() => regenerationTask(recipe('transform', params, 8, 1, { lineage: { ...lineage, strength: undefined } }), ref)).toThrow(InvalidRequestError);
  });
});

describe('npm run loa -- regenerate', () => {
  it('runs through the real CLI entry point', async () => {
    const result = await loa(['regenerate', at('a2-recipe.wav'), '--out', at('a2-cli.wav'), '--model', TINY_BUNDLE]);
    expect(result.code, result.stderr).toBe(0);
    expect(sameBits(await samplesOf('a2-cli.wav'), await samplesOf('a-2.wav'))).toBe(true);
    await rm(at('a2-cli.wav'));
  });
});
