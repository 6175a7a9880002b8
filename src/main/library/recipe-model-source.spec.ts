/** A recipe names the checkpoint (Hub repo, revision) and builder version behind the bundle that made the take. */
import { describe, expect, it } from 'vitest';
import type { Recipe } from '../../shared/library/recipe.ts';
import { modelText } from '../../renderer/src/lib/recipe-text.ts';
import { parseRecipe, readSidecar, sidecarJson } from './wav-metadata.ts';

const recipe: Recipe = {
  format: 'loa-studio-recipe',
  version: 1,
  kind: 'generate',
  params: { prompt: 'rain on a tin roof', negativePrompt: 'Low quality.', seconds: 2.5, steps: 25, scheduler: 'dpmpp', guidance: 3.5, seed: 11, takes: 1 },
  seed: 11,
  model: { id: 'audioldm2', name: 'AudioLDM 2', bundleHash: 'ab'.repeat(32), source: { repo: 'cvssp/audioldm2', revision: 'c8e7e189a0d5cd2ac5c9e1a1c3e0f9b5a3e4d2c1', builder: '1' } },
  device: 'cpu',
  sampleRate: 16000,
  samples: 40000,
  createdAt: '2026-12-03T12:00:00.000Z',
  app: { name: 'LOA Studio', version: '0.1.0' },
};

describe('recipe model source', () => {
  it('survives the sidecar round trip', () => {
    expect(readSidecar(sidecarJson(recipe))?.model).toEqual(recipe.model);
  });

  it('is optional (bundles from elsewhere) but refused when malformed', () => {
    const { source: _, ...plain } = recipe.model;
    expect(parseRecipe({ ...recipe, model: plain })?.model).toEqual(plain);
    expect(parseRecipe({ ...recipe, model: { ...plain, source: { repo: 7, revision: null, builder: '1' } } })).toBeNull();
    expect(parseRecipe({ ...recipe, model: { ...plain, source: { repo: null, revision: null } } })).toBeNull();
  });

  it('shows as repo@revision and builder in the recipe text', () => {
    expect(modelText(recipe.model)).toBe('AudioLDM 2 from cvssp/audioldm2@c8e7e189a0d5 (abababababab, builder 1)');
    const { source: _, ...plain } = recipe.model;
    expect(modelText(plain)).toBe('AudioLDM 2 (abababababab)');
  });
});
