/** A LOA Studio recipe (read from a WAV's iXML) as labelled lines for the recipe dialog; pure. */
import type { Recipe } from '../../../shared/library/recipe.ts';
import { renderingText } from '../../../shared/library/rendering-text.ts';
import { fullWhen } from './dates.ts';
import { formatSeconds } from './format.ts';
import { describeOp, fallbackReferenceName, lineageText, trimNumber } from './transform-text.ts';

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
    { key: 'scheduler', label: 'Scheduler', value: p.scheduler === 'dpmpp' ? 'DPM++' : 'DDIM' },
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
