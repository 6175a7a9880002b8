import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Tokenizer } from '@huggingface/tokenizers';
import { loadPromptTokenizers, TokenizerLoadError, type PromptTokenizers, type TokenBatch } from './text-tokenizers.ts';

// The tiny tokenizers are committed with the diffusers fixture checkpoint (a RoBERTa byte-level BPE and a
// Flan-T5 Unigram, trained on a small corpus of sound-design prompts, every id < 1024): the same files
// the builder copies into every bundle it builds from that checkpoint.
const here = fileURLToPath(new URL('.', import.meta.url));
const checkpoint = resolve(here, '../../../../fixtures/audioldm2-tiny/checkpoint');
const clapDir = join(checkpoint, 'tokenizer');
const t5Dir = join(checkpoint, 'tokenizer_2');
const LIMITS = { clapMaxLength: 512, t5MaxLength: 128 };

function row(b: TokenBatch, i: number): number[] {
  return Array.from(b.ids.subarray(i * b.length, (i + 1) * b.length), Number);
}
function maskRow(b: TokenBatch, i: number): number[] {
  return Array.from(b.mask.subarray(i * b.length, (i + 1) * b.length), Number);
}
function unpadded(b: TokenBatch, i: number): number[] {
  const m = maskRow(b, i);
  return row(b, i).filter((_, j) => m[j] === 1);
}

let root: string;
let tk: PromptTokenizers;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'loa-tok-'));
  tk = await loadPromptTokenizers(clapDir, t5Dir, LIMITS);
});

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

const PROMPTS = ['glass shattering on concrete', 'Thunder rumbling in the distance, heavy rain.', 'footsteps on gravel', 'a sci-fi laser zap 3 times'];

describe('the committed tiny tokenizers', () => {
  it("are the tokenizer.json + tokenizer_config.json the loader reads (and the hub's slow-tokenizer files)", () => {
    expect(readdirSync(clapDir).sort()).toEqual(['merges.txt', 'special_tokens_map.json', 'tokenizer.json', 'tokenizer_config.json', 'vocab.json']);
    expect(readdirSync(t5Dir).sort()).toEqual(['special_tokens_map.json', 'spiece.model', 'tokenizer.json', 'tokenizer_config.json']);
  });

  it('are roberta- and t5-shaped, with small ids', () => {
    const clap = JSON.parse(readFileSync(join(clapDir, 'tokenizer.json'), 'utf8'));
    expect(clap.added_tokens.map((t: { content: string; id: number }) => [t.content, t.id]).slice(0, 4)).toEqual([
      ['<s>', 0],
      ['<pad>', 1],
      ['</s>', 2],
      ['<unk>', 3],
    ]);
    expect(clap.model.type).toBe('BPE');
    const vocabSize = Object.keys(clap.model.vocab).length;
    expect(vocabSize).toBeLessThanOrEqual(1000);
    expect(clap.model.vocab['<mask>']).toBe(vocabSize - 1);
    expect(clap.model.merges.length).toBeGreaterThan(100);
    expect(clap.post_processor).toMatchObject({ type: 'RobertaProcessing', sep: ['</s>', 2], cls: ['<s>', 0] });
    expect(JSON.parse(readFileSync(join(clapDir, 'tokenizer_config.json'), 'utf8'))).toMatchObject({
      model_max_length: 512,
      tokenizer_class: 'RobertaTokenizer',
    });

    const t5 = JSON.parse(readFileSync(join(t5Dir, 'tokenizer.json'), 'utf8'));
    expect(t5.model.type).toBe('Unigram');
    expect(t5.model.unk_id).toBe(2);
    expect(t5.model.vocab.slice(0, 3).map((p: [string, number]) => p[0])).toEqual(['<pad>', '</s>', '<unk>']);
    expect(t5.model.vocab.length).toBeLessThanOrEqual(1000);
    expect(t5.pre_tokenizer).toMatchObject({ type: 'Metaspace', replacement: '\u2581', prepend_scheme: 'always' });
    expect(JSON.parse(readFileSync(join(t5Dir, 'tokenizer_config.json'), 'utf8')).model_max_length).toBe(128);
  });
});

describe('loadPromptTokenizers on the tiny tokenizers', () => {
  it('reads the special ids from the files', () => {
    expect(tk.specials.clap).toEqual({ prefix: [0], suffix: [2], pad: 1 });
    expect(tk.specials.t5).toEqual({ prefix: [], suffix: [1], pad: 0 });
  });

  it('empty prompt: clap [0, 2], t5 [1] (docs/engine-spec.md §8.5)', () => {
    const c = tk.clap(['']);
    expect(c).toMatchObject({ batch: 1, length: 2, truncated: [false] });
    expect(Array.from(c.ids)).toEqual([0n, 2n]);
    expect(Array.from(c.mask)).toEqual([1n, 1n]);
    const t = tk.t5(['']);
    expect(t).toMatchObject({ batch: 1, length: 1, truncated: [false] });
    expect(Array.from(t.ids)).toEqual([1n]);
    expect(Array.from(t.mask)).toEqual([1n]);
  });

  it('wraps a normal prompt in the special tokens', () => {
    const c = tk.clap(['glass shattering on concrete']);
    const ids = row(c, 0);
    expect(ids[0]).toBe(0);
    expect(ids[ids.length - 1]).toBe(2);
    expect(ids.slice(1, -1).every((id) => id > 3 && id < 1024)).toBe(true);
    expect(maskRow(c, 0).every((m) => m === 1)).toBe(true);

    const t = tk.t5(['glass shattering on concrete']);
    const tids = row(t, 0);
    expect(tids[tids.length - 1]).toBe(1);
    expect(tids.slice(0, -1).every((id) => id > 2 && id < 1024)).toBe(true);
  });

  it('really applies the learned BPE merges and Unigram scores', () => {
    const clapTok = new Tokenizer(JSON.parse(readFileSync(join(clapDir, 'tokenizer.json'), 'utf8')), JSON.parse(readFileSync(join(clapDir, 'tokenizer_config.json'), 'utf8')));
    const t5Tok = new Tokenizer(JSON.parse(readFileSync(join(t5Dir, 'tokenizer.json'), 'utf8')), JSON.parse(readFileSync(join(t5Dir, 'tokenizer_config.json'), 'utf8')));
    // Frequent corpus words become single tokens.
    expect(clapTok.tokenize('glass')).toEqual(['glass']);
    expect(clapTok.tokenize('glass shattering on concrete')).toEqual(['glass', 'Ġshattering', 'Ġon', 'Ġconcrete']);
    expect(t5Tok.tokenize('glass shattering on concrete')).toEqual(['▁glass', '▁shattering', '▁on', '▁concrete']);
    // And through the wrapper: far fewer tokens than letters.
    expect(unpadded(tk.clap(['glass']), 0).length - 2).toBeLessThan('glass'.length);
    expect(unpadded(tk.t5(['glass']), 0).length - 1).toBeLessThan('glass'.length);
    expect(unpadded(tk.clap(['footsteps on gravel']), 0).length - 2).toBeLessThanOrEqual(3);
    expect(unpadded(tk.t5(['footsteps on gravel']), 0).length - 1).toBeLessThanOrEqual(3);
    // An unseen word still splits into several pieces (no whole-word fallback).
    expect(t5Tok.tokenize('xylophone').length).toBeGreaterThan(1);
    expect(clapTok.tokenize('xylophone').length).toBeGreaterThan(1);
  });

  it('round-trips prompts through the library decoder', () => {
    const c = tk.clap(PROMPTS);
    const t = tk.t5(PROMPTS);
    PROMPTS.forEach((p, i) => {
      expect(tk.decode('clap', row(c, i))).toBe(p);
      expect(tk.decode('t5', row(t, i))).toBe(p);
    });
    // Byte-level BPE is lossless even outside the corpus alphabet.
    const odd = 'Café — 🔊 “boom”';
    expect(tk.decode('clap', row(tk.clap([odd]), 0))).toBe(odd);
  });

  it('pads a batch to the longest prompt with the pad id and zero mask', () => {
    const texts = ['', 'glass', 'thunder rumbling in the distance'];
    const c = tk.clap(texts);
    const longest = Math.max(...texts.map((x) => tk.clap([x]).length));
    expect(c.batch).toBe(3);
    expect(c.length).toBe(longest);
    expect(c.ids.length).toBe(3 * longest);
    expect(row(c, 0)).toEqual([0, 2, ...Array(longest - 2).fill(1)]);
    expect(maskRow(c, 0)).toEqual([1, 1, ...Array(longest - 2).fill(0)]);
    texts.forEach((x, i) => {
      const alone = row(tk.clap([x]), 0);
      expect(unpadded(c, i)).toEqual(alone);
      expect(maskRow(c, i).reduce((a, m) => a + m, 0)).toBe(alone.length);
    });
    expect(c.truncated).toEqual([false, false, false]);

    const t = tk.t5(texts);
    const tLongest = Math.max(...texts.map((x) => tk.t5([x]).length));
    expect(t.length).toBe(tLongest);
    expect(row(t, 0)).toEqual([1, ...Array(tLongest - 1).fill(0)]);
    expect(maskRow(t, 0)).toEqual([1, ...Array(tLongest - 1).fill(0)]);
    texts.forEach((x, i) => expect(unpadded(t, i)).toEqual(row(tk.t5([x]), 0)));
  });

  it('t5 padTo pads a short negative and truncates a long one (docs/engine-spec.md §2.6)', () => {
    const pos = tk.t5(['glass shattering on concrete']);
    const L = pos.length;
    expect(L).toBe(5);

    const short = tk.t5([''], L);
    expect(short.length).toBe(L);
    expect(row(short, 0)).toEqual([1, 0, 0, 0, 0]);
    expect(maskRow(short, 0)).toEqual([1, 0, 0, 0, 0]);
    expect(short.truncated).toEqual([false]);

    const longText = 'low quality, noisy, distorted, muffled, clipping, hum';
    const full = row(tk.t5([longText]), 0);
    expect(full.length).toBeGreaterThan(L);
    const long = tk.t5([longText], L);
    expect(long.length).toBe(L);
    expect(row(long, 0)).toEqual([...full.slice(0, L - 1), 1]);
    expect(maskRow(long, 0)).toEqual([1, 1, 1, 1, 1]);
    expect(long.truncated).toEqual([true]);

    const exact = tk.t5(['glass shattering on concrete'], L);
    expect(Array.from(exact.ids)).toEqual(Array.from(pos.ids));
    expect(exact.truncated).toEqual([false]);

    expect(() => tk.t5(['x'], 0)).toThrow(RangeError);
    expect(() => tk.t5(['x'], 1.5)).toThrow(RangeError);
    expect(Array.from(tk.t5(['glass'], 1).ids)).toEqual([1n]);
  });

  it('truncates a 5000-character prompt to 512 (clap) / 128 (t5) tokens ending in eos', () => {
    const base = 'glass shattering on concrete, thunder, footsteps on gravel and a dog barking. ';
    const huge = base.repeat(Math.ceil(5000 / base.length)).slice(0, 5000);
    expect(huge.length).toBe(5000);
    const c = tk.clap([huge, 'glass']);
    expect(c.length).toBe(512);
    expect(c.truncated).toEqual([true, false]);
    const ids = row(c, 0);
    expect(ids[0]).toBe(0);
    expect(ids[511]).toBe(2);
    expect(maskRow(c, 0).every((m) => m === 1)).toBe(true);
    // The kept tokens are the start of the untruncated encoding.
    expect(tk.decode('clap', ids).length).toBeGreaterThan(100);
    expect(huge.startsWith(tk.decode('clap', ids))).toBe(true);

    const t = tk.t5([huge]);
    expect(t.length).toBe(128);
    expect(t.truncated).toEqual([true]);
    const tids = row(t, 0);
    expect(tids[127]).toBe(1);
    expect(tids.slice(0, 127).includes(1)).toBe(false);
    expect(huge.startsWith(tk.decode('t5', tids))).toBe(true);
  });

  it('respects smaller limits from the manifest', async () => {
    const small = await loadPromptTokenizers(clapDir, t5Dir, { clapMaxLength: 4, t5MaxLength: 3 });
    const c = small.clap(['glass shattering on concrete']);
    expect(row(c, 0)).toEqual([...row(tk.clap(['glass shattering on concrete']), 0).slice(0, 3), 2]);
    expect(c.truncated).toEqual([true]);
    expect(small.t5(['glass shattering on concrete']).length).toBe(3);
    await expect(loadPromptTokenizers(clapDir, t5Dir, { clapMaxLength: 1, t5MaxLength: 3 })).rejects.toThrow(RangeError);
  });

  it('is deterministic', async () => {
    const again = await loadPromptTokenizers(clapDir, t5Dir, LIMITS);
    for (const p of PROMPTS) {
      expect(Array.from(again.clap([p]).ids)).toEqual(Array.from(tk.clap([p]).ids));
      expect(Array.from(again.t5([p]).ids)).toEqual(Array.from(tk.t5([p]).ids));
      expect(Array.from(tk.clap([p]).ids)).toEqual(Array.from(tk.clap([p]).ids));
    }
  });

  it('handles an empty batch', () => {
    const c = tk.clap([]);
    expect(c).toMatchObject({ batch: 0, length: 0, truncated: [] });
    expect(c.ids.length).toBe(0);
    expect(tk.t5([], 7)).toMatchObject({ batch: 0, length: 7 });
  });
});

describe('load errors', () => {
  function brokenCopy(name: string): { clap: string; t5: string } {
    // Plain writable copies of the two files the loader reads (the fixture's files may be read-only).
    const dir = join(root, name);
    const to = { clap: join(dir, 'clap'), t5: join(dir, 't5') };
    for (const [from, dest] of [
      [clapDir, to.clap],
      [t5Dir, to.t5],
    ]) {
      mkdirSync(dest, { recursive: true });
      for (const f of ['tokenizer.json', 'tokenizer_config.json']) writeFileSync(join(dest, f), readFileSync(join(from, f)));
    }
    return to;
  }

  it('missing tokenizer.json names the file and says to re-export', async () => {
    const d = brokenCopy('missing');
    const missing = join(d.t5, 'tokenizer.json');
    rmSync(missing);
    const err = await loadPromptTokenizers(d.clap, d.t5, LIMITS).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TokenizerLoadError);
    expect((err as TokenizerLoadError).message).toContain(missing);
    expect((err as TokenizerLoadError).message).toMatch(/missing/);
    expect((err as TokenizerLoadError).message).toMatch(/re-export/i);
    expect((err as TokenizerLoadError).hint).toMatch(/re-download/);
  });

  it('missing tokenizer_config.json is reported too', async () => {
    const d = brokenCopy('missing-config');
    const missing = join(d.clap, 'tokenizer_config.json');
    rmSync(missing);
    await expect(loadPromptTokenizers(d.clap, d.t5, LIMITS)).rejects.toThrow(missing);
  });

  it('invalid JSON names the file', async () => {
    const d = brokenCopy('invalid');
    const bad = join(d.clap, 'tokenizer.json');
    writeFileSync(bad, '{"version": "1.0", "model": ');
    const err = await loadPromptTokenizers(d.clap, d.t5, LIMITS).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TokenizerLoadError);
    expect((err as Error).message).toContain(bad);
    expect((err as Error).message).toMatch(/not valid JSON/);
  });

  it('a JSON file that is not a tokenizer is rejected with the file name', async () => {
    const d = brokenCopy('not-tokenizer');
    const bad = join(d.t5, 'tokenizer.json');
    writeFileSync(bad, '{"hello": "world"}');
    const err = await loadPromptTokenizers(d.clap, d.t5, LIMITS).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TokenizerLoadError);
    expect((err as Error).message).toContain(bad);
  });
});
