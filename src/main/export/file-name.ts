// File names for exported takes, from a template such as `{prompt-slug}_{seed}_{take}` or the UCS
// `{cat-id}_{fx-name}_{creator}_{source}` (docs/ux-conventions.md §5). Pure: the date
// comes in as an argument. The result is valid on Windows, macOS and Linux alike.
import { InvalidRequestError } from '../../shared/errors.ts';
import type { Settings, TakeInfo } from '../../shared/studio/studio-api.ts';

// UCS v8: CatID_FXName_CreatorID_SourceID; `_` separates the blocks and appears nowhere else.
export { DEFAULT_NAME_TEMPLATE as DEFAULT_TEMPLATE, UCS_NAME_TEMPLATE as UCS_TEMPLATE } from '../../shared/studio/export-defaults.ts';
/** Every placeholder fileNameFor knows; numeric ones take a zero-pad width, e.g. `{take:02}`. */
export const FILE_NAME_PLACEHOLDERS = ['prompt-slug', 'seed', 'take', 'index', 'date', 'cat-id', 'fx-name', 'creator', 'source'] as const;

export type NameableTake = Pick<TakeInfo, 'id' | 'seed' | 'rank'> & { params: { prompt: string } };
export type UcsFields = Settings['ucs'];

const SLUG_MAX = 48;
const FX_NAME_MAX = 60;
// ext4/APFS allow 255 bytes and NTFS 255 UTF-16 units per name; stay well below so ".wav", a
// uniqueName suffix and a sidecar ".json" still fit.
const STEM_MAX_BYTES = 180;
// Windows (learn.microsoft.com "Naming Files, Paths, and Namespaces"): not allowed in names.
const FORBIDDEN = /[\\/:*?"<>|\u0000-\u001f\u007f]+/g;
// Reserved device names, also with an extension ("con.wav"), including the superscript-digit forms.
const RESERVED = /^(con|prn|aux|nul|conin\$|conout\$|com[0-9¹²³]|lpt[0-9¹²³])$/i;
// Letters that NFKD does not decompose into ASCII.
const FOLD: Record<string, string> = {
  ß: 'ss',
  æ: 'ae',
  Æ: 'AE',
  œ: 'oe',
  Œ: 'OE',
  ø: 'o',
  Ø: 'O',
  ł: 'l',
  Ł: 'L',
  đ: 'd',
  Đ: 'D',
  ð: 'd',
  Ð: 'D',
  þ: 'th',
  Þ: 'Th',
  ı: 'i',
};

/** The prompt's ASCII words: accents stripped (NFKD), apostrophes dropped, everything else a separator. */
function asciiWords(text: string): string[] {
  const folded = text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/[ßæÆœŒøØłŁđĐðÐþÞı]/g, (c) => FOLD[c])
    .replace(/['’]/g, '');
  return folded.split(/[^A-Za-z0-9]+/).filter((w) => w !== '');
}

/** Joins whole words up to `max` characters; a single over-long word is cut. */
function joinCapped(words: string[], sep: string, max: number): string {
  let out = '';
  for (const w of words) {
    const next = out === '' ? w : out + sep + w;
    if (next.length > max) return out === '' ? w.slice(0, max) : out;
    out = next;
  }
  return out;
}

/** `glass-shatter-big-cafe`: lowercase ASCII words joined by '-', at most 48 characters; "untitled" when nothing is left. */
export function promptSlug(prompt: string): string {
  return (
    joinCapped(
      asciiWords(prompt).map((w) => w.toLowerCase()),
      '-',
      SLUG_MAX,
    ) || 'untitled'
  );
}

/** UCS FXName: `Glass Shatter BIG Cafe` — each word capitalised (the rest kept, so acronyms survive), at most 60 characters, no `_`. */
export function fxName(prompt: string): string {
  return (
    joinCapped(
      asciiWords(prompt).map((w) => w[0].toUpperCase() + w.slice(1)),
      ' ',
      FX_NAME_MAX,
    ) || 'Untitled'
  );
}

/** A user-set UCS block: no `_` (it would add a block) and nothing a file name may not hold. */
const block = (value: string): string => value.replace(FORBIDDEN, '-').replace(/_+/g, '-').trim();

const yyyymmdd = (d: Date): string => `${d.getFullYear()}${String(d.getMonth() + 1).padStart(2, '0')}${String(d.getDate()).padStart(2, '0')}`;

/** Cuts to at most `max` UTF-8 bytes without splitting a character. */
function capBytes(text: string, max: number): string {
  const enc = new TextEncoder();
  if (enc.encode(text).length <= max) return text;
  let out = '';
  let bytes = 0;
  for (const ch of text) {
    bytes += enc.encode(ch).length;
    if (bytes > max) break;
    out += ch;
  }
  return out;
}

/**
 * Makes a stem safe on every OS: forbidden and control characters become '-', leading and
 * trailing dots and spaces go (Windows drops trailing ones silently; a leading dot hides the file
 * on Unix), the length is capped, and a reserved device name (CON, NUL, COM1…) gets a '_' appended
 * (pathvalidate's fix).
 */
export function sanitizeStem(stem: string): string {
  const trim = (s: string): string => s.replace(/^[\s.]+|[\s.]+$/g, '');
  let s = trim(capBytes(trim(stem.normalize('NFC').replace(FORBIDDEN, '-').replace(/\s+/g, ' ')), STEM_MAX_BYTES));
  if (s === '') s = 'untitled';
  const dot = s.indexOf('.');
  const base = (dot === -1 ? s : s.slice(0, dot)).trimEnd();
  if (RESERVED.test(base)) s = `${base}_${dot === -1 ? '' : s.slice(dot)}`;
  return s;
}

/**
 * Fills `template` for one take and returns a file name ending in `.wav`. `index` is the take's
 * 1-based position in a batch export; `date` fills `{date}` (local YYYYMMDD). An unknown
 * placeholder throws InvalidRequestError (field nameTemplate).
 */
export function fileNameFor(template: string, take: NameableTake, ucs: UcsFields, index: number, date: Date = new Date()): string {
  const values: Record<(typeof FILE_NAME_PLACEHOLDERS)[number], () => string | number> = {
    'prompt-slug': () => promptSlug(take.params.prompt),
    seed: () => take.seed,
    take: () => take.rank,
    index: () => index,
    date: () => yyyymmdd(date),
    'cat-id': () => block(ucs.catId),
    'fx-name': () => fxName(take.params.prompt),
    creator: () => block(ucs.creator),
    source: () => block(ucs.source),
  };
  const filled = template.replace(/\{([^{}]*)\}/g, (whole, inner: string) => {
    const m = /^([a-z-]+)(?::0?([1-9]))?$/.exec(inner);
    const get = m === null ? undefined : values[m[1] as keyof typeof values];
    if (m === null || get === undefined) {
      throw new InvalidRequestError('nameTemplate', `The name template has an unknown placeholder ${whole}.`, `Use ${FILE_NAME_PLACEHOLDERS.map((p) => `{${p}}`).join(', ')}.`);
    }
    const v = get();
    return typeof v === 'number' && m[2] !== undefined ? String(v).padStart(Number(m[2]), '0') : String(v);
  });
  const stem = filled.replace(/\.wav$/i, '');
  return `${sanitizeStem(stem)}.wav`;
}

/**
 * Returns `name`, or `name-2`, `name-3`, … (before the extension) — the first one not in
 * `existing` (a directory listing), compared case-insensitively because the default macOS and
 * Windows file systems are. '-N' rather than Finder's ' (N)': no spaces or brackets to quote in a
 * shell, and no '_', which UCS reserves for its block separators.
 */
export function uniqueName(existing: ReadonlySet<string>, name: string): string {
  const taken = new Set(Array.from(existing, (n) => n.normalize('NFC').toLowerCase()));
  if (!taken.has(name.normalize('NFC').toLowerCase())) return name;
  const dot = name.lastIndexOf('.');
  const [stem, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
  for (let k = 2; ; k++) {
    const candidate = `${stem}-${k}${ext}`;
    if (!taken.has(candidate.normalize('NFC').toLowerCase())) return candidate;
  }
}
