/**
 * A recipe as labelled values for RecipeView, pure: a LOA Studio recipe read from a WAV's iXML (the
 * recipe dialog), or a take's own (its card in the workspace, its detail in the library).
 */
import { schedulerLabel } from '../../../shared/engine/schedulers.ts';
import type { Recipe } from '../../../shared/library/recipe.ts';
import { renderingText } from '../../../shared/library/rendering-text.ts';
import { isTransformParams, type TakeInfo } from '../../../shared/studio/studio-api.ts';
import { fullWhen } from './dates.ts';
import { formatKhz, formatSeconds } from './format.ts';
import { describeOp, fallbackReferenceName, lineageText, strengthOf, trimNumber } from './transform-text.ts';

export interface RecipeField {
  /** Stable key, also the row's `data-field` for tests. */
  key: string;
  label: string;
  value: string;
}

export function recipeFields(recipe: Recipe): RecipeField[] {
  const p = recipe.params;
  const fields: RecipeField[] = [{ key: 'prompt', label: 'Prompt', value: p.prompt }];
  if (p.negativePrompt) fields.push({ key: 'negative', label: 'Not', value: p.negativePrompt });
  fields.push(
    { key: 'seed', label: 'Seed', value: String(recipe.seed) },
    { key: 'steps', label: 'Steps', value: String(p.steps) },
    { key: 'scheduler', label: 'Scheduler', value: schedulerLabel(p.scheduler) },
    { key: 'guidance', label: 'Guidance', value: trimNumber(p.guidance) },
  );
  if (recipe.strength !== undefined) fields.push({ key: 'strength', label: 'Strength', value: trimNumber(recipe.strength) });
  fields.push(
    { key: 'length', label: 'Length', value: `${formatSeconds(recipe.samples / recipe.sampleRate)} at ${recipe.sampleRate} Hz` },
    { key: 'model', label: 'Model', value: modelText(recipe.model) },
    ...(recipe.model.license ? [{ key: 'license', label: 'Licence', value: recipe.model.license }] : []),
    { key: 'device', label: 'Device', value: recipe.device },
    { key: 'date', label: 'Made', value: `${fullWhen(recipe.createdAt)} · ${recipe.app.name} ${recipe.app.version}` },
  );
  const op = describeOp(p);
  if (recipe.lineage) {
    const text = lineageText(recipe.lineage);
    const name = fallbackReferenceName(recipe.lineage.reference);
    fields.push({ key: 'lineage', label: 'Lineage', value: `${text.verb} ${name} · ${text.details.join(' · ')}` });
  } else {
    fields.push({ key: 'lineage', label: 'Lineage', value: op ?? 'text to audio' });
  }
  if (recipe.rendering) fields.push({ key: 'export', label: 'Exported', value: renderingText(recipe.rendering) });
  return fields;
}

/** The model line: name, the checkpoint it was built from (repo@revision) when known, and the bundle hash. */
export function modelText(model: Recipe['model']): string {
  const origin = model.source?.repo ? ` from ${model.source.repo}${model.source.revision ? `@${model.source.revision.slice(0, 12)}` : ''}` : '';
  const builder = model.source ? `, builder ${model.source.builder}` : '';
  return `${model.name}${origin} (${model.bundleHash.slice(0, 12)}${builder})`;
}

/** What a take's short recipe can show, in the order it is shown. */
export type TakeRecipeKey = 'seed' | 'length' | 'strength' | 'steps' | 'guidance' | 'rate' | 'model' | 'device' | 'score' | 'date' | 'negative';

/** A workspace take card: how it was sampled and how it scored (the model is the one loaded). */
export const CARD_RECIPE: readonly TakeRecipeKey[] = ['seed', 'length', 'strength', 'steps', 'guidance', 'rate', 'device', 'score', 'negative'];
/** The library's detail: takes from any model and any day, so the model and the date too. */
export const LIBRARY_RECIPE: readonly TakeRecipeKey[] = ['seed', 'length', 'steps', 'guidance', 'model', 'device', 'date'];

/**
 * A take's recipe as short labelled values, the keys asked for in the order asked for: a key the take
 * has no value for (strength of a text-to-audio take, a CLAP score not measured, no negative prompt) is left out.
 */
export function takeRecipeFields(take: TakeInfo, keys: readonly TakeRecipeKey[]): RecipeField[] {
  const p = take.params;
  const strength = isTransformParams(p) && p.op === 'vary' ? strengthOf(p, take.lineage) : null;
  const values: Record<TakeRecipeKey, [label: string, value: string | null]> = {
    seed: ['seed', String(take.seed)],
    length: ['len', formatSeconds(take.durationS)],
    strength: ['strength', strength === null ? null : trimNumber(strength)],
    steps: ['steps', `${p.steps} ${schedulerLabel(p.scheduler)}`],
    guidance: ['cfg', String(p.guidance)],
    rate: ['rate', formatKhz(take.sampleRate)],
    model: ['model', take.modelId],
    device: ['on', take.device],
    score: ['clap', take.score === null ? null : take.score.toFixed(2)],
    date: ['made', fullWhen(take.createdAt)],
    negative: ['not', p.negativePrompt || null],
  };
  return keys.flatMap((key) => {
    const [label, value] = values[key];
    return value === null ? [] : [{ key, label, value }];
  });
}
