/**
 * Prompt tokenizers of AudioLDM 2: RoBERTa BPE (CLAP text branch) and Flan-T5 Unigram.
 *
 * The tokenization itself is done by `@huggingface/tokenizers` from the bundle's `tokenizer.json`
 * files; this module adds what that library leaves out and what the pipeline needs (docs/engine-spec.md
 * §2.1, §2.2, §2.6): truncation that keeps the special tokens, right padding with the tokenizer's own pad id,
 * int64 tensors + masks, and a per-text "was truncated" flag.
 *
 * Special-token ids are read from the files (post_processor, added_tokens, tokenizer_config), never
 * hard-coded, so the tiny test tokenizers and the real exported ones go through the same code.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';

export interface TokenBatch {
  /** Row-major [batch, length] token ids. */
  ids: BigInt64Array;
  /** Row-major [batch, length] attention mask: 1 for real tokens (specials included), 0 for pads. */
  mask: BigInt64Array;
  batch: number;
  length: number;
  /** truncated[i]: text i was longer than the limit and lost tokens at its end. */
  truncated: boolean[];
}

export interface PromptTokenizers {
  /** CLAP/RoBERTa: <s> … </s>, truncated to clapMaxLength (incl. specials), padded with <pad> to the longest in the batch (pads masked — equivalent to padding to 512, docs/engine-spec.md §7.7). */
  clap(texts: string[]): TokenBatch;
  /** T5: … </s>, truncated to t5MaxLength (incl. </s>), padded with <pad>=0 to the longest in the batch, or to exactly `padTo` when given (the negative prompt is padded/truncated to the positive prompt's length, docs/engine-spec.md §2.6). */
  t5(texts: string[], padTo?: number): TokenBatch;
  /** Ids of the special tokens as read from the files. */
  readonly specials: { clap: SpecialLayout; t5: SpecialLayout };
  /** Decodes ids with the library's decoder, special tokens (and pads) skipped. For logs and tests. */
  decode(which: 'clap' | 't5', ids: ArrayLike<number | bigint>): string;
}

export interface SpecialLayout {
  /** Ids placed before the text (RoBERTa: [<s>]; T5: []). */
  readonly prefix: readonly number[];
  /** Ids placed after the text (RoBERTa: [</s>]; T5: [</s>]). */
  readonly suffix: readonly number[];
  readonly pad: number;
}

/** A tokenizer file is missing, unreadable, not JSON, or not a tokenizer this module understands. */
export class TokenizerLoadError extends Error {
  readonly hint: string;
  readonly path: string;
  constructor(path: string, problem: string, options?: { cause?: unknown }) {
    const hint = 'Re-export the model bundle or re-download it.';
    super(`Tokenizer file ${path} ${problem}. ${hint}`, options);
    this.name = 'TokenizerLoadError';
    this.hint = hint;
    this.path = path;
  }
}

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

async function readJson(path: string): Promise<Json> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new TokenizerLoadError(path, code === 'ENOENT' ? 'is missing' : `cannot be read (${code ?? String(err)})`, {
      cause: err,
    });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new TokenizerLoadError(path, `is not valid JSON (${(err as Error).message})`, { cause: err });
  }
  if (!isObject(parsed)) throw new TokenizerLoadError(path, 'is not a JSON object');
  return parsed;
}

/** "<pad>" or the AddedToken object form { content: "<pad>", ... } used by some tokenizer_config.json files. */
function tokenContent(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (isObject(v) && typeof v.content === 'string') return v.content;
  return undefined;
}

interface Loaded {
  tok: Tokenizer;
  layout: SpecialLayout;
  specialIds: Set<number>;
}

/** Special-token ids placed around a single sequence, from the post_processor config. */
function specialLayoutOf(pp: unknown, idOf: (token: string) => number | undefined, file: string): { prefix: number[]; suffix: number[] } {
  const fail = (what: string): never => {
    throw new TokenizerLoadError(file, `has an unsupported post_processor (${what})`);
  };
  const lookup = (token: unknown): number => {
    const name = tokenContent(token);
    const id = name === undefined ? undefined : idOf(name);
    if (id === undefined) return fail(`unknown special token ${JSON.stringify(token)}`);
    return id;
  };
  if (pp === null || pp === undefined) return { prefix: [], suffix: [] };
  if (!isObject(pp)) return fail('not an object');
  switch (pp.type) {
    case 'RobertaProcessing':
    case 'BertProcessing': {
      // cls / sep are [token, id] pairs; the library inserts the token string, so resolve the id by name.
      const cls = pp.cls,
        sep = pp.sep;
      if (!Array.isArray(cls) || !Array.isArray(sep)) return fail('cls/sep missing');
      return { prefix: [lookup(cls[0])], suffix: [lookup(sep[0])] };
    }
    case 'TemplateProcessing': {
      const single = pp.single;
      if (!Array.isArray(single)) return fail('no "single" template');
      const specials = isObject(pp.special_tokens) ? pp.special_tokens : {};
      const prefix: number[] = [];
      const suffix: number[] = [];
      let seenA = false;
      for (const item of single) {
        if (!isObject(item)) return fail('bad template item');
        if (isObject(item.Sequence)) {
          if (item.Sequence.id !== 'A' || seenA) return fail('single template must hold $A once');
          seenA = true;
        } else if (isObject(item.SpecialToken)) {
          const name = item.SpecialToken.id;
          if (typeof name !== 'string') return fail('special token without id');
          // The library emits the template's token string and maps it through the vocabulary.
          const id = lookup(name);
          const declared = specials[name];
          if (isObject(declared) && Array.isArray(declared.ids) && declared.ids.length === 1 && declared.ids[0] !== id) {
            return fail(`special token ${name} declared as id ${String(declared.ids[0])} but the vocabulary says ${id}`);
          }
          (seenA ? suffix : prefix).push(id);
        } else {
          return fail('bad template item');
        }
      }
      if (!seenA) return fail('single template without $A');
      return { prefix, suffix };
    }
    case 'ByteLevel':
      return { prefix: [], suffix: [] };
    case 'Sequence': {
      const processors = pp.processors;
      if (!Array.isArray(processors)) return fail('Sequence without processors');
      const prefix: number[] = [];
      const suffix: number[] = [];
      for (const p of processors) {
        const inner = specialLayoutOf(p, idOf, file);
        prefix.unshift(...inner.prefix);
        suffix.push(...inner.suffix);
      }
      return { prefix, suffix };
    }
    default:
      return fail(`type ${String(pp.type)}`);
  }
}

async function loadOne(dir: string): Promise<Loaded> {
  const jsonPath = join(dir, 'tokenizer.json');
  const configPath = join(dir, 'tokenizer_config.json');
  const [json, config] = await Promise.all([readJson(jsonPath), readJson(configPath)]);

  if (!Array.isArray(json.added_tokens)) throw new TokenizerLoadError(jsonPath, 'has no added_tokens list');
  let tok: Tokenizer;
  try {
    tok = new Tokenizer(json, config);
  } catch (err) {
    throw new TokenizerLoadError(jsonPath, `cannot be used (${(err as Error).message})`, { cause: err });
  }
  const idOf = (token: string): number | undefined => tok.token_to_id(token);
  const { prefix, suffix } = specialLayoutOf(json.post_processor, idOf, jsonPath);

  // Pad id: tokenizer.json "padding" when set, else tokenizer_config pad_token, else an added "<pad>".
  let pad: number | undefined;
  if (isObject(json.padding) && typeof json.padding.pad_id === 'number') pad = json.padding.pad_id;
  const padName = tokenContent(config.pad_token);
  if (pad === undefined && padName !== undefined) pad = idOf(padName);
  if (pad === undefined) {
    const added = (json.added_tokens as unknown[]).find((t) => isObject(t) && t.content === '<pad>');
    if (isObject(added) && typeof added.id === 'number') pad = added.id;
  }
  if (pad === undefined) throw new TokenizerLoadError(jsonPath, 'defines no padding token');

  // Cross-check: what the library itself adds around an empty text must be exactly prefix + suffix.
  const empty = tok.encode('', { add_special_tokens: true }).ids;
  const expected = [...prefix, ...suffix];
  if (empty.length !== expected.length || empty.some((id, i) => id !== expected[i])) {
    throw new TokenizerLoadError(jsonPath, `adds special tokens [${empty.join(', ')}] to an empty text, expected [${expected.join(', ')}]`);
  }

  const specialIds = new Set<number>([...prefix, ...suffix, pad]);
  for (const t of json.added_tokens as unknown[]) {
    if (isObject(t) && t.special === true && typeof t.id === 'number') specialIds.add(t.id);
  }
  return { tok, layout: { prefix, suffix, pad }, specialIds };
}

function checkLimit(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw new RangeError(`${name} must be an integer >= ${min}, got ${value}`);
  }
}

function encodeBatch(loaded: Loaded, texts: string[], maxLength: number, padTo: number | undefined): TokenBatch {
  if (!Array.isArray(texts)) throw new TypeError('texts must be an array of strings');
  const { tok, layout } = loaded;
  const specials = layout.prefix.length + layout.suffix.length;
  const limit = padTo === undefined ? maxLength : Math.min(maxLength, padTo);
  const room = limit - specials;
  if (room < 0) throw new RangeError(`padTo ${padTo} is shorter than the ${specials} special token(s)`);

  const rows: number[][] = [];
  const truncated: boolean[] = [];
  for (const text of texts) {
    if (typeof text !== 'string') throw new TypeError('texts must be an array of strings');
    const body = tok.encode(text, { add_special_tokens: false }).ids;
    const cut = body.length > room;
    truncated.push(cut);
    rows.push([...layout.prefix, ...(cut ? body.slice(0, room) : body), ...layout.suffix]);
  }

  const batch = rows.length;
  const length = padTo ?? rows.reduce((m, r) => Math.max(m, r.length), 0);
  const ids = new BigInt64Array(batch * length).fill(BigInt(layout.pad));
  const mask = new BigInt64Array(batch * length);
  rows.forEach((row, b) => {
    for (let i = 0; i < row.length; i++) {
      ids[b * length + i] = BigInt(row[i]);
      mask[b * length + i] = 1n;
    }
  });
  return { ids, mask, batch, length, truncated };
}

export async function loadPromptTokenizers(clapDir: string, t5Dir: string, limits: { clapMaxLength: number; t5MaxLength: number }): Promise<PromptTokenizers> {
  const [clapTok, t5Tok] = await Promise.all([loadOne(clapDir), loadOne(t5Dir)]);
  checkLimit('clapMaxLength', limits.clapMaxLength, clapTok.layout.prefix.length + clapTok.layout.suffix.length);
  checkLimit('t5MaxLength', limits.t5MaxLength, t5Tok.layout.prefix.length + t5Tok.layout.suffix.length);

  return {
    clap: (texts) => encodeBatch(clapTok, texts, limits.clapMaxLength, undefined),
    t5: (texts, padTo) => {
      if (padTo !== undefined) checkLimit('padTo', padTo, 0);
      return encodeBatch(t5Tok, texts, limits.t5MaxLength, padTo);
    },
    specials: { clap: clapTok.layout, t5: t5Tok.layout },
    decode: (which, ids) => {
      const loaded = which === 'clap' ? clapTok : t5Tok;
      const kept = Array.from(ids, Number).filter((id) => !loaded.specialIds.has(id));
      // The library throws on an empty id list.
      return kept.length === 0 ? '' : loaded.tok.decode(kept, { skip_special_tokens: true });
    },
  };
}
