/**
 * Re-creates the library's rows from the WAV files themselves: every take LOA Studio wrote carries
 * its recipe (iXML) and has a sidecar, so a damaged database loses nothing that matters. Files
 * without a recipe are counted and left where they are.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeWav } from '../audio/wav.ts';
import { GENERATIONS_DIR, listWavFiles } from '../library/library-files.ts';
import { newTakeId } from '../library/take-paths.ts';
import { takeIdInFileName } from '../../shared/library/take-file-name.ts';
import { readRecipe, readSidecar } from '../library/wav-metadata.ts';
import type { LibraryStore } from './library-store.ts';
import { computePeaks } from './peaks.ts';

export async function rebuildFromRecipes(library: LibraryStore): Promise<{ restored: number; skipped: number }> {
  let restored = 0;
  let skipped = 0;
  for (const file of await listWavFiles(library.libraryDir, GENERATIONS_DIR)) {
    const path = join(library.libraryDir, ...file.split('/'));
    try {
      const bytes = new Uint8Array(await readFile(path));
      const recipe = readRecipe(bytes) ?? readSidecar(await readFile(path.replace(/\.wav$/i, '.json'), 'utf8').catch(() => ''));
      // Take files are named `<slug>_<seed>_<id>.wav`: the id comes back with the row.
      const id = takeIdInFileName(file) ?? newTakeId();
      if (!recipe || library.hasTake(id)) {
        skipped++;
        continue;
      }
      const samples = decodeWav(bytes).channels[0];
      library.addRebuiltTake({
        id,
        file,
        jobId: `rebuilt-${id.slice(0, 8)}`,
        rank: 1,
        params: recipe.params,
        seed: recipe.seed,
        score: null,
        modelId: recipe.model.id,
        bundleHash: recipe.model.bundleHash,
        device: recipe.device,
        sampleRate: recipe.sampleRate,
        samples: samples.length,
        peaks: computePeaks(samples),
        createdAt: recipe.createdAt,
        lineage: recipe.lineage ?? null,
        loop: recipe.loop ?? null,
      });
      restored++;
    } catch {
      skipped++;
    }
  }
  return { restored, skipped };
}
