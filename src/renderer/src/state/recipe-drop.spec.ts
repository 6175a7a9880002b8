import { describe, expect, it } from 'vitest';
import { AudioDecodeError } from '../../../shared/errors.ts';
import type { Recipe } from '../../../shared/library/recipe.ts';
import type { JobInfo } from '../../../shared/studio/studio-api.ts';
import type { StudioClient } from '../api/studio-client.ts';
import { RecipeDropState } from './recipe-drop.svelte.ts';
import { apiStandIn, deferred } from './studio-api.fixture.ts';

const TAKE_ID = 'ab'.repeat(16);
const recipe: Recipe = {
  format: 'loa-studio-recipe',
  version: 1,
  kind: 'generate',
  params: { prompt: 'glass', negativePrompt: '', seconds: 2, steps: 2, scheduler: 'dpmpp', guidance: 3.5, seed: 41, takes: 1 },
  seed: 41,
  model: { id: 'tiny', name: 'tiny', bundleHash: 'abcdef0123456789' },
  device: 'cpu',
  sampleRate: 16000,
  samples: 32000,
  createdAt: '2026-03-09T14:02:00.000Z',
  app: { name: 'LOA Studio', version: '0.1.0' },
};
const file = (name: string) => new File([new Uint8Array(4)], name, { type: 'audio/wav' });
const job = { jobId: 'j1' } as JobInfo;

describe('RecipeDropState', () => {
  it('shows the latest dropped file’s recipe and finds its take from the library file name', async () => {
    const answers = new Map([
      ['first.wav', deferred<Recipe | null>()],
      [`glass_41_${TAKE_ID}.wav`, deferred<Recipe | null>()],
    ]);
    const drop = new RecipeDropState(apiStandIn<StudioClient>({ recipeFromFile: (f: File) => answers.get(f.name)!.promise }).api, () => {});
    const first = drop.readFile(file('first.wav'));
    const second = drop.readFile(file(`glass_41_${TAKE_ID}.wav`));
    expect({ open: drop.open, reading: drop.reading }).toEqual({ open: true, reading: true });
    answers.get(`glass_41_${TAKE_ID}.wav`)!.resolve(recipe);
    await second;
    answers.get('first.wav')!.resolve({ ...recipe, seed: 1 });
    await first;
    expect({ seed: drop.recipe?.seed, takeId: drop.takeId, reading: drop.reading }).toEqual({ seed: 41, takeId: TAKE_ID, reading: false });
  });

  it('an export names its take in the recipe; a WAV without a recipe has neither', async () => {
    const answers: Array<Recipe | null> = [{ ...recipe, rendering: { takeId: 'cd'.repeat(16), format: 'pcm24', sampleRate: 48000, normalize: { kind: 'none' }, fadeInMs: 0, fadeOutMs: 0 } }, null];
    const drop = new RecipeDropState(apiStandIn<StudioClient>({ recipeFromFile: async () => answers.shift()! }).api, () => {});
    await drop.readFile(file('export.wav'));
    expect(drop.takeId).toBe('cd'.repeat(16));
    await drop.readFile(file(`glass_41_${TAKE_ID}.wav`));
    expect({ recipe: drop.recipe, takeId: drop.takeId, error: drop.error, open: drop.open }).toEqual({ recipe: null, takeId: null, error: null, open: true });
  });

  it('regenerates as a queued job and closes, or keeps the dialog with the reason', async () => {
    const jobs: JobInfo[] = [];
    const refused = new AudioDecodeError('"x.wav" is not a WAV file.');
    const answers: Array<() => Promise<JobInfo>> = [
      async () => {
        throw refused;
      },
      async () => job,
    ];
    const { api, calls } = apiStandIn<StudioClient>({ recipeFromFile: async () => recipe, regenerateRecipe: () => answers.shift()!() });
    const drop = new RecipeDropState(api, (j) => jobs.push(j));
    await drop.readFile(file('a.wav'));
    expect(await drop.regenerate()).toBeNull();
    expect({ error: drop.error, open: drop.open, regenerating: drop.regenerating }).toEqual({ error: { message: refused.message, hint: refused.hint }, open: true, regenerating: false });
    expect(await drop.regenerate()).toBe(job);
    expect({ jobs, open: drop.open, recipe: drop.recipe }).toEqual({ jobs: [job], open: false, recipe: null });
    expect(calls.filter((c) => c.method === 'regenerateRecipe').map((c) => c.args[0])).toEqual([recipe, recipe]);
  });
});
