/**
 * A recipe read back from a file (iXML, sidecar) or a request, checked field by field: anything
 * another tool or a damaged file could put there yields null, never a half-valid recipe.
 */
import { validateGenerateParams, validateSeed } from '../../shared/engine/generate-params.ts';
import type { Lineage, ReferenceSource } from '../../shared/engine/lineage.ts';
import { validateTransformParams, type TransformParams } from '../../shared/engine/transform-params.ts';
import { RECIPE_FORMAT, RECIPE_VERSION, type ModelSource, type Recipe, type Rendering, type RenderResult } from '../../shared/library/recipe.ts';
import { validateRendering } from '../../shared/studio/studio-validate.ts';

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const isHash = (value: unknown): value is string => typeof value === 'string' && /^[0-9a-f]{64}$/.test(value);
const isCount = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;
const isStrength = (value: unknown): value is number => typeof value === 'number' && value >= 0 && value <= 1;

/** Runs a validator that throws on bad input; null instead of the throw. */
function attempt<T>(fn: () => T): T | null {
  try {
    return fn();
  } catch {
    return null;
  }
}

function parseLineage(value: unknown): Lineage | null {
  if (!isObject(value) || !isObject(value.reference)) return null;
  const r = value.reference;
  if ((r.kind !== 'file' && r.kind !== 'take') || typeof r.id !== 'string' || !isHash(r.sha256) || typeof r.seconds !== 'number') return null;
  if (r.referenceId !== undefined && typeof r.referenceId !== 'string') return null;
  const params = attempt(() => validateTransformParams(value.params, () => 0));
  const seed = attempt(() => validateSeed(value.seed));
  if (!params || seed === null || value.operation !== params.op) return null;
  if (value.strength !== undefined && !isStrength(value.strength)) return null;
  const reference: ReferenceSource = { kind: r.kind, id: r.id, sha256: r.sha256, seconds: r.seconds, ...(r.referenceId === undefined ? {} : { referenceId: r.referenceId }) };
  return { operation: params.op, reference, params, seed, ...(value.strength === undefined ? {} : { strength: value.strength }) };
}

/**
 * A recipe from untrusted JSON: every field checked (params through the same validators as a new
 * request), unknown fields dropped; null when anything is missing or wrong.
 */
export function parseRecipe(value: unknown): Recipe | null {
  if (!isObject(value) || value.format !== RECIPE_FORMAT || value.version !== RECIPE_VERSION) return null;
  const { kind, model, app, loop } = value;
  if (kind !== 'generate' && kind !== 'transform') return null;
  const params: Recipe['params'] | null = kind === 'generate' ? attempt(() => validateGenerateParams(value.params, () => 0)) : attempt(() => validateTransformParams(value.params, () => 0));
  const seed = attempt(() => validateSeed(value.seed));
  if (!params || seed === null) return null;
  if (value.strength !== undefined && !isStrength(value.strength)) return null;
  let lineage: Lineage | undefined;
  if (kind === 'transform') {
    const parsed = parseLineage(value.lineage);
    if (!parsed || parsed.operation !== (params as TransformParams).op) return null;
    lineage = parsed;
  } else if (value.lineage !== undefined) return null;
  if (!isObject(model) || typeof model.id !== 'string' || typeof model.name !== 'string' || !isHash(model.bundleHash)) return null;
  const source = model.source === undefined ? undefined : parseModelSource(model.source);
  if (source === null) return null;
  if (model.license !== undefined && (typeof model.license !== 'string' || model.license.length > 1000)) return null;
  if (!isObject(app) || app.name !== 'LOA Studio' || typeof app.version !== 'string') return null;
  if (typeof value.device !== 'string' || !isCount(value.sampleRate) || value.sampleRate === 0 || !isCount(value.samples)) return null;
  if (typeof value.createdAt !== 'string' || Number.isNaN(Date.parse(value.createdAt))) return null;
  if (loop !== undefined && !(isObject(loop) && isCount(loop.start) && isCount(loop.end) && loop.end >= loop.start)) return null;
  const rendering = value.rendering === undefined ? undefined : parseRendering(value.rendering);
  if (rendering === null) return null;
  return {
    format: RECIPE_FORMAT,
    version: RECIPE_VERSION,
    kind,
    params,
    seed,
    ...(value.strength === undefined ? {} : { strength: value.strength }),
    ...(lineage ? { lineage } : {}),
    model: { id: model.id, name: model.name, bundleHash: model.bundleHash, ...(source ? { source } : {}), ...(typeof model.license === 'string' ? { license: model.license } : {}) },
    device: value.device,
    sampleRate: value.sampleRate,
    samples: value.samples,
    ...(loop ? { loop: { start: loop.start as number, end: loop.end as number } } : {}),
    createdAt: value.createdAt,
    app: { name: 'LOA Studio', version: app.version },
    ...(rendering ? { rendering } : {}),
  };
}

/** An export's rendering: the settings as a request's (validateRendering), plus the loop flag and what it reached. */
function parseRendering(value: unknown): Rendering | null {
  if (!isObject(value)) return null;
  const { loop, result, ...settings } = value;
  const rendering = attempt(() => validateRendering('rendering', settings));
  if (!rendering || (loop !== undefined && loop !== true)) return null;
  let parsed: RenderResult | undefined;
  if (result !== undefined) {
    const level = (v: unknown) => v === null || (typeof v === 'number' && Number.isFinite(v));
    if (!isObject(result) || !level(result.lufs) || !level(result.peakDbfs) || typeof result.gainDb !== 'number' || !Number.isFinite(result.gainDb)) return null;
    if (typeof result.limited !== 'boolean' || typeof result.ceilingDbfs !== 'number' || !Number.isFinite(result.ceilingDbfs)) return null;
    parsed = { lufs: result.lufs as number | null, peakDbfs: result.peakDbfs as number | null, gainDb: result.gainDb, limited: result.limited, ceilingDbfs: result.ceilingDbfs };
  }
  return { ...rendering, ...(loop ? { loop: true } : {}), ...(parsed ? { result: parsed } : {}) };
}

function parseModelSource(value: unknown): ModelSource | null {
  if (!isObject(value) || typeof value.builder !== 'string') return null;
  const text = (v: unknown) => (v === null || typeof v === 'string' ? v : undefined);
  const repo = text(value.repo);
  const revision = text(value.revision);
  if (repo === undefined || revision === undefined) return null;
  return { repo, revision, builder: value.builder };
}
