import { describe, expect, it } from 'vitest';
import type { Recipe } from '../../../shared/library/recipe.ts';
import { CARD_RECIPE, recipeFields, takeRecipeFields } from './recipe-text.ts';
import { PARAMS, plainTake, transformTake } from './transform-takes.fixture.ts';

const base: Recipe = {
  format: 'loa-studio-recipe',
  version: 1,
  kind: 'generate',
  params: { prompt: 'glass shattering', negativePrompt: 'Low quality.', seconds: 2, steps: 2, scheduler: 'dpmpp', guidance: 3.5, seed: 41, takes: 2 },
  seed: 42,
  model: { id: 'tiny', name: 'AudioLDM 2 tiny', bundleHash: 'abcdef0123456789abcdef' },
  device: 'cpu',
  sampleRate: 16000,
  samples: 32000,
  createdAt: '2026-03-09T14:02:00.000Z',
  app: { name: 'LOA Studio', version: '0.1.0' },
};

describe('recipe fields', () => {
  it('lists a text-to-audio recipe with its own seed', () => {
    const fields = Object.fromEntries(recipeFields(base).map((f) => [f.key, f.value]));
    expect(fields).toMatchObject({
      prompt: 'glass shattering',
      negative: 'Low quality.',
      seed: '42',
      steps: '2',
      scheduler: 'DPM++',
      guidance: '3.5',
      length: '2.0 s at 16000 Hz',
      model: 'AudioLDM 2 tiny (abcdef012345)',
      device: 'cpu',
      lineage: 'text to audio',
    });
    expect(fields.date).toContain('2026');
  });

  it('says where an audio-to-audio take came from', () => {
    const params = { op: 'continue' as const, prompt: 'rain', negativePrompt: '', steps: 3, scheduler: 'ddim' as const, guidance: 3, seed: 7, takes: 1, seconds: 1, crossfadeMs: 50, resample: 0 };
    const recipe: Recipe = {
      ...base,
      kind: 'transform',
      params,
      seed: 7,
      lineage: { operation: 'continue', reference: { kind: 'file', id: '/sounds/tone.wav', sha256: 'x', seconds: 2 }, params, seed: 7 },
    };
    const fields = Object.fromEntries(recipeFields(recipe).map((f) => [f.key, f.value]));
    expect(fields.lineage).toBe('continued from tone.wav · +1 s · seed 7');
    expect(fields.scheduler).toBe('DDIM');
    expect(fields.negative).toBeUndefined();
  });

  it('says how an exported file was rendered from its take, and says nothing of it for a take', () => {
    const rendering = {
      takeId: 'a'.repeat(32),
      region: { start: 1, end: 2.5 },
      format: 'pcm24' as const,
      sampleRate: 48000 as const,
      normalize: { kind: 'loudness' as const, lufs: -14 },
      fadeInMs: 5,
      fadeOutMs: 5,
    };
    const fields = Object.fromEntries(recipeFields({ ...base, rendering }).map((f) => [f.key, f.value]));
    expect(fields.export).toBe('region 1–2.5 s, 48 kHz 24-bit, −14 LUFS, fades 5 / 5 ms');
    expect(fields.length).toBe('2.0 s at 16000 Hz');
    expect(recipeFields(base).map((f) => f.key)).not.toContain('export');
  });
});

describe('a take’s short recipe', () => {
  it('shows the keys asked for, in that order, with the registry’s scheduler label', () => {
    const take = { ...plainTake('t1', 'j1'), score: 0.4567, durationS: 2.25 };
    expect(takeRecipeFields(take, CARD_RECIPE).map((f) => [f.label, f.value])).toEqual([
      ['seed', '7'],
      ['len', '2.3 s'],
      ['steps', '10 DPM++'],
      ['cfg', '3.5'],
      ['rate', '16 kHz'],
      ['on', 'cpu'],
      ['clap', '0.46'],
    ]);
    expect(takeRecipeFields(take, ['model', 'seed']).map((f) => f.key)).toEqual(['model', 'seed']);
  });

  it('adds a vary take’s strength and a negative prompt, and labels DDIM', () => {
    const vary = transformTake('t2', 'j2', PARAMS.vary, 100, 0.35);
    const fields = Object.fromEntries(takeRecipeFields(vary, CARD_RECIPE).map((f) => [f.key, f.value]));
    expect(fields).toMatchObject({ strength: '0.35', negative: 'Low quality.', steps: '10 DPM++' });
    const cont = transformTake('t3', 'j3', PARAMS.continue);
    expect(takeRecipeFields(cont, ['strength', 'steps'])).toEqual([{ key: 'steps', label: 'steps', value: '10 DDIM' }]);
  });
});
