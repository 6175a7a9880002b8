/**
 * A library with many short takes, written straight through the library store before the studio
 * starts (generating 200 takes on models/tiny would take minutes): for the workspace's virtual
 * list in e2e/take-rows.e2e.ts and `npm run bench:studio`.
 */
import { SeededRandom } from '../../src/main/engine/random.ts';
import { LibraryStore } from '../../src/main/studio/library-store.ts';

const SAMPLE_RATE = 16_000;
const WORDS = ['glass', 'door', 'rain', 'thunder', 'metal', 'wood', 'whoosh', 'engine', 'crowd', 'wind'];

/** `count` takes in jobs of `perJob`, each `seconds` long with its own decaying noise shape. */
export async function writeManyTakes(libraryDir: string, count: number, options: { perJob?: number; seconds?: number } = {}): Promise<void> {
  const perJob = options.perJob ?? 10;
  const frames = Math.round((options.seconds ?? 0.5) * SAMPLE_RATE);
  const rng = new SeededRandom(13);
  const store = await LibraryStore.open(libraryDir);
  const start = Date.now() - count * 1000;
  try {
    for (let i = 0; i < count; i++) {
      const job = Math.floor(i / perJob);
      const prompt = `${WORDS[job % WORDS.length]} ${WORDS[(job * 3 + 1) % WORDS.length]} take set ${job}`;
      const samples = new Float32Array(frames);
      const decay = 2 + (i % 7);
      for (let n = 0; n < frames; n++) samples[n] = (rng.nextFloat64() * 2 - 1) * 0.7 * Math.exp((-decay * n) / frames);
      await store.add({
        jobId: `many-${job}`,
        rank: (i % perJob) + 1,
        params: { prompt, negativePrompt: 'Low quality.', seconds: frames / SAMPLE_RATE, steps: 10, scheduler: 'dpmpp', guidance: 3.5, seed: 1000 + i, takes: perJob },
        seed: 1000 + i,
        score: null,
        sampleRate: SAMPLE_RATE,
        samples,
        modelId: 'many-takes',
        device: 'cpu',
        createdAt: new Date(start + i * 1000),
      });
    }
  } finally {
    store.close();
  }
}
