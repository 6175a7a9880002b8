import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeWav } from '../audio/wav.ts';
import { tempDir, TINY_BUNDLE } from '../engine/testing/tiny-bundle.ts';
import { readRecipe } from '../library/wav-metadata.ts';
import { readPromptList, uniqueNames } from './loa.ts';
import { runLoa } from './testing/run-cli.ts';

let scratch: Awaited<ReturnType<typeof tempDir>>;
const at = (name: string) => join(scratch.path, name);
beforeAll(async () => {
  scratch = await tempDir('loa-prompt-list-');
});
afterAll(async () => {
  await scratch.remove();
});

describe('generate --prompts <list> --out <folder>', () => {
  it('runs one job per line on one loaded model, naming files by "|name" or by prompt and seed', async () => {
    await writeFile(at('list.txt'), '# tonight\nrain on a tin roof|Rain_Roof_01\n\n  door slam, large hall  \nrain on a tin roof|Rain_Roof_01\n');
    const result = await runLoa(['generate', '--prompts', at('list.txt'), '--out', at('out'), '--model', TINY_BUNDLE, '--seconds', '0.5', '--steps', '2', '--seed', '9'], at('cache'));
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr.match(/^Loading /gm)).toHaveLength(1);
    expect(result.stderr).toContain('Job 2/3: door slam, large hall');
    expect((await readdir(at('out'))).sort()).toEqual([
      'Rain_Roof_01 (2).json',
      'Rain_Roof_01 (2).wav',
      'Rain_Roof_01.json',
      'Rain_Roof_01.wav',
      'door-slam-large-hall_9.json',
      'door-slam-large-hall_9.wav',
    ]);
    const recipeOf = async (name: string) => readRecipe(new Uint8Array(await readFile(join(at('out'), name))))!;
    expect((await recipeOf('door-slam-large-hall_9.wav')).params).toMatchObject({ prompt: 'door slam, large hall', seconds: 0.5, steps: 2, seed: 9 });
    expect((await recipeOf('Rain_Roof_01.wav')).params.prompt).toBe('rain on a tin roof');
    // The same line twice with the same seed is the same take, written under two names.
    const samples = async (name: string) => decodeWav(new Uint8Array(await readFile(join(at('out'), name)))).channels[0];
    expect(Array.from(await samples('Rain_Roof_01 (2).wav'))).toEqual(Array.from(await samples('Rain_Roof_01.wav')));
  });

  it('refuses a bad line with its number before loading the model, and writes nothing', async () => {
    await writeFile(at('bad.txt'), 'rain\n|nameless\n');
    const result = await runLoa(['generate', '--prompts', at('bad.txt'), '--out', at('never'), '--model', TINY_BUNDLE], at('cache'));
    expect(result.code).toBe(2);
    expect(result.stderr).not.toContain('Loading');
    expect(result.stderr.trim().split('\n').at(-1)).toMatch(/^error: .*bad\.txt line 2: .*prompt/i);
    await expect(readdir(at('never'))).rejects.toThrow();
  });
});

describe('readPromptList', () => {
  it('skips blanks and comments, keeps line numbers, and reads "prompt|name"', async () => {
    await writeFile(at('l.txt'), '\n# c\nwind | Wind_01.wav\nA|B|c\n');
    expect(await readPromptList(at('l.txt'))).toEqual([
      { prompt: 'wind', name: 'Wind_01', line: 3 },
      { prompt: 'A|B', name: 'c', line: 4 },
    ]);
  });

  it('refuses a name with a folder in it, an empty list and a missing file', async () => {
    await writeFile(at('slash.txt'), 'wind|../escape\n');
    await expect(readPromptList(at('slash.txt'))).rejects.toThrow(/line 1: "\.\.\/escape" is not a plain file name/);
    await writeFile(at('empty.txt'), '# nothing\n\n');
    await expect(readPromptList(at('empty.txt'))).rejects.toThrow(/has no prompts/);
    await expect(readPromptList(at('missing.txt'))).rejects.toThrow(/Cannot read the prompt list/);
  });
});

describe('uniqueNames', () => {
  it('keeps every file of every job apart, takes included, in any case', () => {
    expect(
      uniqueNames([
        { name: 'a', takes: 1 },
        { name: 'A', takes: 1 },
        { name: 'a', takes: 1 },
      ]),
    ).toEqual(['a', 'A (2)', 'a (3)']);
    // Job 1 writes x, x-2, x-3; a job named "x-2" must not overwrite x's second take.
    expect(
      uniqueNames([
        { name: 'x', takes: 3 },
        { name: 'x-2', takes: 1 },
        { name: 'y', takes: 2 },
        { name: 'y', takes: 2 },
      ]),
    ).toEqual(['x', 'x-2 (2)', 'y', 'y (2)']);
  });
});
