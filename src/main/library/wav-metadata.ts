/**
 * A take's recipe inside its WAV file, in the three places other tools look:
 *   bext  — EBU Tech 3285 Broadcast Wave extension (Soundminer, Pro Tools, BWF MetaEdit);
 *   iXML  — http://www.ixml.info, whose <USER> element carries the recipe as JSON (the copy we read back);
 *   LIST/INFO — RIFF INFO tags (Explorer, foobar2000, ffmpeg, sox).
 * And the `<take>.json` sidecar, for files whose chunks were stripped by another tool.
 * Pure functions over bytes and text: no files, no clocks (dates come from the recipe).
 */
import type { WavChunk, WavEncodeFormat } from '../audio/wav.ts';
import { listChunk, listWavChunks, readListChunk } from '../audio/wav.ts';
import { cueChunks, markersAtFrames, type CueMarker } from '../audio/wav-cues.ts';
import { ixmlUserText } from './ixml-user.ts';
import { seamMarkers } from '../../shared/engine/lineage.ts';
import type { Recipe } from '../../shared/library/recipe.ts';
import { renderingText } from '../../shared/library/rendering-text.ts';
import { isObject, parseRecipe } from './recipe-parse.ts';

export { parseRecipe } from './recipe-parse.ts';

export const ORIGINATOR = 'LOA Studio';
/** INAM is a title, not the whole prompt: a list column shows about this much. */
export const INAM_MAX_BYTES = 128;

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8');

// ---------------------------------------------------------------- text helpers

/**
 * EBU Tech 3285 defines the bext text fields as ASCII. Accents are folded (NFKD, "café" → "cafe"),
 * typographic quotes and dashes become their ASCII forms, line breaks a space, and anything else
 * outside printable ASCII one '?' per code point. The exact prompt is in iXML and LIST/INFO.
 */
export function toBextAscii(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/[\u2018\u2019\u201a\u201b\u2032]/g, "'")
    .replace(/[\u201c\u201d\u201e\u201f\u2033]/g, '"')
    .replace(/[\u2010-\u2015\u2212]/g, '-')
    .replace(/[\r\n\t]+/g, ' ')
    .replace(/[^\x20-\x7e]/gu, '?');
}

/** The longest prefix of `text` whose UTF-8 form fits in `maxBytes`, cut between code points. */
export function truncateUtf8(text: string, maxBytes: number): string {
  let out = '';
  let bytes = 0;
  for (const ch of text) {
    const n = utf8.encode(ch).length;
    if (bytes + n > maxBytes) break;
    out += ch;
    bytes += n;
  }
  return out;
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** Local date and time, as bext OriginationDate/Time and INFO ICRD want them. */
function localDateTime(iso: string): { date: string; time: string } {
  const d = new Date(iso);
  return {
    date: `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())}`,
    time: `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`,
  };
}

/** Text up to the first NUL (fixed-width fields and ZSTRs are NUL-padded). */
function zstr(bytes: Uint8Array): string {
  const end = bytes.indexOf(0);
  return utf8Decoder.decode(end < 0 ? bytes : bytes.subarray(0, end));
}

const BITS: Record<WavEncodeFormat, number> = { float32: 32, pcm16: 16, pcm24: 24 };

/** What the recipe says in one line: "vary strength 0.6, seed 3, dpmpp 4 steps, guidance 3.5, model tiny-random". */
export function recipeSummary(recipe: Recipe): string {
  const p = recipe.params;
  const op = 'op' in p ? `${p.op}${recipe.strength === undefined ? '' : ` strength ${recipe.strength}`}, ` : '';
  return `${op}seed ${recipe.seed}, ${p.scheduler} ${p.steps} steps, guidance ${p.guidance}, model ${recipe.model.id}`;
}

// ---------------------------------------------------------------- bext

export interface BextInfo {
  /** Free text, usually the prompt: folded to ASCII and cut to 256 characters. */
  description: string;
  /** A short id of the take (32 ASCII characters at most). */
  originatorReference: string;
  /** ISO 8601 instant; written as local date and time, as EBU Tech 3285 asks. */
  createdAt: string;
  /** EBU R 98 lines, oldest first, e.g. "A=PCM,F=16000,W=32,M=mono,T=LOA Studio 0.1.0; tiny-random". */
  codingHistory: string[];
}

export interface BextFields {
  version: number;
  description: string;
  originator: string;
  originatorReference: string;
  originationDate: string;
  originationTime: string;
  timeReference: bigint;
  codingHistory: string;
}

// EBU Tech 3285 field widths; the fixed part is 602 bytes, coding history follows.
const BEXT = { description: 256, originator: 32, originatorReference: 32, date: 10, time: 8, umid: 64, reserved: 190 } as const;
const BEXT_FIXED = 602;

function putAscii(body: Uint8Array, at: number, width: number, text: string): number {
  const ascii = toBextAscii(text).slice(0, width);
  for (let i = 0; i < ascii.length; i++) body[at + i] = ascii.charCodeAt(i);
  return at + width;
}

/**
 * The `bext` chunk, version 1: UMID zeroed, TimeReference 0 (a take starts at zero). Version 2
 * would add loudness fields, and readers disagree on how "not measured" is written (0 or 0x7FFF),
 * so we claim only what we write. CodingHistory ends in CR LF, as EBU R 98 asks.
 */
export function bextChunk(info: BextInfo): WavChunk {
  const history = info.codingHistory.map((line) => `${toBextAscii(line)}\r\n`).join('');
  const body = new Uint8Array(BEXT_FIXED + history.length);
  const { date, time } = localDateTime(info.createdAt);
  let p = putAscii(body, 0, BEXT.description, info.description);
  p = putAscii(body, p, BEXT.originator, ORIGINATOR);
  p = putAscii(body, p, BEXT.originatorReference, info.originatorReference);
  p = putAscii(body, p, BEXT.date, date);
  p = putAscii(body, p, BEXT.time, time);
  p += 8; // TimeReference, u64 little-endian: 0
  new DataView(body.buffer).setUint16(p, 1, true); // Version
  p += 2 + BEXT.umid + BEXT.reserved;
  for (let i = 0; i < history.length; i++) body[p + i] = history.charCodeAt(i);
  return { id: 'bext', body };
}

/** The bext fields of a WAV file, or null when it has none (or a short one). */
export function readBext(bytes: Uint8Array): BextFields | null {
  const chunk = listWavChunks(bytes).find((c) => c.id === 'bext');
  if (!chunk || chunk.body.length < BEXT_FIXED) return null;
  const b = chunk.body;
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const field = (at: number, width: number) => zstr(b.subarray(at, at + width));
  return {
    description: field(0, 256),
    originator: field(256, 32),
    originatorReference: field(288, 32),
    originationDate: field(320, 10),
    originationTime: field(330, 8),
    timeReference: v.getBigUint64(338, true),
    version: v.getUint16(346, true),
    codingHistory: zstr(b.subarray(BEXT_FIXED)),
  };
}

// ---------------------------------------------------------------- iXML

// XML 1.0 §2.2: characters no document may contain, even as references.
const XML_INVALID = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Element text: markup escaped, CR kept as a reference (parsers turn raw CR LF into LF), invalid characters replaced. */
function xmlText(text: string): string {
  return text.replace(XML_INVALID, '\ufffd').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#13;');
}

/**
 * The recipe as JSON that is also valid XML text: JSON.stringify already escapes control
 * characters and lone surrogates; U+FFFE/U+FFFF (legal in JSON, not in XML) are escaped too.
 * Escaping instead of CDATA means a prompt containing "]]>" needs no special case.
 */
function recipeJson(recipe: Recipe): string {
  return JSON.stringify(recipe).replace(/[\ufffe\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`);
}

/** iXML 2.10 document: PROJECT, NOTE (the prompt) and USER (the recipe as JSON), UTF-8. */
export function ixmlChunk(recipe: Recipe): WavChunk {
  const xml = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<BWFXML>',
    '  <IXML_VERSION>2.10</IXML_VERSION>',
    `  <PROJECT>${ORIGINATOR}</PROJECT>`,
    `  <NOTE>${xmlText(recipe.params.prompt)}</NOTE>`,
    `  <USER>${xmlText(recipeJson(recipe))}</USER>`,
    '</BWFXML>',
    '',
  ].join('\n');
  return { id: 'iXML', body: utf8.encode(xml) };
}

// ---------------------------------------------------------------- LIST/INFO

/** What the INFO tags say; all but the keywords come from the recipe. */
export interface ListInfo {
  title: string;
  comment: string;
  keywords: string[];
  software: string;
  /** ISO 8601 instant; written as the local date. */
  createdAt: string;
}

/**
 * `LIST` of type `INFO` (RIFF 1.0 §3): INAM, ICMT, IKEY (when there are keywords), ISFT, ICRD.
 * Each value is NUL-terminated and word-aligned. The user's own words (the prompt in INAM, tags in
 * IKEY) are UTF-8, as ffmpeg and most current tools write them, since folding would lose them; the
 * text we compose (ICMT: the recipe summary and how an export was rendered) is plain ASCII, which
 * every reader shows the same (recipeChunks folds it). INAM is cut between code points to
 * INAM_MAX_BYTES, with "…" where it was cut.
 */
export function listInfoChunk(info: ListInfo): WavChunk {
  const clean = (s: string) => s.replace(/[\u0000-\u001f]+/g, ' ');
  const title = clean(info.title);
  const short = utf8.encode(title).length <= INAM_MAX_BYTES ? title : `${truncateUtf8(title, INAM_MAX_BYTES - 3)}…`;
  const tags: Array<[string, string]> = [
    ['INAM', short],
    ['ICMT', clean(info.comment)],
    ['IKEY', clean(info.keywords.join('; '))],
    ['ISFT', clean(info.software)],
    ['ICRD', localDateTime(info.createdAt).date],
  ];
  // Each value NUL-terminated; listChunk pads the odd ones to a word.
  return listChunk(
    'INFO',
    tags.filter(([, value]) => value !== '').map(([id, value]) => ({ id, body: utf8.encode(`${value}\0`) })),
  );
}

/** The INFO tags of a WAV file by id (INAM, ICMT, …), or null when it has no LIST/INFO chunk. */
export function readListInfo(bytes: Uint8Array): Record<string, string> | null {
  const parts = readListChunk(bytes, 'INFO');
  return parts ? Object.fromEntries(parts.map((part) => [part.id, zstr(part.body)])) : null;
}

// ---------------------------------------------------------------- the recipe

export interface RecipeChunkExtras {
  tags?: string[];
  /** Short id of the take, for bext OriginatorReference. */
  takeId: string;
  /** The sample format the WAV is written in, for bext CodingHistory (default float32). */
  format?: WavEncodeFormat;
}

/**
 * bext, iXML and LIST/INFO for one take, in that order, then cue markers at its seams (a continued
 * or inpainted take), for `encodeWav(…, { chunks })`. An export's recipe carries its rendering:
 * bext gets a second coding-history line for it (EBU R 98: one line per step the audio went
 * through) and the INFO comment says it too; its markers are the exporter's to place.
 */
export function recipeChunks(recipe: Recipe, extra: RecipeChunkExtras): WavChunk[] {
  const software = `${recipe.app.name} ${recipe.app.version}`;
  const r = recipe.rendering;
  const made = `A=PCM,F=${recipe.sampleRate},W=${BITS[r ? 'float32' : (extra.format ?? 'float32')]},M=mono,T=${software}; ${recipe.model.id}`;
  const history = r ? [made, `A=PCM,F=${r.sampleRate},W=${BITS[r.format]},M=mono,T=${software} export; ${renderingText(r)}`] : [made];
  const op = 'op' in recipe.params ? [recipe.params.op] : [];
  return [
    bextChunk({
      description: recipe.params.prompt,
      originatorReference: extra.takeId,
      createdAt: recipe.createdAt,
      codingHistory: history,
    }),
    ixmlChunk(recipe),
    listInfoChunk({
      title: recipe.params.prompt,
      // ASCII: readers that take INFO text as Latin-1 (MediaInfo) showed "−23 LUFS" as "â23 LUFS".
      comment: toBextAscii(r ? `${recipeSummary(recipe)}; exported ${renderingText(r)}` : recipeSummary(recipe)),
      keywords: [...new Set([...(extra.tags ?? []), ...op])],
      software,
      createdAt: recipe.createdAt,
    }),
    ...(r ? [] : cueChunks(takeCueMarkers(recipe))),
  ];
}

/** A take's seams (seamMarkers) as cue markers at its own rate. */
export function takeCueMarkers(recipe: Recipe): CueMarker[] {
  return markersAtFrames(seamMarkers(recipe.lineage ?? null), recipe.sampleRate, recipe.samples);
}

/**
 * The recipe in a WAV file's iXML chunk, checked field by field; null when the file has no iXML,
 * or one written by another tool, or one that is damaged. Throws AudioDecodeError only for bytes
 * that are not a RIFF/WAVE file at all.
 */
export function readRecipe(bytes: Uint8Array): Recipe | null {
  const chunk = listWavChunks(bytes).find((c) => c.id === 'iXML');
  if (!chunk) return null;
  const json = ixmlUserText(chunk.body); // bounded and linear, whatever the chunk holds
  if (json === null) return null;
  try {
    return parseRecipe(JSON.parse(json));
  } catch {
    return null; // a USER element of another tool's free text
  }
}

export const SIDECAR_VERSION = 1;

/** The text of `<take>.json`: `{ "loaStudio": 1, "recipe": … }`, pretty, with a final newline. */
export function sidecarJson(recipe: Recipe): string {
  return `${JSON.stringify({ loaStudio: SIDECAR_VERSION, recipe }, null, 2)}\n`;
}

/** The recipe in a sidecar's text, or null for a sidecar without one (e.g. lineage only) or damaged JSON. */
export function readSidecar(text: string): Recipe | null {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return null;
  }
  if (!isObject(doc) || doc.loaStudio !== SIDECAR_VERSION) return null;
  return parseRecipe(doc.recipe);
}
