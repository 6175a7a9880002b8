/**
 * The "Done means", in fresh processes: `models build <checkpoint> --out <bundle>`, then
 * `models verify --run` and `generate` on it; `generate --model <checkpoint>` builds once into the
 * cache; the take's recipe names the builder. No Python anywhere.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeWav } from '../audio/wav.ts';
import { TINY_CHECKPOINT } from '../engine/testing/tiny-bundle.ts';
import { runLoa } from './testing/run-cli.ts';

const scratch = mkdtempSync(join(tmpdir(), 'loa-models-cli-'));
const at = (...parts: string[]) => join(scratch, ...parts);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('npm run loa -- models build | verify --run, then generate', () => {
  it('builds models/tiny, verifies it by running every graph, and generates from it', async () => {
    const built = await runLoa(['models', 'build', TINY_CHECKPOINT, '--out', at('bundle'), '--repo', 'loa/tiny-random', '--revision', 'r1'], at('cache'));
    expect(built.code, built.stderr).toBe(0);
    expect(built.stdout).toMatch(/^built: .*bundle/m);
    expect(existsSync(at('bundle', 'manifest.json'))).toBe(true);

    const verified = await runLoa(['models', 'verify', at('bundle'), '--run'], at('cache'));
    expect(verified.code, verified.stderr).toBe(0);
    expect(verified.stderr).toMatch(/ran 20 graph runs at two sizes/);

    const made = await runLoa(['generate', 'glass shattering on concrete', '--model', at('bundle'), '--seconds', '2.5', '--steps', '3', '--seed', '7', '--out', at('a.wav')], at('cache'));
    expect(made.code, made.stderr).toBe(0);
    expect(decodeWav(readFileSync(at('a.wav'))).channels[0].length).toBe(40000);
    const { recipe } = JSON.parse(readFileSync(at('a.json'), 'utf8'));
    expect(recipe.model.source).toEqual({ repo: 'loa/tiny-random', revision: 'r1', builder: expect.any(String) });
  }, 180_000);

  it('takes a checkpoint folder as --model: built once into the cache, the same take both times', async () => {
    const first = await runLoa(['generate', 'rain', '--model', TINY_CHECKPOINT, '--seconds', '1', '--steps', '2', '--seed', '3', '--out', at('c1.wav')], at('cache2'));
    expect(first.code, first.stderr).toBe(0);
    const second = await runLoa(['generate', 'rain', '--model', TINY_CHECKPOINT, '--seconds', '1', '--steps', '2', '--seed', '3', '--out', at('c2.wav')], at('cache2'));
    expect(second.code, second.stderr).toBe(0);
    expect(decodeWav(readFileSync(at('c1.wav'))).channels[0]).toEqual(decodeWav(readFileSync(at('c2.wav'))).channels[0]);
    const cached = readFileSync(at('c2.json'), 'utf8');
    expect(JSON.parse(cached).recipe.model.source).toMatchObject({ repo: null, builder: expect.any(String) });
  }, 180_000);

  it('refuses a folder that is not a checkpoint, in one line, exit 1', async () => {
    const result = await runLoa(['models', 'build', scratch, '--out', at('nothing')], at('cache'));
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n').at(-1)).toMatch(/^error: .*model_index\.json: it is missing/);
    expect(existsSync(at('nothing'))).toBe(false);
  });
});
