/**
 * `npm run bench:describe`: what Describe and Suggest tags cost on the full-size random bundle
 * (real CLAP dimensions) on CPU: the vocabulary's text embeddings one by one and in batches (made
 * once per model and session), a reference clip's audio embedding, and the ranking itself.
 * Results go to BENCHMARKS.md. Not a test: nothing here fails on a slow machine.
 *
 *   npm run bench:describe [-- --bundle <dir>]
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { AudioLdm2Pipeline } from '../src/main/engine/pipeline/audioldm2-pipeline.ts';
import { ortVersion } from '../src/main/engine/onnx/onnx-runtime.ts';
import { rankSoundWords, wordMatrix } from '../src/main/library/describe-sound.ts';
import { SOUND_WORDS, soundWordText } from '../src/shared/library/sound-words.ts';
import { describeMachine, replaceSection } from './machine.ts';

const ROOT = resolve(import.meta.dirname, '..');
const { values } = parseArgs({ options: { bundle: { type: 'string', default: resolve(ROOT, 'models/.generated/full') } } });
const bundleDir = resolve(values.bundle!);
const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);

if (!existsSync(resolve(bundleDir, 'manifest.json'))) {
  log(`no bundle at ${bundleDir}: generating the full-size random bundle (several minutes, ~4.4 GB)…`);
  execFileSync('/usr/bin/python3', [resolve(ROOT, 'models/tools/make_random_bundle.py'), '--size', 'full', '--out', bundleDir], { stdio: 'inherit' });
}

const pipeline = await AudioLdm2Pipeline.load(bundleDir, { device: 'cpu' });
const texts = SOUND_WORDS.map(soundWordText);

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await work();
  return { ms: performance.now() - start, value };
}

// The first run pays for creating the CLAP sessions: warm both up before timing.
await pipeline.embedTexts(texts.slice(0, 2));
const clip = Float32Array.from({ length: 10 * pipeline.bundle.config.sampleRate }, (_, i) => 0.3 * Math.sin(i / 9) + 0.05 * Math.sin(i * 1.7));
await pipeline.embedAudio(clip);

const rows: string[] = [];
const single = await timed(async () => {
  const out: Float32Array[] = [];
  for (const t of texts) out.push(await pipeline.embedText(t));
  return out;
});
rows.push(`| Vocabulary, one text per run | ${texts.length} | ${(single.ms / 1000).toFixed(2)} s |`);
log(`single: ${single.ms.toFixed(0)} ms`);
let batched32 = 0;
for (const batchSize of [8, 32, 64]) {
  const run = await timed(() => pipeline.embedTexts(texts, batchSize));
  if (batchSize === 32) batched32 = run.ms;
  rows.push(`| Vocabulary, ${batchSize} texts per run${batchSize === 32 ? ' (what the studio does)' : ''} | ${texts.length} | ${(run.ms / 1000).toFixed(2)} s |`);
  log(`batch ${batchSize}: ${run.ms.toFixed(0)} ms`);
}
const audio = await timed(() => pipeline.embedAudio(clip));
rows.push(`| A 10 s reference's CLAP audio embedding | 1 | ${audio.ms.toFixed(0)} ms |`);
const matrix = wordMatrix(single.value);
const rank = await timed(async () => {
  let words = rankSoundWords(audio.value, SOUND_WORDS, matrix, 8);
  for (let i = 0; i < 999; i++) words = rankSoundWords(audio.value, SOUND_WORDS, matrix, 8);
  return words;
});
rows.push(`| Ranking ${texts.length} words (top 8), mean of 1000 | 1 | ${(rank.ms / 1000).toFixed(3)} ms |`);
await pipeline.release();

const body = `
## Describe and Suggest tags: CLAP on the full-size random bundle

Measured ${new Date().toISOString().slice(0, 10)} on ${describeMachine()}; onnxruntime-node ${ortVersion()}, CPU provider. Full-size random bundle (CLAP text and audio encoders at their real dimensions, random weights), sessions warm.

| Work | Items | Time |
| --- | --- | --- |
${rows.join('\n')}

The first Describe ever with a model waits for the vocabulary (later sessions read it from the cache) (${(batched32 / 1000).toFixed(1)} s batched, ${(single.ms / batched32).toFixed(1)}× faster than one text per run); after that a reference costs its audio embedding (${audio.ms.toFixed(0)} ms), and Suggest tags on a library take costs only the ranking (it reads the embedding stored with the take).

Reproduce: \`npm run bench:describe\`.
`;
const file = resolve(ROOT, 'BENCHMARKS.md');
const existing = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n';
writeFileSync(file, replaceSection(existing, 'describe', body));
log(`wrote ${file}`);
process.stdout.write(body);
