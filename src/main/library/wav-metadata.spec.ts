import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AudioDecodeError } from '../../shared/errors.ts';
import type { Recipe } from '../../shared/library/recipe.ts';
import { decodeWav, encodeWav, listWavChunks } from '../audio/wav.ts';
import {
  bextChunk,
  INAM_MAX_BYTES,
  ixmlChunk,
  listInfoChunk,
  parseRecipe,
  readBext,
  readListInfo,
  readRecipe,
  readSidecar,
  recipeChunks,
  sidecarJson,
  toBextAscii,
  truncateUtf8,
} from './wav-metadata.ts';

const dir = mkdtempSync(join(tmpdir(), 'loa-wav-metadata-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** One XPath 1.0 expression's string value, by libxml2's xmllint (Debian libxml2-utils), not by our code. */
function xpath(file: string, expr: string): string {
  return execFileSync('xmllint', ['--xpath', expr, file]).toString('utf8').replace(/\n$/, '');
}

/**
 * The file's top-level RIFF chunks, walked by a shell script with coreutils (od, head, tail), not by our
 * code: chunk id → body (a pad byte is skipped, not included). A LIST/INFO chunk gives its sub-chunks
 * instead, as `INFO.<id>` → the string with its NUL terminator and padding removed.
 */
function riffWalk(file: string): Map<string, Buffer> {
  const script = `
    f=$1; n=$(stat -c %s "$f"); p=12
    u32() { od -A n -t u4 --endian=little -j "$1" -N 4 "$f" | tr -d ' '; }
    fourcc() { head -c $(($1 + 4)) "$f" | tail -c 4; }
    body() { tail -c +$(($1 + 1)) "$f" | head -c "$2"; }
    while [ $((p + 8)) -le "$n" ]; do
      id=$(fourcc $p); size=$(u32 $((p + 4)))
      if [ "$id" = LIST ] && [ "$(fourcc $((p + 8)))" = INFO ]; then
        q=$((p + 12))
        while [ $q -lt $((p + 8 + size)) ]; do
          sub=$(fourcc $q); subsize=$(u32 $((q + 4)))
          printf 'INFO.%s\t%s\n' "$sub" "$(body $((q + 8)) "$subsize" | tr -d '\\000' | base64 -w0)"
          q=$((q + 8 + subsize + (subsize & 1)))
        done
      else
        printf '%s\t%s\n' "$id" "$(body $((p + 8)) "$size" | base64 -w0)"
      fi
      p=$((p + 8 + size + (size & 1)))
    done`;
  const out = execFileSync('bash', ['-c', script, 'riff-walk', file], { maxBuffer: 64 << 20 }).toString('latin1');
  const chunks = new Map<string, Buffer>();
  for (const line of out.split('\n').filter(Boolean)) {
    const [id, b64] = line.split('\t');
    chunks.set(id, Buffer.from(b64, 'base64'));
  }
  return chunks;
}

const HASH = 'c0ffee'.padEnd(64, '0');
const REF_HASH = 'ab'.repeat(32);
const CREATED = '2024-05-06T07:08:09.000Z';
const local = new Date(CREATED);
const p2 = (n: number) => String(n).padStart(2, '0');
const LOCAL_DATE = `${local.getFullYear()}-${p2(local.getMonth() + 1)}-${p2(local.getDate())}`;
const LOCAL_TIME = `${p2(local.getHours())}:${p2(local.getMinutes())}:${p2(local.getSeconds())}`;

function generateRecipe(prompt: string, extra: Partial<Recipe> = {}): Recipe {
  return {
    format: 'loa-studio-recipe',
    version: 1,
    kind: 'generate',
    params: { prompt, negativePrompt: 'Low quality.', seconds: 2.5, steps: 25, scheduler: 'dpmpp', guidance: 3.5, seed: 11, takes: 4 },
    seed: 12,
    model: { id: 'tiny-random', name: 'Tiny random AudioLDM 2 (test fixture)', bundleHash: HASH },
    device: 'cpu',
    sampleRate: 16000,
    samples: 40000,
    createdAt: CREATED,
    app: { name: 'LOA Studio', version: '0.1.0' },
    ...extra,
  };
}

function varyRecipe(): Recipe {
  const params = { op: 'vary' as const, prompt: 'a low hum', negativePrompt: '', steps: 4, scheduler: 'dpmpp' as const, guidance: 2.5, seed: 3, takes: 2, strengths: [0.3, 0.6] };
  return {
    ...generateRecipe('a low hum'),
    kind: 'transform',
    params,
    seed: 4,
    strength: 0.6,
    lineage: { operation: 'vary', reference: { kind: 'file', id: '/home/me/clips/hum.wav', sha256: REF_HASH, seconds: 2 }, params, seed: 4, strength: 0.6 },
    loop: { start: 10, end: 900 },
  };
}

const tone = Float32Array.from({ length: 1001 }, (_, i) => 0.5 * Math.sin(i / 9));
const withChunks = (recipe: Recipe, format: 'float32' | 'pcm16' = 'float32', tags?: string[]) =>
  encodeWav([tone], 16000, format, { chunks: recipeChunks(recipe, { takeId: 'tk_01HZX3', tags, format }) });
const text = (b: Uint8Array) => new TextDecoder().decode(b);

describe('bext (EBU Tech 3285)', () => {
  it('lays out the 602-byte fixed part, version 1, and a CR LF-terminated coding history', () => {
    const { id, body } = bextChunk({
      description: 'rain on a tin roof',
      originatorReference: 'tk_1',
      createdAt: CREATED,
      codingHistory: ['A=PCM,F=16000,W=32,M=mono,T=LOA Studio 0.1.0; tiny-random'],
    });
    expect(id).toBe('bext');
    const history = 'A=PCM,F=16000,W=32,M=mono,T=LOA Studio 0.1.0; tiny-random\r\n';
    expect(body.length).toBe(602 + history.length);
    const v = new DataView(body.buffer);
    expect(text(body.subarray(0, 18))).toBe('rain on a tin roof');
    expect(body.subarray(18, 256).every((b) => b === 0)).toBe(true);
    expect(text(body.subarray(256, 266))).toBe('LOA Studio');
    expect(text(body.subarray(288, 292))).toBe('tk_1');
    expect(text(body.subarray(320, 330))).toBe(LOCAL_DATE);
    expect(text(body.subarray(330, 338))).toBe(LOCAL_TIME);
    expect(v.getBigUint64(338, true)).toBe(0n);
    expect(v.getUint16(346, true)).toBe(1);
    expect(body.subarray(348, 602).every((b) => b === 0)).toBe(true); // UMID + reserved
    expect(text(body.subarray(602))).toBe(history);
  });

  it('writes the description as ASCII: accents folded, typography simplified, other characters one "?" each', () => {
    expect(toBextAscii('Café “déjà vu” — naïve’s\nrain 硝子 🎸')).toBe('Cafe "deja vu" - naive\'s rain ?? ?');
  });

  it('cuts a 300-byte prompt to exactly 256 bytes with no terminator, and a short one is NUL-terminated', () => {
    const long = Array.from({ length: 300 }, (_, i) => String.fromCharCode(97 + (i % 26))).join('');
    const body = bextChunk({ description: long, originatorReference: 'x', createdAt: CREATED, codingHistory: [] }).body;
    expect(text(body.subarray(0, 256))).toBe(long.slice(0, 256));
    expect(body[256]).toBe('L'.charCodeAt(0)); // Originator starts right after
    // 150 × "é" is 300 bytes of UTF-8: folded to 150 ASCII "e", all of it fits
    const accented = readBext(encodeWav([tone], 16000, 'float32', { chunks: [bextChunk({ description: 'é'.repeat(150), originatorReference: 'x', createdAt: CREATED, codingHistory: [] })] }))!;
    expect(accented.description).toBe('e'.repeat(150));
  });

  it('reads back what it wrote, and null for a file without bext', () => {
    const bytes = withChunks(generateRecipe('glass shattering on concrete'));
    expect(readBext(bytes)).toEqual({
      description: 'glass shattering on concrete',
      originator: 'LOA Studio',
      originatorReference: 'tk_01HZX3',
      originationDate: LOCAL_DATE,
      originationTime: LOCAL_TIME,
      timeReference: 0n,
      version: 1,
      codingHistory: 'A=PCM,F=16000,W=32,M=mono,T=LOA Studio 0.1.0; tiny-random\r\n',
    });
    expect(readBext(withChunks(generateRecipe('x'), 'pcm16'))!.codingHistory).toMatch(/^A=PCM,F=16000,W=16,M=mono,/);
    expect(readBext(encodeWav([tone], 16000, 'float32'))).toBeNull();
  });
});

describe('LIST/INFO', () => {
  it('writes NUL-terminated, word-aligned sub-chunks that read back', () => {
    const { id, body } = listInfoChunk({ title: 'dog', comment: 'seed 1', keywords: ['a', 'bc'], software: 'LOA Studio 0.1.0', createdAt: CREATED });
    expect(id).toBe('LIST');
    const v = new DataView(body.buffer);
    expect(text(body.subarray(0, 4))).toBe('INFO');
    // INAM "dog\0" (4, even) then ICMT "seed 1\0" (7, odd → one pad byte) then IKEY "a; bc\0" (6)
    expect(text(body.subarray(4, 8))).toBe('INAM');
    expect(v.getUint32(8, true)).toBe(4);
    expect(Array.from(body.subarray(12, 16))).toEqual([100, 111, 103, 0]);
    expect(text(body.subarray(16, 20))).toBe('ICMT');
    expect(v.getUint32(20, true)).toBe(7);
    expect(body[24 + 6]).toBe(0);
    expect(body[24 + 7]).toBe(0); // pad
    expect(text(body.subarray(32, 36))).toBe('IKEY');
    expect(body.length % 2).toBe(0);
  });

  it('holds title, summary, tags + op, software and date; no IKEY without tags', () => {
    expect(readListInfo(withChunks(varyRecipe(), 'float32', ['drone', 'hum']))).toEqual({
      INAM: 'a low hum',
      ICMT: 'vary strength 0.6, seed 4, dpmpp 4 steps, guidance 2.5, model tiny-random',
      IKEY: 'drone; hum; vary',
      ISFT: 'LOA Studio 0.1.0',
      ICRD: LOCAL_DATE,
    });
    const plain = readListInfo(withChunks(generateRecipe('rain')))!;
    expect(plain.ICMT).toBe('seed 12, dpmpp 25 steps, guidance 3.5, model tiny-random');
    expect(plain).not.toHaveProperty('IKEY');
    expect(readListInfo(encodeWav([tone], 16000, 'float32'))).toBeNull();
  });

  it('shortens a long title between UTF-8 code points, with an ellipsis', () => {
    const prompt = 'ガラス'.repeat(30); // 270 bytes
    const title = readListInfo(withChunks(generateRecipe(prompt)))!.INAM;
    expect(new TextEncoder().encode(title).length).toBe(INAM_MAX_BYTES - 2); // 41 × 3 bytes + "…" (3)
    expect(title).toBe(`${prompt.slice(0, 41)}…`);
    expect(truncateUtf8('aé😀b', 4)).toBe('aé');
    expect(truncateUtf8('aé😀b', 7)).toBe('aé😀');
  });
});

describe('iXML and readRecipe', () => {
  it('round-trips generate and vary recipes, unicode and markup included', () => {
    for (const recipe of [
      generateRecipe('verre brisé 硝子が割れる 🎸 on "concrete"'),
      generateRecipe("CDATA end ]]> and <&> and 'quotes'\r\nsecond line\ttab"),
      generateRecipe('odd\u0001control \ufffe char'),
      varyRecipe(),
    ]) {
      expect(readRecipe(withChunks(recipe))).toEqual(recipe);
    }
  });

  it("writes an iXML 2.10 document that an independent XML parser (libxml2's xmllint) reads", () => {
    const recipe = generateRecipe('A ]]> B <&> “ç” \r\n end');
    const path = join(dir, 'ixml.xml');
    writeFileSync(path, ixmlChunk(recipe).body);
    execFileSync('xmllint', ['--noout', path]); // well-formed, or it throws with libxml2's message
    const [root, version, project, note, user] = ['name(/*)', 'string(/*/IXML_VERSION)', 'string(/*/PROJECT)', 'string(/*/NOTE)', 'string(/*/USER)'].map((expr) => xpath(path, expr));
    expect([root, version, project, note]).toEqual(['BWFXML', '2.10', 'LOA Studio', 'A ]]> B <&> “ç” \r\n end']);
    expect(JSON.parse(user)).toEqual(JSON.parse(JSON.stringify(recipe)));
  });

  it('pads an odd-length iXML body and keeps chunk order bext, iXML, LIST', () => {
    const recipe = generateRecipe('x');
    const chunks = recipeChunks(recipe, { takeId: 't' });
    expect(chunks.map((c) => c.id)).toEqual(['bext', 'iXML', 'LIST']);
    const even = ixmlChunk(recipe).body.length % 2 === 0;
    const odd = even ? generateRecipe('x', { samples: 4000 }) : recipe; // one digit less flips the parity
    expect(ixmlChunk(odd).body.length % 2).toBe(1);
    const bytes = withChunks(odd);
    expect(bytes.length % 2).toBe(0);
    expect(listWavChunks(bytes).map((c) => c.id)).toEqual(['fmt ', 'fact', 'data', 'bext', 'iXML', 'LIST']);
    expect(readRecipe(bytes)).toEqual(odd);
    expect(readListInfo(bytes)!.INAM).toBe(odd.params.prompt);
  });

  it('accepts the recipe inside CDATA and with NUL padding (how other tools may rewrite it)', () => {
    const recipe = generateRecipe('rain');
    const xml = `<?xml version="1.0"?><BWFXML><IXML_VERSION>2.10</IXML_VERSION><USER><![CDATA[${JSON.stringify(recipe)}]]></USER></BWFXML>\0\0\0\0`;
    const bytes = encodeWav([tone], 16000, 'float32', { chunks: [{ id: 'iXML', body: new TextEncoder().encode(xml) }] });
    expect(readRecipe(bytes)).toEqual(recipe);
  });

  it('returns null, never throws, for WAVs without a recipe or with a foreign or damaged one', () => {
    const json = JSON.stringify(generateRecipe('rain'));
    const ixml = (body: string) => encodeWav([tone], 16000, 'float32', { chunks: [{ id: 'iXML', body: new TextEncoder().encode(body) }] });
    const wrapped = (user: string) => ixml(`<BWFXML><USER>${user}</USER></BWFXML>`);
    expect(readRecipe(encodeWav([tone], 16000, 'float32'))).toBeNull();
    expect(readRecipe(ixml('<BWFXML><PROJECT>Field recording</PROJECT><USER>MIC=MKH416;</USER></BWFXML>'))).toBeNull();
    expect(readRecipe(ixml(`<NOTBWF><USER>${json}</USER></NOTBWF>`))).toBeNull();
    expect(readRecipe(wrapped(json.slice(0, -5)))).toBeNull();
    expect(readRecipe(wrapped(json.replace('"loa-studio-recipe"', '"other"')))).toBeNull();
    expect(readRecipe(wrapped(json.replace('"version":1', '"version":2')))).toBeNull();
    expect(readRecipe(wrapped(json.replace('"seed":12', '"seed":-1')))).toBeNull();
    expect(readRecipe(wrapped(json.replace('"steps":25', '"steps":0')))).toBeNull();
    expect(readRecipe(wrapped(json.replace(HASH, 'nothex')))).toBeNull();
    expect(readRecipe(wrapped(json.replace('"kind":"generate"', '"kind":"transform"')))).toBeNull(); // no lineage
    expect(readRecipe(ixml('\u0000\u0001garbage'))).toBeNull();
    // A truncated file: the iXML chunk runs past the end
    const cut = withChunks(generateRecipe('rain'));
    expect(readRecipe(cut.subarray(0, cut.length - 400))).toBeNull();
  });

  it('throws AudioDecodeError for bytes that are not a WAV file', () => {
    expect(() => readRecipe(new TextEncoder().encode('ID3\u0003 not a wav at all'))).toThrow(AudioDecodeError);
    expect(() => readRecipe(new Uint8Array(0))).toThrow(AudioDecodeError);
  });

  it('drops unknown fields and rejects a transform whose lineage disagrees with its params', () => {
    const vary = varyRecipe();
    expect(parseRecipe({ ...vary, extra: 'x' })).toEqual(vary);
    expect(parseRecipe({ ...vary, lineage: { ...vary.lineage, operation: 'loop' } })).toBeNull();
    expect(parseRecipe({ ...vary, lineage: { ...vary.lineage!, reference: { ...vary.lineage!.reference, sha256: 'x' } } })).toBeNull();
    expect(parseRecipe({ ...vary, strength: 2 })).toBeNull();
  });
});

describe('sidecar', () => {
  it('writes pretty { loaStudio: 1, recipe } and reads it back', () => {
    const recipe = varyRecipe();
    const json = sidecarJson(recipe);
    expect(json.startsWith('{\n  "loaStudio": 1,\n  "recipe": {\n')).toBe(true);
    expect(json.endsWith('}\n')).toBe(true);
    expect(readSidecar(json)).toEqual(recipe);
  });

  it('reads null from a lineage-only sidecar, damaged JSON or another document', () => {
    expect(readSidecar(JSON.stringify({ loaStudio: 1, lineage: varyRecipe().lineage }))).toBeNull();
    expect(readSidecar('{"loaStudio": 1, "recipe": ')).toBeNull();
    expect(readSidecar(JSON.stringify({ loaStudio: 2, recipe: varyRecipe() }))).toBeNull();
    expect(readSidecar('[]')).toBeNull();
  });
});

describe('independent readers', () => {
  it('sox reads a float WAV with all chunks (duration, rate, samples); its data chunk holds the exact float32 samples', () => {
    const path = join(dir, 'take.wav');
    writeFileSync(path, withChunks(varyRecipe(), 'float32', ['hum']));
    expect(execFileSync('sox', ['--i', '-s', path]).toString().trim()).toBe('1001');
    expect(execFileSync('sox', ['--i', '-r', path]).toString().trim()).toBe('16000');
    expect(execFileSync('sox', ['--i', '-D', path]).toString().trim()).toBe('0.062562');
    const raw = execFileSync('sox', [path, '-t', 'f32', '-']);
    const viaSox = new Float32Array(raw.buffer, raw.byteOffset, raw.length / 4);
    expect(viaSox.length).toBe(1001);
    // sox carries samples as 32-bit integers inside, so float32 comes back within one float32 step
    // of full scale (2^-23), not bit for bit; the exact bytes are checked by the RIFF walk below.
    expect(Math.max(...viaSox.map((x, i) => Math.abs(x - tone[i])))).toBeLessThan(2 ** -23);
    const data = riffWalk(path).get('data');
    expect(data?.length).toBe(1001 * 4);
    expect(data!.equals(Buffer.from(Float32Array.from(tone).buffer))).toBe(true);
    // sox 14.4.2's WAV reader ignores LIST/INFO (it reads no comments from WAV at all): nothing to show.
    expect(execFileSync('sox', ['--i', '-a', path]).toString().trim()).toBe('');
  });

  it('sox reads a pcm16 WAV with all chunks (exact samples); a plain RIFF walk finds the INFO tags', () => {
    const path = join(dir, 'take16.wav');
    const bytes = withChunks(generateRecipe('rain ☔ on tin'), 'pcm16', ['rain']);
    writeFileSync(path, bytes);
    const [channels, rate, bits, frames] = ['-c', '-r', '-b', '-s'].map((flag) => Number(execFileSync('sox', ['--i', flag, path]).toString().trim()));
    expect([channels, rate, bits, frames]).toEqual([1, 16000, 16, 1001]);
    // 16-bit samples pass through sox's 32-bit integers exactly.
    const raw = execFileSync('sox', [path, '-t', 's16', '-']);
    const samples = Array.from(new Int16Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.length)));
    const ours = decodeWav(bytes).channels[0];
    expect(samples).toEqual(Array.from(ours, (x) => Math.round(x * 32768)));
    const walked = [...riffWalk(path)].filter(([id]) => id.startsWith('INFO.'));
    const info = Object.fromEntries(walked.map(([id, body]) => [id.slice('INFO.'.length), body.toString('utf8')]));
    expect(info).toEqual(readListInfo(bytes));
    expect(info.INAM).toBe('rain ☔ on tin');
  });
});
