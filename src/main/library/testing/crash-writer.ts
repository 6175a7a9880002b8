/**
 * Child process for library-crash.spec.ts: adds takes the way the studio does (WAV written
 * atomically, then addTake) in an endless loop, printing `<id> <frames>` after each commit,
 * until the test kills it with SIGKILL.
 *
 *   node --import tsx src/main/library/testing/crash-writer.ts <libraryDir> <seed>
 */
import { encodeWav } from '../../audio/wav.ts';
import { SeededRandom } from '../../engine/random.ts';
import { writeFileAtomic } from '../../io/atomic-write.ts';
import { computePeaks } from '../../studio/peaks.ts';
import { LibraryDb } from '../library-db.ts';
import { absolutePath } from '../library-files.ts';
import { generationFile, newTakeId } from '../take-paths.ts';

const [libraryDir, seedArg] = process.argv.slice(2);
if (!libraryDir || !seedArg) throw new Error('usage: crash-writer.ts <libraryDir> <seed>');

const SAMPLE_RATE = 16_000;
const rng = new SeededRandom(Number(seedArg));
const db = LibraryDb.open(libraryDir);

for (let i = 0; ; i++) {
  // 1–3 s of noise: big enough (64–192 KB) that a kill often lands inside a write.
  const frames = SAMPLE_RATE + Math.floor(rng.nextFloat64() * 2 * SAMPLE_RATE);
  const samples = new Float32Array(frames);
  for (let j = 0; j < frames; j++) samples[j] = rng.nextFloat64() * 2 - 1;
  const id = newTakeId();
  const createdAt = new Date();
  const seed = Number(seedArg) * 100_000 + i;
  const prompt = `crash test take ${i}`;
  const file = generationFile(createdAt, prompt, seed, id);
  await writeFileAtomic(absolutePath(libraryDir, file), encodeWav([samples], SAMPLE_RATE, 'float32'));
  db.addTake({
    id,
    file,
    jobId: `crash-${seedArg}`,
    rank: i + 1,
    seed,
    score: null,
    modelId: 'crash',
    device: 'cpu',
    params: { prompt, negativePrompt: '', seconds: frames / SAMPLE_RATE, steps: 1, scheduler: 'ddim', guidance: 1, seed, takes: 1 },
    sampleRate: SAMPLE_RATE,
    samples: frames,
    peaks: computePeaks(samples),
    createdAt,
    tags: ['crash'],
  });
  process.stdout.write(`${id} ${frames}\n`);
}
