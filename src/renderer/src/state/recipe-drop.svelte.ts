/**
 * A LOA Studio WAV dropped on the library: its recipe (read by main from the iXML chunk), shown in
 * a dialog that can regenerate it as a normal job. A WAV without one gets a plain answer.
 */
import type { Recipe } from '../../../shared/library/recipe.ts';
import { takeIdInFileName } from '../../../shared/library/take-file-name.ts';
import type { JobInfo } from '../../../shared/studio/studio-api.ts';
import type { StudioClient } from '../api/studio-client.ts';
import { errorText, type ErrorText } from '../lib/error-text.ts';

export class RecipeDropState {
  /** The dialog shows while a file is read, its recipe, or why there is none. */
  open = $state(false);
  fileName = $state('');
  reading = $state(false);
  recipe = $state.raw<Recipe | null>(null);
  error = $state<ErrorText | null>(null);
  regenerating = $state(false);
  /** The library take the file is, or was exported from: from the recipe's rendering, else the library's file name. */
  takeId = $derived(this.recipe ? (this.recipe.rendering?.takeId ?? takeIdInFileName(this.fileName)) : null);

  private request = 0;

  constructor(
    private readonly api: StudioClient,
    /** The regenerated job goes into the queue like any other. */
    private readonly onJob: (job: JobInfo) => void,
  ) {}

  readFile = async (file: File): Promise<void> => {
    const request = ++this.request;
    this.open = true;
    this.fileName = file.name;
    this.reading = true;
    this.recipe = null;
    this.error = null;
    try {
      const recipe = await this.api.recipeFromFile(file);
      if (request === this.request) this.recipe = recipe;
    } catch (error) {
      if (request === this.request) this.error = errorText(error);
    } finally {
      if (request === this.request) this.reading = false;
    }
  };

  /** Runs the recipe again: a new job in the queue (bit-identical on the same device and model). */
  regenerate = async (): Promise<JobInfo | null> => {
    const recipe = this.recipe;
    if (!recipe || this.regenerating) return null;
    this.regenerating = true;
    this.error = null;
    try {
      const job = await this.api.regenerateRecipe(recipe);
      this.onJob(job);
      this.close();
      return job;
    } catch (error) {
      this.error = errorText(error);
      return null;
    } finally {
      this.regenerating = false;
    }
  };

  close = (): void => {
    this.request++;
    this.open = false;
    this.reading = false;
    this.recipe = null;
    this.error = null;
  };
}
