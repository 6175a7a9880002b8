import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importReferenceFile } from '../audio/reference-import.ts';
import { decodeWav, encodeWav, listWavChunks, readSmplLoops } from '../audio/wav.ts';
import { readCueMarkers } from '../audio/wav-cues.ts';
import { tempDir, TINY_BUNDLE } from '../engine/testing/tiny-bundle.ts';
import { runLoa } from './testing/run-cli.ts';

const loa = runLoa;

let scratch: Awaited<ReturnType<typeof tempDir>>;
let cache: string;
let refPath: string;
/** The reference as the engine sees it: the same importer the CLI uses (mono, 16 kHz). */
let ref: Float32Array;

beforeAll(async () => {
  scratch = await tempDir('loa-a2a-cli-');
  cache = join(scratch.path, 'cache');
  // A user's file: 44.1 kHz stereo 24-bit, 2 s, two different tones left and right.
  const n = 2 * 44100;
  const left = Float32Array.from({ length: n }, (_, i) => 0.4 * Math.sin((2 * Math.PI * 330 * i) / 44100));
  const right = Float32Array.from({ length: n }, (_, i) => 0.3 * Math.sin((2 * Math.PI * 520 * i) / 44100));
  refPath = join(scratch.path, 'my clip.wav');
  await writeFile(refPath, encodeWav([left, right], 44100, 'pcm24'));
  ref = (await importReferenceFile(refPath, 16000)).samples;
}, 60_000);
afterAll(async () => {
  await scratch.remove();
});

const common = (out: string) => ['--reference', refPath, '--prompt', 'a low hum', '--model', TINY_BUNDLE, '--steps', '3', '--out', join(scratch.path, out)];
const read = async (name: string) => decodeWav(new Uint8Array(await readFile(join(scratch.path, name)))).channels[0];
const firstDifference = (a: Float32Array, b: Float32Array, from: number, to: number) => {
  for (let i = from; i < to; i++) if (a[i] !== b[i]) return i;
  return -1;
};

describe('npm run loa -- continue|vary|inpaint|loop', () => {
  it('continue: reference + exactly N seconds, the reference bit-identical up to the 50 ms crossfade, lineage beside it', async () => {
    const result = await loa(['continue', ...common('cont.wav'), '--seconds', '1.5', '--seed', '4'], cache);
    expect(result.code, result.stderr).toBe(0);
    const out = await read('cont.wav');
    expect(ref.length).toBe(32000);
    expect(out.length).toBe(32000 + 24000);
    expect(firstDifference(out, ref, 0, ref.length)).toBe(32000 - 800);
    // A DAW shows where the continuation starts: a cue marker at the end of the reference.
    expect(readCueMarkers(new Uint8Array(await readFile(join(scratch.path, 'cont.wav'))))).toEqual([{ frame: 32000, label: 'seam' }]);
    const sidecar = JSON.parse(await readFile(join(scratch.path, 'cont.json'), 'utf8'));
    expect(sidecar.recipe.lineage).toMatchObject({
      operation: 'continue',
      seed: 4,
      reference: { kind: 'file', id: refPath, seconds: 2, sha256: createHash('sha256').update(new Uint8Array(ref.buffer)).digest('hex') },
      params: { op: 'continue', prompt: 'a low hum', seconds: 1.5, crossfadeMs: 50, scheduler: 'ddim', steps: 3 },
    });
  });

  it('vary: strength 0 returns the reference; a strength and seed give the same bytes twice; a grid writes one file per cell', async () => {
    expect((await loa(['vary', ...common('v0.wav'), '--strength', '0'], cache)).code).toBe(0);
    expect(Array.from(await read('v0.wav'))).toEqual(Array.from(ref));
    expect((await loa(['vary', ...common('va.wav'), '--strength', '0.7', '--seed', '9'], cache)).code).toBe(0);
    expect((await loa(['vary', ...common('vb.wav'), '--strength', '0.7', '--seed', '9'], cache)).code).toBe(0);
    const audio = async (name: string) => Buffer.from(listWavChunks(new Uint8Array(await readFile(join(scratch.path, name)))).find((c) => c.id === 'data')!.body);
    expect((await audio('va.wav')).equals(await audio('vb.wav'))).toBe(true);
    const grid = await loa(['vary', ...common('grid.wav'), '--strengths', '0.4,1', '--takes', '2', '--seed', '20'], cache);
    expect(grid.code, grid.stderr).toBe(0);
    // Each cell's file is named by its own strength and seed (issue 13), its sidecar beside it.
    expect(grid.stderr).toMatch(/grid_s0\.4_seed20\.wav \(seed 20, 2\.00 s, strength 0\.4\) \+ grid_s0\.4_seed20\.json/);
    expect(grid.stderr).toMatch(/grid_s0\.4_seed21\.wav \(seed 21, 2\.00 s, strength 0\.4\)/);
    expect(grid.stderr).toMatch(/grid_s1_seed20\.wav \(seed 20, 2\.00 s, strength 1\)/);
    expect(grid.stderr).toMatch(/grid_s1_seed21\.wav \(seed 21, 2\.00 s, strength 1\)/);
    expect(grid.stderr).not.toMatch(/grid(-\d)?\.wav/);
    expect((await read('grid_s1_seed21.wav')).length).toBe(ref.length);
    expect(JSON.parse(await readFile(join(scratch.path, 'grid_s1_seed20.json'), 'utf8')).recipe).toMatchObject({
      kind: 'transform',
      seed: 20,
      strength: 1,
      lineage: { operation: 'vary', seed: 20, strength: 1 },
    });
    expect(JSON.parse(await readFile(join(scratch.path, 'grid_s0.4_seed21.json'), 'utf8')).recipe).toMatchObject({ seed: 21, strength: 0.4 });
  });

  it('inpaint: only [from, to) changes', async () => {
    const result = await loa(['inpaint', ...common('inp.wav'), '--from', '0.5', '--to', '1.25'], cache);
    expect(result.code, result.stderr).toBe(0);
    const out = await read('inp.wav');
    expect(out.length).toBe(ref.length);
    expect(firstDifference(out, ref, 0, 8000)).toBe(-1);
    expect(firstDifference(out, ref, 20000, ref.length)).toBe(-1);
    expect(firstDifference(out, ref, 8000, 20000)).toBe(8000);
    expect(readCueMarkers(new Uint8Array(await readFile(join(scratch.path, 'inp.wav'))))).toEqual([
      { frame: 8000, label: 'from' },
      { frame: 20000, label: 'to' },
    ]);
  });

  it('loop: a smpl chunk loops the whole take, and only the stretch around the wrap changes', async () => {
    const result = await loa(['loop', ...common('loop.wav'), '--seam', '0.5'], cache);
    expect(result.code, result.stderr).toBe(0);
    const bytes = new Uint8Array(await readFile(join(scratch.path, 'loop.wav')));
    expect(readSmplLoops(bytes)).toEqual([{ type: 0, start: 0, end: ref.length - 1, playCount: 0 }]);
    const out = decodeWav(bytes).channels[0];
    expect(firstDifference(out, ref, 4000, ref.length - 4000)).toBe(-1);
    expect(out[0]).not.toBe(ref[0]);
    expect(readCueMarkers(bytes)).toEqual([]);
  });

  it.each([
    [['continue', '--prompt', 'x', '--out', 'o.wav'], /Missing --reference/],
    [['continue', '--reference', 'REF', '--prompt', 'x', '--out', 'o.wav', '--strength', '0.5'], /--strength does not apply to continue/],
    [['vary', '--reference', 'REF', '--prompt', 'x', '--out', 'o.wav', '--strength', '1.5'], /strength must be from 0 to 1/],
    [['vary', '--reference', 'REF', '--prompt', '', '--out', 'o.wav'], /prompt is empty/],
    [['inpaint', '--reference', 'REF', '--prompt', 'x', '--out', 'o.wav', '--from', '3', '--to', '4'], /past the end of the reference \(2\.00 s\)/],
    [['loop', '--reference', 'REF', '--prompt', 'x', '--out', 'o.wav', '--scheduler', 'dpmpp'], /loop runs DDIM only/],
    [['continue', '--reference', 'NOPE', '--prompt', 'x', '--out', 'o.wav'], /NOPE|no such|not found|does not exist/i],
  ])('refuses %j with one line before loading the model', async (args, message) => {
    const argv = args.map((a) => (a === 'REF' ? refPath : a === 'NOPE' ? join(scratch.path, 'missing.wav') : a === 'o.wav' ? join(scratch.path, 'o.wav') : a));
    const result = await loa([...argv, '--model', TINY_BUNDLE], cache);
    expect(result.code).not.toBe(0);
    expect(result.stderr.trim().split('\n').at(-1)).toMatch(message);
    expect(result.stderr).not.toMatch(/Loading/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it("refuses a corrupt reference with the decoder's message, before loading the model", async () => {
    const bad = join(scratch.path, 'bad.wav');
    await writeFile(bad, Buffer.concat([Buffer.from('RIFF\x24\x00\x00\x00WAVEfmt '), Buffer.alloc(7)]));
    const result = await loa(['loop', '--reference', bad, '--prompt', 'x', '--out', join(scratch.path, 'o.wav'), '--model', TINY_BUNDLE], cache);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n').at(-1)).toMatch(/^error: .*bad\.wav|^error: .*(fmt|truncated|corrupt)/i);
    expect(result.stderr).not.toMatch(/Loading/);
  });
});
