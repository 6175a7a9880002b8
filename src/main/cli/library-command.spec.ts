import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir, TINY_BUNDLE } from '../engine/testing/tiny-bundle.ts';
import { readRecipe } from '../library/wav-metadata.ts';
import { runLoa } from './testing/run-cli.ts';

const loa = runLoa;

let scratch: Awaited<ReturnType<typeof tempDir>>;
let lib: string;
let cache: string;
beforeAll(async () => {
  scratch = await tempDir('loa-cli-library-');
  lib = join(scratch.path, 'library');
  cache = join(scratch.path, 'cache');
  for (const [prompt, seed] of [
    ['glass shattering', '5'],
    ['thunder rolling far away', '6'],
  ]) {
    const made = await loa(
      ['generate', prompt, '--model', TINY_BUNDLE, '--seconds', '1', '--steps', '2', '--seed', seed, '--takes', seed === '5' ? '2' : '1', '--out', join(scratch.path, `${seed}.wav`), '--library', lib],
      cache,
    );
    expect(made.code, made.stderr).toBe(0);
    expect(made.stderr).toMatch(/saved to the library/);
  }
}, 180_000);
afterAll(() => scratch.remove());

describe('npm run loa -- library', () => {
  it('lists, searches, shows, finds similar takes and exports, from the library generate --library filled', async () => {
    const list = await loa(['library', 'list', '--library', lib, '--json'], cache);
    expect(list.code, list.stderr).toBe(0);
    const { total, takes } = JSON.parse(list.stdout) as { total: number; takes: Array<{ id: string; seed: number; params: { prompt: string } }> };
    expect(total).toBe(3);
    expect(takes.map((t) => t.params.prompt)).toEqual(['thunder rolling far away', 'glass shattering', 'glass shattering']);

    const search = await loa(['library', 'search', 'thund*', '--library', lib], cache);
    expect(search.code).toBe(0);
    expect(search.stdout.trim().split('\n')).toHaveLength(1);
    expect(search.stdout).toMatch(/seed 6 .*thunder rolling far away/);

    const glass = takes.find((t) => t.seed === 5)!;
    const show = await loa(['library', 'show', glass.id, '--library', lib, '--json'], cache);
    expect(JSON.parse(show.stdout).recipe).toMatchObject({ kind: 'generate', seed: 5, params: { prompt: 'glass shattering' } });

    const similar = await loa(['library', 'similar', glass.id, '--library', lib, '--json'], cache);
    const near = JSON.parse(similar.stdout) as { takes: Array<{ id: string; similarity: number }> };
    expect(near.takes).toHaveLength(2);
    expect(near.takes.map((t) => t.id)).not.toContain(glass.id);
    expect(near.takes[0].similarity).toBeGreaterThanOrEqual(near.takes[1].similarity);

    const out = join(scratch.path, 'exported.wav');
    expect((await loa(['library', 'export', glass.id, '--out', out, '--library', lib], cache)).code).toBe(0);
    expect(readRecipe(new Uint8Array(await readFile(out)))).toMatchObject({ seed: 5 });
  });

  it('refuses unknown commands and ids with one line and exit 2', async () => {
    const bad = await loa(['library', 'frobnicate', '--library', lib], cache);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/Unknown library command "frobnicate"/);
    const missing = await loa(['library', 'show', 'nope', '--library', lib], cache);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no take with id nope/);
  });
});
