/**
 * `npx tsx bench/library-bench.ts`: the SQLite library (issue 5) at 100 000 takes.
 * Fills a temp library with realistic rows (prompts from word lists, tags, ratings, dates over a
 * year, 512-d random unit embeddings, 4 KB of peaks each; file paths are fake, so the library
 * is opened with `benchmarkOnlySkipFileCheck`), then times each query as the studio calls it:
 * median of 20. Results go to BENCHMARKS.md (section `library`). Not a test: nothing fails here.
 * LOA_BENCH_TAKES=10000 makes a quicker run.
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SeededRandom } from '../src/main/engine/random.ts';
import { DB_FILE, LibraryDb } from '../src/main/library/library-db.ts';
import type { NewLibraryTake } from '../src/main/library/library-types.ts';
import { openSqlite } from '../src/main/library/sqlite-driver.ts';
import { generationFile } from '../src/main/library/take-paths.ts';
import { WARM_SLICE } from '../src/main/studio/library-store.ts';
import { describeMachine, replaceSection } from './machine.ts';

const ROOT = resolve(import.meta.dirname, '..');
const TAKES = Number(process.env.LOA_BENCH_TAKES ?? 100_000);
const DIMS = 512;
const RUNS = 20;
const SEARCH_TARGET_MS = 50;

function log(message: string): void {
  process.stderr.write(`[bench:library] ${message}\n`);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function time<T>(run: () => T): { ms: number; result: T } {
  const t0 = performance.now();
  const result = run();
  return { ms: performance.now() - t0, result };
}

function medianOf<T>(run: (i: number) => T, before: (i: number) => void = () => {}): { ms: number; result: T } {
  const times: number[] = [];
  let result!: T;
  for (let i = 0; i < RUNS; i++) {
    before(i);
    const t = time(() => run(i));
    times.push(t.ms);
    result = t.result;
  }
  return { ms: median(times), result };
}

// ---- realistic takes ----------------------------------------------------------------------------
const ADJECTIVES = ['heavy', 'distant', 'soft', 'loud', 'rusty', 'wet', 'deep', 'bright', 'muffled', 'sharp', 'huge', 'tiny', 'slow', 'fast', 'eerie', 'warm', 'harsh', 'gentle', 'dry', 'crunchy'];
const MATERIALS = ['wooden', 'metal', 'glass', 'stone', 'plastic', 'ceramic', 'leather', 'paper', 'concrete', 'rubber', 'steel', 'cardboard'];
const SOURCES = [
  'door',
  'car engine',
  'footsteps',
  'thunder',
  'rain',
  'wind',
  'crowd',
  'dog',
  'bird',
  'bell',
  'explosion',
  'laser',
  'spaceship',
  'river',
  'fire',
  'keyboard',
  'drawer',
  'sword',
  'chain',
  'train',
  'helicopter',
  'clock',
  'typewriter',
  'waves',
];
const ACTIONS = [
  'slamming',
  'creaking',
  'rumbling',
  'clanging',
  'whooshing',
  'crackling',
  'dripping',
  'scraping',
  'rattling',
  'humming',
  'shattering',
  'knocking',
  'buzzing',
  'ringing',
  'howling',
  'splashing',
];
const PLACES = [
  'in a large hall',
  'in a small room',
  'outdoors',
  'in a cave',
  'underwater',
  'in a forest',
  'on a city street',
  'in a church',
  'in a tunnel',
  'at night',
  'in the distance',
  'close up',
];
const TAGS = ['foley', 'ambience', 'impact', 'sci-fi', 'nature', 'mechanical', 'ui', 'horror', 'vehicle', 'weather', 'household', 'weapon', 'creature', 'hero', 'loop', 'whoosh', 'texture', 'trailer'];
const YEAR_MS = 365 * 24 * 3600 * 1000;
const START = Date.UTC(2025, 0, 1);

const rng = new SeededRandom(2025);
const pick = <T>(list: readonly T[]) => list[Math.floor(rng.nextFloat64() * list.length)]!;

function randomUnit(): Float32Array {
  const v = new Float32Array(DIMS);
  let sum = 0;
  for (let i = 0; i < DIMS; i++) {
    v[i] = rng.nextFloat64() * 2 - 1;
    sum += v[i] * v[i];
  }
  const scale = 1 / Math.sqrt(sum);
  for (let i = 0; i < DIMS; i++) v[i] *= scale;
  return v;
}

// Sixteen waveform shapes, reused: each row still stores its own 4 KB blob.
const PEAK_SHAPES = Array.from({ length: 16 }, (_, s) =>
  Array.from({ length: 4000 }, (_, i) => {
    const level = Math.round(1000 * 0.9 * Math.exp(-(i >> 1) / (200 + 100 * s)) * (0.5 + 0.5 * Math.abs(Math.sin(i / (7 + s))))) / 1000;
    return i % 2 === 0 ? -level : level;
  }),
);

let counter = 0;
function randomTake(): NewLibraryTake {
  const n = counter++;
  const id = `bench${String(n).padStart(10, '0')}`;
  const prompt = `${pick(ADJECTIVES)} ${pick(MATERIALS)} ${pick(SOURCES)} ${pick(ACTIONS)} ${pick(PLACES)}`;
  const seconds = 1 + Math.floor(rng.nextFloat64() * 30);
  const createdAt = new Date(START + Math.floor(rng.nextFloat64() * YEAR_MS));
  const rating = rng.nextFloat64() < 0.6 ? 0 : 1 + Math.floor(rng.nextFloat64() * 5);
  const tags = Array.from({ length: Math.floor(rng.nextFloat64() * 4) }, () => pick(TAGS));
  return {
    id,
    file: generationFile(createdAt, prompt, n, id),
    jobId: `job${Math.floor(n / 4)}`,
    rank: 1 + (n % 4),
    params: { prompt, negativePrompt: 'Low quality.', seconds, steps: 25, scheduler: 'dpmpp', guidance: 3.5, seed: n, takes: 4 },
    seed: n,
    score: rng.nextFloat64(),
    modelId: rng.nextFloat64() < 0.8 ? 'audioldm2' : 'audioldm2-large',
    device: 'cpu',
    sampleRate: 16_000,
    samples: seconds * 16_000,
    peaks: PEAK_SHAPES[n % 16]!,
    createdAt,
    rating: rating as NewLibraryTake['rating'],
    favourite: rng.nextFloat64() < 0.05,
    tags,
    notes: rng.nextFloat64() < 0.1 ? `take for scene ${n % 300}, ${pick(ADJECTIVES)} version` : '',
    embedding: randomUnit(),
  };
}

// ---- fill ---------------------------------------------------------------------------------------
const temp = mkdtempSync(join(tmpdir(), 'loa-bench-library-'));
const options = { benchmarkOnlySkipFileCheck: true };
let db = LibraryDb.open(temp, options);
log(`filling ${TAKES} takes into ${temp}`);
const fill = time(() => {
  for (let i = 0; i < TAKES; i++) {
    db.addTake(randomTake());
    if ((i + 1) % 10_000 === 0) log(`  ${i + 1} takes`);
  }
});
log(`filled in ${(fill.ms / 1000).toFixed(1)} s`);
db.close();
const bytes = statSync(join(temp, DB_FILE)).size;
const memory = openSqlite(':memory:');
const sqliteVersion = memory.prepare<string>('SELECT sqlite_version()').pluck().get();
memory.close();

// ---- open (integrity check + migrations) and reconcile ------------------------------------------
const opened = time(() => LibraryDb.open(temp, options));
db = opened.result;
log(`open (quick_check) ${opened.ms.toFixed(0)} ms`);
const reconcileStart = performance.now();
const reconciled = { result: await db.reconcile(), ms: 0 };
reconciled.ms = performance.now() - reconcileStart;
log(`reconcile ${reconciled.ms.toFixed(0)} ms (${reconciled.result.missing.length} fake files reported missing)`);

// Other work on the machine shows up in every figure below, so the table says how busy it was.
const load = loadavg()[0]!;

// ---- queries ------------------------------------------------------------------------------------
interface Row {
  name: string;
  ms: number;
  detail: string;
  search?: boolean;
}
const rows: Row[] = [];
function measure(name: string, run: (i: number) => unknown, options: { search?: boolean; detail?: string } = {}): void {
  // Each run a new search, as when the user types: the database keeps the last count until a
  // write (paging through one search reuses it), so an untimed different search goes first.
  const { ms, result } = medianOf(run, (i) => void (options.search && db.search({ text: `uncounted${i}`, limit: 1 })));
  const page = result as { total?: number; takes?: unknown[] };
  const detail = options.detail ?? (Array.isArray(result) ? `${result.length} results` : `${page.total} matches, ${page.takes!.length} returned`);
  rows.push({ name, ms, detail, search: options.search });
  log(`${name}: ${ms.toFixed(2)} ms (${detail})`);
}

const search = { search: true };
measure('FTS search, one word (`metal`), relevance', () => db.search({ text: 'metal', limit: 100 }), search);
measure('FTS search, a prefix (`thund*`), relevance', () => db.search({ text: 'thund*', limit: 100 }), search);
measure('FTS search, two words + rating ≥ 3 (`wooden door`)', () => db.search({ text: 'wooden door', rating: 3, limit: 100 }), search);
measure('FTS search, one word, newest first', () => db.search({ text: 'metal', sort: 'newest', limit: 100 }), search);
measure('Filters: favourite, tag `foley`, last 3 months', () => db.search({ favourite: true, tags: ['foley'], from: new Date(START + YEAR_MS * 0.75), limit: 100 }), search);
measure('Filters: rating ≥ 3', () => db.search({ rating: 3, limit: 100 }), search);
measure('List: page of 100 newest', () => db.list({ limit: 100 }), search);
measure('List: page of 100 at offset 50 000', () => db.list({ limit: 100, offset: Math.min(50_000, TAKES - 100) }), search);
measure('List: the next page, scrolling on (count kept)', (i) => db.list({ limit: 100, offset: Math.min(50_100 + 100 * i, TAKES - 100) }));
measure('List: page of 100 by rating', () => db.search({ sort: 'rating', limit: 100 }), search);

const someId = db.list({ limit: 1 }).takes[0]!.id;
// The studio reads the embeddings a slice at a time after opening (LibraryStore), between other work.
const slices: number[] = [];
for (let done = false; !done;) {
  const t0 = performance.now();
  done = db.warmEmbeddings(WARM_SLICE);
  slices.push(performance.now() - t0);
}
const warmMs = slices.reduce((a, b) => a + b, 0);
log(`embeddings read in ${slices.length} slices of ${WARM_SLICE}: ${warmMs.toFixed(0)} ms, longest slice ${Math.max(...slices).toFixed(0)} ms`);
const firstSimilar = time(() => db.similar(someId, 20));
const probe = db.list({ limit: RUNS, offset: 1000 }).takes.map((t) => t.id);
measure('`similar` top 20 (cosine, brute force)', (i) => db.similar(probe[i]!, 20));
const queries = Array.from({ length: RUNS }, () => randomUnit());
measure('`rankByEmbedding` top 20 (text → audio)', (i) => db.rankByEmbedding(queries[i]!, 20));
const adds = Array.from({ length: RUNS }, () => randomTake());
measure('`addTake` (row + tags + peaks + embedding + FTS, one transaction)', (i) => db.addTake(adds[i]!), { detail: 'returns the stored take' });
db.close();
rmSync(temp, { recursive: true, force: true });

// ---- BENCHMARKS.md ------------------------------------------------------------------------------
const slowest = Math.max(...rows.filter((r) => r.search).map((r) => r.ms));
const fmt = (ms: number) => (ms < 10 ? ms.toFixed(2) : ms.toFixed(1));
const body = `
## Library: SQLite at ${TAKES.toLocaleString('en')} takes (issue 5)

Measured ${new Date().toISOString().slice(0, 10)} on ${describeMachine()} (1-minute load average ${load.toFixed(1)} when the queries started); better-sqlite3, SQLite ${sqliteVersion}, WAL, synchronous=NORMAL, 16 KiB pages, 64 MiB page cache.
Library: ${TAKES.toLocaleString('en')} takes with prompts from word lists (${ADJECTIVES.length} adjectives × ${MATERIALS.length} materials × ${SOURCES.length} sources × ${ACTIONS.length} actions × ${PLACES.length} places), 0–3 tags, 40% rated, 5% favourites, dates over a year, 512-d random unit CLAP embeddings, 4 KB of Int8 peaks each; ${(bytes / 2 ** 20).toFixed(0)} MiB on disk. Every search returns its page of 100 full rows (peaks decoded) plus the total count.

| Operation | Median of ${RUNS} | Result |
| --- | --- | --- |
${rows.map((r) => `| ${r.name} | ${fmt(r.ms)} ms | ${r.detail} |`).join('\n')}

- Search target < ${SEARCH_TARGET_MS} ms: slowest search **${fmt(slowest)} ms** — ${slowest < SEARCH_TARGET_MS ? 'met' : 'NOT met'}.
- Filling: ${(fill.ms / 1000).toFixed(1)} s for ${TAKES.toLocaleString('en')} \`addTake\` calls (${Math.round(TAKES / (fill.ms / 1000)).toLocaleString('en')} takes/s, one transaction each).
- Open with \`PRAGMA quick_check\` (reads every page): ${fmt(opened.ms)} ms. \`reconcile()\` (async: one stat per row, all absent here since the paths are fake, + a walk of Generations/): ${fmt(reconciled.ms)} ms.
- Search by sound holds every embedding in one Float32Array (${((TAKES * DIMS * 4) / 2 ** 20).toFixed(0)} MiB). The studio reads them after opening the library in ${slices.length} slices of ${WARM_SLICE.toLocaleString('en')} between other work: ${fmt(warmMs)} ms in all, the longest slice ${fmt(Math.max(...slices))} ms (so the main process never stalls longer); the first search by sound after that: ${fmt(firstSimilar.ms)} ms. Later writes, trash and restore update the array in place; another process's writes (the CLI) make it read again.

Reproduce: \`npx tsx bench/library-bench.ts\` (\`LOA_BENCH_TAKES=10000\` for a quick run).
`;
const path = join(ROOT, 'BENCHMARKS.md');
writeFileSync(path, replaceSection(readFileSync(path, 'utf8'), 'library', body));
log(`wrote the library section of ${path}`);
