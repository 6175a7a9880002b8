import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeWav, listWavChunks } from '../audio/wav.ts';
import { readRecipe } from '../library/wav-metadata.ts';
import { copyTinyBundle, tempDir, TINY_BUNDLE } from '../engine/testing/tiny-bundle.ts';
import { runLoa } from './testing/run-cli.ts';

const loa = runLoa;

let scratch: Awaited<ReturnType<typeof tempDir>>;
let cache: string;
beforeAll(async () => {
  scratch = await tempDir('loa-cli-');
  cache = join(scratch.path, 'cache');
});
afterAll(async () => {
  await scratch.remove();
});

/** The `data` chunk: the audio samples' bytes, without the metadata chunks around them. */
function audioBytes(file: Buffer): Buffer {
  return Buffer.from(listWavChunks(new Uint8Array(file)).find((c) => c.id === 'data')!.body);
}

function lastLine(text: string): string {
  return text.trim().split('\n').at(-1)!;
}

describe('npm run loa -- generate', () => {
  it('writes a 16 kHz mono float WAV of exactly 40000 samples, identical on a rerun, different for another seed', async () => {
    const a = join(scratch.path, 'a.wav');
    const b = join(scratch.path, 'b.wav');
    const c = join(scratch.path, 'c.wav');
    const common = ['generate', 'glass shattering on concrete', '--model', TINY_BUNDLE, '--seconds', '2.5', '--steps', '10'];
    const first = await loa([...common, '--seed', '7', '--out', a], cache);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/wrote .*a\.wav \(seed 7, 2\.50 s\)/);
    expect(first.stderr).toMatch(/denoise/);
    const wav = decodeWav(new Uint8Array(await readFile(a)));
    expect(wav.sampleRate).toBe(16000);
    expect(wav.channels).toHaveLength(1);
    expect(wav.channels[0].length).toBe(40000);
    expect(wav.format).toBe('float32');

    // The audio is bit-identical on a rerun; the metadata around it records when each was made.
    expect((await loa([...common, '--seed', '7', '--out', b], cache)).code).toBe(0);
    expect(audioBytes(await readFile(a)).equals(audioBytes(await readFile(b)))).toBe(true);
    expect((await loa([...common, '--seed', '8', '--out', c], cache)).code).toBe(0);
    expect(audioBytes(await readFile(a)).equals(audioBytes(await readFile(c)))).toBe(false);
    const recipe = readRecipe(new Uint8Array(await readFile(a)))!;
    expect(recipe).toMatchObject({
      kind: 'generate',
      seed: 7,
      params: { prompt: 'glass shattering on concrete', seconds: 2.5, steps: 10 },
      model: { id: 'tiny-random' },
      device: 'cpu',
      samples: 40000,
    });
    expect(JSON.parse(await readFile(join(scratch.path, 'a.json'), 'utf8')).recipe).toEqual(recipe);
  });

  it('writes one file per take, best first: x.wav, x-2.wav', async () => {
    const out = join(scratch.path, 'takes.wav');
    const result = await loa(['generate', 'dog barking', '--model', TINY_BUNDLE, '--seconds', '1', '--steps', '2', '--takes', '2', '--seed', '1', '--out', out], cache);
    expect(result.code, result.stderr).toBe(0);
    expect((await stat(out)).size).toBeGreaterThan(16000 * 4);
    expect((await stat(join(scratch.path, 'takes-2.wav'))).size).toBe((await stat(out)).size);
    expect(result.stderr).toMatch(/CLAP -?\d+\.\d{3}/);
  });

  it.each([
    [['--steps', '0'], /steps must be a whole number from 1 to 999/],
    [['--steps', '1001'], /steps must be a whole number from 1 to 999/],
    [['--guidance', '0.5'], /guidance must be from 1 to 30/],
    [['--guidance', 'x'], /guidance must be a number/],
    [['--seconds', '31'], /seconds must be from 0.5 to 30/],
    [['--seconds', '0.4'], /seconds must be from 0.5 to 30/],
    [['--seed=-3'], /seed must be a non-negative whole number/],
    [['--seed', '1.5'], /seed must be a non-negative whole number/],
    [['--takes', '0'], /takes must be a whole number from 1 to 16/],
    [['--takes', '17'], /takes must be a whole number from 1 to 16/],
    [['--scheduler', 'euler'], /scheduler must be one of ddim, dpmpp/],
    [['--device', 'tpu'], /device must be one of/],
    [['--bogus', '1'], /Unknown option '--bogus'/],
  ])('refuses %j with exit code 2 and one line, before loading anything', async (extra, message) => {
    const result = await loa(['generate', 'rain', '--model', TINY_BUNDLE, '--out', join(scratch.path, 'x.wav'), ...extra], cache);
    expect(result.code).toBe(2);
    expect(lastLine(result.stderr)).toMatch(/^error: /);
    expect(lastLine(result.stderr)).toMatch(message);
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(result.stderr).not.toMatch(/Loading/);
  });

  it('refuses an empty prompt and a missing --out', async () => {
    const empty = await loa(['generate', '  ', '--model', TINY_BUNDLE, '--out', join(scratch.path, 'x.wav')], cache);
    expect(empty.code).toBe(2);
    expect(lastLine(empty.stderr)).toMatch(/^error: prompt is empty\. Describe the sound you want/);
    const noOut = await loa(['generate', 'rain', '--model', TINY_BUNDLE], cache);
    expect(noOut.code).toBe(2);
    expect(lastLine(noOut.stderr)).toMatch(/Missing --out/);
  });

  it('says what to do when the model bundle is missing', async () => {
    const result = await loa(['generate', 'rain', '--model', join(scratch.path, 'no-model'), '--out', join(scratch.path, 'x.wav')], cache);
    expect(result.code).toBe(1);
    expect(lastLine(result.stderr)).toMatch(/^error: No model bundle at .*no-model: the folder does not exist\. Pick a bundle folder/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('says the disk or folder is unwritable without leaving a partial file', async () => {
    const result = await loa(['generate', 'rain', '--model', TINY_BUNDLE, '--seconds', '1', '--steps', '1', '--seed', '1', '--out', '/proc/loa-test.wav'], cache);
    expect(result.code).toBe(1);
    expect(lastLine(result.stderr)).toMatch(/^error: Cannot write \/proc\/loa-test\.wav/);
  });
});

describe('npm run loa -- models verify', () => {
  it('passes models/tiny', async () => {
    const result = await loa(['models', 'verify', TINY_BUNDLE], cache);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^ok: tiny-random .* 10 graphs, [\d.]+ MB, contract v1/);
  });

  it('fails a corrupted copy with the file named', async () => {
    const dir = await copyTinyBundle(join(scratch.path, 'corrupt'));
    const path = join(dir, 'vae_decoder.onnx');
    const bytes = await readFile(path);
    bytes[200] ^= 0x55;
    await writeFile(path, bytes);
    const result = await loa(['models', 'verify', dir], cache);
    expect(result.code).toBe(1);
    expect(lastLine(result.stderr)).toMatch(/^error: vae_decoder\.onnx does not match its checksum/);
  });
});
