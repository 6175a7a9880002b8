/**
 * Writes a seeded random-weight AudioLDM 2 checkpoint (diffusers format) from a config set:
 *   tsx src/main/engine/builder/random-checkpoint/make-random-checkpoint.ts --config tiny|audioldm2 --out <dir> [--seed N]
 * (`npm run models:tiny`, `npm run models:full`). Progress goes to stderr; the folder appears only
 * when complete.
 */
import { parseArgs } from 'node:util';
import { configSetNames, loadConfigSet } from './config-sets.ts';
import { planParameterCounts, writeRandomCheckpoint, type RandomCheckpointProgress } from './random-checkpoint.ts';

export const DEFAULT_SEED = 1234;

const USAGE = 'usage: make-random-checkpoint --config <set> --out <dir> [--seed N]';

function progressPrinter(): (p: RandomCheckpointProgress) => void {
  let lastPercent = -1;
  let lastTime = 0;
  const started = Date.now();
  return ({ component, bytesWritten, totalBytes }) => {
    const percent = Math.floor((100 * bytesWritten) / totalBytes);
    const now = Date.now();
    if (percent === lastPercent || (now - lastTime < 1000 && percent < 100)) return;
    lastPercent = percent;
    lastTime = now;
    const gb = (b: number) => (b / 1e9).toFixed(2);
    process.stderr.write(`${percent}%  ${gb(bytesWritten)}/${gb(totalBytes)} GB  ${component}  ${((now - started) / 1000).toFixed(0)} s\n`);
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { config: { type: 'string' }, out: { type: 'string' }, seed: { type: 'string' } },
    strict: true,
  });
  if (!values.config || !values.out) {
    process.stderr.write(`${USAGE}\nconfig sets: ${(await configSetNames()).join(', ')}\n`);
    process.exit(2);
  }
  const seed = values.seed === undefined ? DEFAULT_SEED : Number(values.seed);
  if (!Number.isSafeInteger(seed) || seed < 0 || !/^\d+$/.test(values.seed ?? String(DEFAULT_SEED))) {
    process.stderr.write(`--seed must be an integer from 0 to 2^53 − 1, got ${values.seed}\n${USAGE}\n`);
    process.exit(2);
  }
  const configs = await loadConfigSet(values.config);
  const plan = await writeRandomCheckpoint(values.out, configs, { seed, onProgress: progressPrinter() });
  const { perComponent, total } = planParameterCounts(plan);
  for (const [component, count] of Object.entries(perComponent)) process.stderr.write(`  ${component}: ${count.toLocaleString('en')} values\n`);
  process.stdout.write(`${values.out}: random ${values.config} checkpoint, seed ${seed}, ${total.toLocaleString('en')} values\n`);
}

main().catch((error: Error) => {
  process.stderr.write(`make-random-checkpoint: ${error.message}\n${(error as { hint?: string }).hint ?? ''}\n`);
  process.exit(1);
});
