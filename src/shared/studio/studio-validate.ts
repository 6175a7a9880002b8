/**
 * Checks every Studio API call that arrives from outside main (Electron IPC, the browser-mode
 * WebSocket) before any service sees it: the method exists, the argument count fits, and each
 * value has the right type and range. Errors name the offending field. Pure: no Node, no DOM.
 */
import { InvalidRequestError } from '../errors.ts';
import { checkPayloadBounds } from './payload-bounds.ts';
import { LIMITS, validateDevice, validateGenerateParams } from '../engine/generate-params.ts';
import { validateTransformParams } from '../engine/transform-params.ts';
import type { Recipe, Rendering, RenderSettings } from '../library/recipe.ts';
import {
  STUDIO_METHODS,
  type ExportOptions,
  type ExportRequest,
  type GenerateRequest,
  type HubInstallRequest,
  type Normalize,
  type LibraryQuery,
  type ReferenceSourceRequest,
  type TakePatch,
  type TransformRequest,
  type Settings,
  type StudioApi,
  type StudioMethod,
} from './studio-api.ts';

/** A checked call: the method name with its arguments typed as the interface declares them. */
export type StudioCall = { [M in StudioMethod]: { method: M; args: Parameters<StudioApi[M]> } }[StudioMethod];
type Region = { start: number; end: number };

/** Take and job ids: url-safe, so they can sit in a media URL without escaping. */
export const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
export const MAX_PATH_CHARS = 4096;
/** Longer than any take (30 s limit); generous for takes made by later features (continuation). */
export const MAX_REGION_S = 600;
export const MAX_EXPORT_TAKES = 1000;
export const MAX_TEMPLATE_CHARS = 200;
export const MAX_RECENT_PROMPTS = 20;
export const SAMPLE_RATES = [16000, 44100, 48000] as const;
export const BIT_DEPTHS = ['pcm16', 'pcm24', 'float32'] as const;
/** The file-name template's placeholders (filled by src/main/export/file-name.ts); `{take:02}` zero-pads (docs/ux-conventions.md §5). */
export const NAME_PLACEHOLDERS = ['prompt-slug', 'seed', 'take', 'index', 'date', 'cat-id', 'fx-name', 'creator', 'source'] as const;
/** Characters Windows forbids in file names (the set stable-audio-tools replaces), plus control characters. */
export const UNSAFE_NAME_CHARS = /[\\/:*?"<>|\u0000-\u001f\u007f]/;

/** A short quote of a bad value for a message; never throws (a cyclic or absurdly deep value is named by its type). */
function show(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = Array.isArray(value) ? 'a list' : typeof value;
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function fail(field: string, message: string, hint?: string): never {
  throw new InvalidRequestError(field, message, hint);
}

/** A plain object whose keys are all known; `__proto__` and friends are simply unknown keys. */
function record(field: string, value: unknown, keys: readonly string[]): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(field, `${field} must be an object, got ${show(value)}.`);
  for (const key of Object.keys(value)) {
    if (!keys.includes(key)) fail(`${field}.${key}`, `Unknown field "${key}" in ${field}.`);
  }
  return value as Record<string, unknown>;
}

function num(field: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    fail(field, `${field} must be a number from ${min} to ${max}, got ${show(value)}.`);
  }
  return value;
}

function text(field: string, value: unknown, max: number): string {
  if (typeof value !== 'string') fail(field, `${field} must be text, got ${show(value)}.`);
  if (value.length > max) fail(field, `${field} is ${value.length} characters long; the limit is ${max}.`);
  return value;
}

function oneOf<T>(field: string, value: unknown, allowed: readonly T[]): T {
  if (!allowed.includes(value as T)) fail(field, `${field} must be one of ${allowed.join(', ')}, got ${show(value)}.`);
  return value as T;
}

export function validateId(field: string, value: unknown): string {
  if (typeof value !== 'string' || !ID_PATTERN.test(value)) fail(field, `${field} must be an id (letters, digits, _ or -, at most 64), got ${show(value)}.`);
  return value;
}

export function validatePath(field: string, value: unknown): string {
  const path = text(field, value, MAX_PATH_CHARS);
  if (path.trim() === '') fail(field, `${field} is empty.`, 'Choose a folder.');
  if (path.includes('\u0000')) fail(field, `${field} contains a NUL character.`);
  return path;
}

/** JSON turns an omitted trailing argument into null; both mean "absent". */
const absent = (value: unknown): boolean => value === undefined || value === null;

export function validateRegion(field: string, value: unknown): Region {
  const raw = record(field, value, ['start', 'end']);
  const start = num(`${field}.start`, raw.start, 0, MAX_REGION_S);
  const end = num(`${field}.end`, raw.end, 0, MAX_REGION_S);
  if (start >= end) fail(field, `${field} must start before it ends, got ${start}–${end} s.`, 'Select a region from left to right.');
  return { start, end };
}

function validateNormalize(field: string, value: unknown): Normalize {
  const kind = record(field, value, ['kind', 'dbfs', 'lufs']).kind;
  switch (kind) {
    case 'none':
      record(field, value, ['kind']);
      return { kind };
    case 'peak':
      return { kind, dbfs: num(`${field}.dbfs`, record(field, value, ['kind', 'dbfs']).dbfs, -60, 0) };
    case 'loudness':
      return { kind, lufs: num(`${field}.lufs`, record(field, value, ['kind', 'lufs']).lufs, -70, 0) };
    default:
      return fail(`${field}.kind`, `${field}.kind must be none, peak or loudness, got ${show(kind)}.`);
  }
}

/** Every `{placeholder}` must be known, braces must pair, and the literal text must be valid in a file name on every OS. */
export function validateNameTemplate(field: string, value: unknown): string {
  const template = text(field, value, MAX_TEMPLATE_CHARS);
  const placeholder = /\{([^{}]*)\}/g;
  let count = 0;
  for (const [, inner] of template.matchAll(placeholder)) {
    const match = /^([a-z-]+)(?::0?[1-9])?$/.exec(inner);
    if (!match || !(NAME_PLACEHOLDERS as readonly string[]).includes(match[1])) {
      fail(field, `${field} has an unknown placeholder {${inner}}.`, `Use ${NAME_PLACEHOLDERS.map((p) => `{${p}}`).join(', ')}; {take:02} pads with zeros.`);
    }
    count++;
  }
  const literal = template.replace(placeholder, '');
  if (/[{}]/.test(literal)) fail(field, `${field} has an unmatched brace.`);
  if (UNSAFE_NAME_CHARS.test(literal)) fail(field, `${field} contains a character that is not allowed in file names (\\ / : * ? " < > | or a control character).`);
  // Without a placeholder every export would get the same name ("never write a bare output.wav").
  if (count === 0) fail(field, `${field} must contain at least one placeholder such as {prompt-slug}.`);
  return template;
}

const RENDER_FIELDS = ['format', 'sampleRate', 'normalize', 'fadeInMs', 'fadeOutMs', 'trimSilence', 'highPass'] as const;

function renderSettings(field: string, raw: Record<string, unknown>): RenderSettings {
  // trimSilence came later: settings and recipes written before it have none (off).
  if (!absent(raw.trimSilence) && typeof raw.trimSilence !== 'boolean') fail(`${field}.trimSilence`, `${field}.trimSilence must be true or false, got ${show(raw.trimSilence)}.`);
  if (!absent(raw.highPass) && typeof raw.highPass !== 'boolean') fail(`${field}.highPass`, `${field}.highPass must be true or false, got ${show(raw.highPass)}.`);
  return {
    format: oneOf(`${field}.format`, raw.format, BIT_DEPTHS),
    sampleRate: oneOf(`${field}.sampleRate`, raw.sampleRate, SAMPLE_RATES),
    normalize: validateNormalize(`${field}.normalize`, raw.normalize),
    fadeInMs: num(`${field}.fadeInMs`, raw.fadeInMs, 0, 10_000),
    fadeOutMs: num(`${field}.fadeOutMs`, raw.fadeOutMs, 0, 10_000),
    ...(raw.trimSilence === true ? { trimSilence: true } : {}),
    ...(raw.highPass === true ? { highPass: true } : {}),
  };
}

export function validateExportOptions(field: string, value: unknown): ExportOptions {
  const raw = record(field, value, [...RENDER_FIELDS, 'nameTemplate']);
  return { ...renderSettings(field, raw), nameTemplate: validateNameTemplate(`${field}.nameTemplate`, raw.nameTemplate) };
}

/** An exported file's recipe says how it was rendered: the export settings, the take, the region. */
export function validateRendering(field: string, value: unknown): Rendering {
  const raw = record(field, value, [...RENDER_FIELDS, 'takeId', 'region']);
  return {
    ...renderSettings(field, raw),
    takeId: validateId(`${field}.takeId`, raw.takeId),
    ...(absent(raw.region) ? {} : { region: validateRegion(`${field}.region`, raw.region) }),
  };
}

export function validateExportRequest(value: unknown): ExportRequest {
  const raw = record('request', value, ['takeIds', 'region', 'options']);
  if (!Array.isArray(raw.takeIds) || raw.takeIds.length === 0 || raw.takeIds.length > MAX_EXPORT_TAKES) {
    fail('takeIds', `takeIds must list 1 to ${MAX_EXPORT_TAKES} takes.`, 'Select at least one take.');
  }
  const takeIds = raw.takeIds.map((id, i) => validateId(`takeIds[${i}]`, id));
  if (new Set(takeIds).size !== takeIds.length) fail('takeIds', 'takeIds lists a take twice.');
  const request: ExportRequest = { takeIds, options: validateExportOptions('options', raw.options) };
  if (!absent(raw.region)) {
    if (takeIds.length !== 1) fail('region', 'A region can only be exported from one take at a time.', 'Select a single take, or clear the region.');
    request.region = validateRegion('region', raw.region);
  }
  return request;
}

/** UCS blocks are joined with `_`, so a block may not contain one (UCS naming rules). */
function ucsBlock(field: string, value: unknown): string {
  const block = text(field, value, 64);
  if (block.includes('_') || UNSAFE_NAME_CHARS.test(block)) fail(field, `${field} may not contain _ or characters not allowed in file names.`);
  return block;
}

export function validateSettingsPatch(value: unknown): Partial<Settings> {
  const raw = record('settings', value, ['libraryDir', 'exportsDir', 'device', 'theme', 'exportDefaults', 'recentPrompts', 'ucs']);
  const patch: Partial<Settings> = {};
  if (raw.libraryDir !== undefined) patch.libraryDir = validatePath('libraryDir', raw.libraryDir);
  if (raw.exportsDir !== undefined) patch.exportsDir = validatePath('exportsDir', raw.exportsDir);
  if (raw.device !== undefined) patch.device = validateDevice(raw.device);
  if (raw.theme !== undefined) patch.theme = oneOf('theme', raw.theme, ['dark', 'light'] as const);
  if (raw.exportDefaults !== undefined) patch.exportDefaults = validateExportOptions('exportDefaults', raw.exportDefaults);
  if (raw.recentPrompts !== undefined) {
    if (!Array.isArray(raw.recentPrompts) || raw.recentPrompts.length > MAX_RECENT_PROMPTS) {
      fail('recentPrompts', `recentPrompts must be a list of at most ${MAX_RECENT_PROMPTS} prompts.`);
    }
    patch.recentPrompts = raw.recentPrompts.map((p, i) => text(`recentPrompts[${i}]`, p, LIMITS.maxPromptChars));
  }
  if (raw.ucs !== undefined) {
    const ucs = record('ucs', raw.ucs, ['catId', 'creator', 'source']);
    patch.ucs = { catId: ucsBlock('ucs.catId', ucs.catId), creator: ucsBlock('ucs.creator', ucs.creator), source: ucsBlock('ucs.source', ucs.source) };
  }
  return patch;
}

/**
 * Checks a generate request with the engine's own rules and keeps only what the caller set, so
 * the service still fills defaults and draws a random seed when none was given.
 */
export function validateGenerateRequest(value: unknown): GenerateRequest {
  const checked = validateGenerateParams(value, () => 0);
  const raw = value as Record<string, unknown>;
  const request: GenerateRequest = { prompt: checked.prompt };
  for (const key of ['negativePrompt', 'seconds', 'steps', 'scheduler', 'guidance', 'seed', 'takes'] as const) {
    if (raw[key] !== undefined) Object.assign(request, { [key]: checked[key] });
  }
  return request;
}

/** Same as generate: the engine's rules, then only the fields the caller set, plus which reference. */
export function validateTransformRequest(value: unknown): TransformRequest {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail('request', 'The request must be an object.');
  const { referenceId, ...rest } = value as Record<string, unknown>;
  const id = validateId('referenceId', referenceId);
  const checked = validateTransformParams(rest, () => 0) as unknown as Record<string, unknown>;
  const request = { referenceId: id, op: checked.op, prompt: checked.prompt } as TransformRequest;
  for (const key of ['negativePrompt', 'steps', 'scheduler', 'guidance', 'seed', 'takes', 'seconds', 'crossfadeMs', 'resample', 'from', 'to', 'seamSeconds'] as const) {
    if (rest[key] !== undefined) Object.assign(request, { [key]: checked[key] });
  }
  if (rest.strengths !== undefined || rest.strength !== undefined) request.strengths = checked.strengths as number[];
  return request;
}

export const MAX_NAME_CHARS = 255;

export function validateReferenceSource(value: unknown): ReferenceSourceRequest {
  const kind = oneOf('source.kind', (value as { kind?: unknown } | null)?.kind, ['take', 'file', 'upload'] as const);
  switch (kind) {
    case 'take': {
      const raw = record('source', value, ['kind', 'takeId', 'region']);
      const takeId = validateId('source.takeId', raw.takeId);
      return absent(raw.region) ? { kind, takeId } : { kind, takeId, region: validateRegion('source.region', raw.region) };
    }
    case 'file':
      return { kind, path: validatePath('source.path', record('source', value, ['kind', 'path']).path) };
    case 'upload': {
      const raw = record('source', value, ['kind', 'uploadId', 'name']);
      const name = text('source.name', raw.name, MAX_NAME_CHARS);
      if (UNSAFE_NAME_CHARS.test(name.replace(/[\\/:]/g, ''))) fail('source.name', 'source.name has control characters.');
      return { kind, uploadId: validateId('source.uploadId', raw.uploadId), name };
    }
  }
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
export const MAX_TAGS = 50;
export const MAX_NOTES_CHARS = 10_000;
export const MAX_QUERY_CHARS = 500;

function integer(field: string, value: unknown, min: number, max: number): number {
  if (!Number.isInteger(value) || (value as number) < min || (value as number) > max) fail(field, `${field} must be a whole number from ${min} to ${max}, got ${show(value)}.`);
  return value as number;
}

function tagList(field: string, value: unknown): string[] {
  if (!Array.isArray(value) || value.length > MAX_TAGS) fail(field, `${field} must be a list of at most ${MAX_TAGS} tags.`);
  return value.map((tag, i) => text(`${field}[${i}]`, tag, 100));
}

export function validateLibraryQuery(value: unknown): LibraryQuery {
  const raw = record('query', value, ['text', 'soundsLike', 'rating', 'favourite', 'modelId', 'from', 'to', 'minDuration', 'maxDuration', 'tags', 'sort', 'offset', 'limit']);
  const query: LibraryQuery = { offset: integer('offset', raw.offset, 0, 10_000_000), limit: integer('limit', raw.limit, 1, 1000) };
  if (!absent(raw.text)) query.text = text('text', raw.text, MAX_QUERY_CHARS);
  if (!absent(raw.soundsLike)) query.soundsLike = text('soundsLike', raw.soundsLike, MAX_QUERY_CHARS);
  if (!absent(raw.rating)) query.rating = integer('rating', raw.rating, 1, 5);
  if (!absent(raw.favourite)) {
    if (typeof raw.favourite !== 'boolean') fail('favourite', `favourite must be true or false, got ${show(raw.favourite)}.`);
    query.favourite = raw.favourite;
  }
  if (!absent(raw.modelId)) query.modelId = text('modelId', raw.modelId, 200);
  for (const key of ['from', 'to'] as const) {
    if (absent(raw[key])) continue;
    const day = text(key, raw[key], 10);
    if (!DAY.test(day) || Number.isNaN(Date.parse(day))) fail(key, `${key} must be a date like 2026-11-25, got ${show(day)}.`);
    query[key] = day;
  }
  if (!absent(raw.minDuration)) query.minDuration = num('minDuration', raw.minDuration, 0, 86_400);
  if (!absent(raw.maxDuration)) query.maxDuration = num('maxDuration', raw.maxDuration, 0, 86_400);
  if (!absent(raw.tags)) query.tags = tagList('tags', raw.tags);
  if (!absent(raw.sort)) query.sort = oneOf('sort', raw.sort, ['newest', 'oldest', 'rating', 'relevance'] as const);
  return query;
}

export function validateTakePatch(value: unknown): TakePatch {
  const raw = record('patch', value, ['rating', 'favourite', 'tags', 'notes']);
  const patch: TakePatch = {};
  if (!absent(raw.rating)) patch.rating = integer('rating', raw.rating, 0, 5) as TakePatch['rating'];
  if (!absent(raw.favourite)) {
    if (typeof raw.favourite !== 'boolean') fail('favourite', `favourite must be true or false, got ${show(raw.favourite)}.`);
    patch.favourite = raw.favourite;
  }
  if (!absent(raw.tags)) patch.tags = tagList('tags', raw.tags);
  if (!absent(raw.notes)) patch.notes = text('notes', raw.notes, MAX_NOTES_CHARS);
  return patch;
}

function idList(field: string, value: unknown): string[] {
  if (!Array.isArray(value) || value.length === 0 || value.length > 10_000) fail(field, `${field} must be a list of 1 to 10000 take ids.`);
  return value.map((id, i) => validateId(`${field}[${i}]`, id));
}

export function validateRecipeSource(value: unknown): Parameters<StudioApi['readRecipe']>[0] {
  const kind = oneOf('source.kind', (value as { kind?: unknown } | null)?.kind, ['take', 'upload', 'file'] as const);
  if (kind === 'take') return { kind, takeId: validateId('source.takeId', record('source', value, ['kind', 'takeId']).takeId) };
  if (kind === 'upload') return { kind, uploadId: validateId('source.uploadId', record('source', value, ['kind', 'uploadId']).uploadId) };
  return { kind, path: validatePath('source.path', record('source', value, ['kind', 'path']).path) };
}

/** A recipe is checked field by field in main (parseRecipe); here only that it is a plain object of sane size. */
export function validateRecipeShape(value: unknown): Recipe {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail('recipe', 'The recipe must be an object.');
  if (JSON.stringify(value).length > 200_000) fail('recipe', 'The recipe is too large to be a LOA Studio recipe.');
  return value as Recipe;
}

export function validateManifestUrl(value: unknown): string {
  const address = text('manifestUrl', value, MAX_PATH_CHARS);
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    fail('manifestUrl', `manifestUrl is not a URL: ${show(value)}.`, "Paste the full address of the bundle's manifest.json (https://…).");
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') fail('manifestUrl', `manifestUrl must be an http or https address, got ${url.protocol}.`);
  return address;
}

/** A Hub repo id, `org/name` (the Hub's own rule: letters, digits, `_ . -`, at most 96 each). */
export const REPO_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,95}\/[A-Za-z0-9][A-Za-z0-9_.-]{0,95}$/;
/** A branch, tag or commit. */
export const REVISION_PATTERN = /^[\w./-]{1,200}$/;
/** An installed model's id (`org--name` for Hub installs, a bundle's own id otherwise): one folder name, never a path. */
export const MODEL_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,199}$/;
/** Hub access tokens are printable ASCII without spaces (`hf_…`). */
export const TOKEN_PATTERN = /^[\x21-\x7e]{1,512}$/;

export function validateRepoId(field: string, value: unknown): string {
  const repo = text(field, value, 200).trim();
  if (!REPO_ID_PATTERN.test(repo) || repo.includes('..')) fail(field, `${field} must be a Hub repo id like cvssp/audioldm2, got ${show(value)}.`, 'Give it as org/name.');
  return repo;
}

export function validateHubInstallRequest(value: unknown): HubInstallRequest {
  const raw = record('request', value, ['repo', 'revision', 'acceptLicense', 'preferCache']);
  const repo = validateRepoId('repo', raw.repo);
  if (raw.acceptLicense !== true) {
    fail('acceptLicense', "The model's licence has not been accepted.", 'Read the licence on the card and tick "I accept the licence" before installing.');
  }
  const request: HubInstallRequest = { repo, acceptLicense: true };
  if (!absent(raw.revision)) {
    const revision = text('revision', raw.revision, 200).trim();
    if (!REVISION_PATTERN.test(revision) || revision.includes('..')) fail('revision', `revision must be a branch, tag or commit id, got ${show(raw.revision)}.`);
    request.revision = revision;
  }
  if (!absent(raw.preferCache)) {
    if (typeof raw.preferCache !== 'boolean') fail('preferCache', `preferCache must be true or false, got ${show(raw.preferCache)}.`);
    request.preferCache = raw.preferCache;
  }
  return request;
}

export function validateModelId(field: string, value: unknown): string {
  if (typeof value !== 'string' || !MODEL_ID_PATTERN.test(value) || value.includes('..')) {
    fail(field, `${field} must be the id of an installed model (a folder name in the models folder), got ${show(value)}.`);
  }
  return value;
}

function validateToken(value: unknown): string | null {
  if (value === null) return null;
  if (typeof value !== 'string' || !TOKEN_PATTERN.test(value)) fail('token', 'The access token must be the Hub token as copied (hf_…, no spaces), or null to clear it.');
  return value;
}

/** A render farm URL: redis:// or rediss://, bounded; the farm's own parser checks the rest in main. Null: the remembered one. */
export function validateFarmUrl(value: unknown): string | null {
  if (value === null) return null;
  if (typeof value !== 'string' || value.length > 2000 || !/^rediss?:\/\/[^\s]+$/.test(value.trim())) {
    fail('url', 'The farm URL must be redis://[user:password@]host[:port][/db] or rediss://… (TLS), with no spaces.', "Copy the URL the farm's workers use (npm run loa -- worker --redis <url>).");
  }
  return value.trim();
}

/** Per method: the fewest and most arguments it takes, and a checker for them. */
const METHODS: { [M in StudioMethod]: [min: number, max: number, check: (args: unknown[]) => Parameters<StudioApi[M]>] } = {
  getModelStatus: [0, 0, () => []],
  importModel: [1, 1, ([dir]) => [validatePath('dir', dir)]],
  downloadModel: [1, 1, ([url]) => [validateManifestUrl(url)]],
  modelCatalogue: [0, 0, () => []],
  findCachedModels: [0, 0, () => []],
  installModel: [1, 1, ([request]) => [validateHubInstallRequest(request)]],
  cancelInstall: [1, 1, ([installId]) => [validateId('installId', installId)]],
  listModels: [0, 0, () => []],
  switchModel: [1, 1, ([id]) => [validateModelId('id', id)]],
  planRemoveModel: [1, 1, ([id]) => [validateModelId('id', id)]],
  removeModel: [
    2,
    2,
    ([id, options]) => {
      const raw = record('options', options, ['includeCache']);
      if (typeof raw.includeCache !== 'boolean') fail('options.includeCache', `options.includeCache must be true or false, got ${show(raw.includeCache)}.`);
      return [validateModelId('id', id), { includeCache: raw.includeCache }];
    },
  ],
  hubTokenState: [0, 0, () => []],
  setHubToken: [1, 1, ([token]) => [validateToken(token)]],
  generate: [1, 1, ([request]) => [validateGenerateRequest(request)]],
  transform: [1, 1, ([request]) => [validateTransformRequest(request)]],
  importReference: [1, 1, ([source]) => [validateReferenceSource(source)]],
  listReferences: [0, 0, () => []],
  describeReference: [1, 2, ([referenceId, region]) => (absent(region) ? [validateId('referenceId', referenceId)] : [validateId('referenceId', referenceId), validateRegion('region', region)])],
  searchLibrary: [1, 1, ([query]) => [validateLibraryQuery(query)]],
  describeTake: [1, 1, ([takeId]) => [validateId('takeId', takeId)]],
  takesLikeReference: [2, 2, ([referenceId, limit]) => [validateId('referenceId', referenceId), integer('limit', limit, 1, 500)]],
  similarTakes: [2, 2, ([takeId, limit]) => [validateId('takeId', takeId), integer('limit', limit, 1, 500)]],
  updateTake: [2, 2, ([takeId, patch]) => [validateId('takeId', takeId), validateTakePatch(patch)]],
  trashTakes: [1, 1, ([ids]) => [idList('takeIds', ids)]],
  restoreTakes: [1, 1, ([ids]) => [idList('takeIds', ids)]],
  lineageTree: [1, 1, ([takeId]) => [validateId('takeId', takeId)]],
  importFolder: [1, 1, ([path]) => [validatePath('path', path)]],
  readRecipe: [1, 1, ([source]) => [validateRecipeSource(source)]],
  regenerateRecipe: [1, 1, ([recipe]) => [validateRecipeShape(recipe)]],
  rebuildLibrary: [0, 0, () => []],
  cancel: [1, 1, ([jobId]) => [validateId('jobId', jobId)]],
  listJobs: [0, 0, () => []],
  listTakes: [0, 0, () => []],
  getTake: [1, 1, ([takeId]) => [validateId('takeId', takeId)]],
  exportTakes: [1, 1, ([request]) => [validateExportRequest(request)]],
  prepareDrag: [1, 2, ([takeId, region]) => (absent(region) ? [validateId('takeId', takeId)] : [validateId('takeId', takeId), validateRegion('region', region)])],
  getSettings: [0, 0, () => []],
  updateSettings: [1, 1, ([patch]) => [validateSettingsPatch(patch)]],
  farmState: [0, 0, () => []],
  connectFarm: [1, 1, ([url]) => [validateFarmUrl(url)]],
  disconnectFarm: [0, 0, () => []],
  farmOverview: [0, 0, () => []],
  generateOnFarm: [1, 1, ([request]) => [validateGenerateRequest(request)]],
};

/** The checker at every transport's door: throws InvalidRequestError (field named) for anything malformed. */
export function validateCall(method: unknown, args: unknown): StudioCall {
  // First, before anything recurses into them: bounded depth and size (a 100 000-deep list must not overflow the stack).
  checkPayloadBounds(method, 'method');
  checkPayloadBounds(args, 'args');
  if (typeof method !== 'string' || !(STUDIO_METHODS as readonly string[]).includes(method)) {
    fail('method', `Unknown Studio method ${show(method)}.`, 'Update LOA Studio: the window and the main process are from different versions.');
  }
  if (!Array.isArray(args)) fail('args', `The arguments of ${method} must be a list, got ${show(args)}.`);
  const [min, max, check] = METHODS[method as StudioMethod];
  if (args.length < min || args.length > max) {
    fail('args', `${method} takes ${min === max ? min : `${min} to ${max}`} argument(s), got ${args.length}.`);
  }
  return { method, args: check(args) } as StudioCall;
}
