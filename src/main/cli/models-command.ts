/**
 * `npm run loa -- models …`:
 *   build <checkpoint-dir> --out <bundle-dir>   write the engine's graphs from a diffusers checkpoint
 *   verify <dir> [--run]                        check files and contracts; --run runs every graph at two sizes
 *   install <repo-id> [--revision …]            download from the Hub (or reuse the HF cache), then build
 *   list                                        installed models and cached checkpoints, sizes, licences
 *   remove <id> [--yes]                         remove an installed model (asks before touching the HF cache)
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { UsageError } from './run-job.ts';
import { USAGE } from './usage.ts';

async function build(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: { out: { type: 'string', short: 'o' }, repo: { type: 'string' }, revision: { type: 'string' }, fp16: { type: 'boolean' } },
  });
  if (positionals.length !== 1) throw new UsageError('checkpoint', 'Expected: models build <checkpoint-dir> --out <bundle-dir>.', USAGE);
  if (!values.out) throw new UsageError('out', 'Missing --out <bundle-dir>.', USAGE);
  const { buildBundle } = await import('../engine/builder/build-bundle.ts');
  const started = performance.now();
  const result = await buildBundle(resolve(positionals[0]), resolve(values.out), {
    source: { repo: values.repo, revision: values.revision },
    precisions: values.fp16 ? ['fp32', 'fp16'] : ['fp32'],
    onProgress: (p) => process.stderr.write(`\r${p.stage} ${p.done}/${p.total} ${p.detail ?? ''}`.padEnd(60)),
  });
  process.stderr.write('\n');
  for (const notice of result.notices) process.stderr.write(`notice: ${notice}\n`);
  for (const w of result.fp16Weights ?? []) {
    process.stderr.write(`fp16 weights: ${w.component} ${w.tensors} tensors, ${(w.bytes / 1e6).toFixed(1)} MB, ${w.saturated} clamped to ±65504, ${w.flushedToZero} underflowed to 0\n`);
  }
  process.stdout.write(`built: ${result.dir} (${result.manifest.id}) in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
}

async function verify(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, strict: true, options: { run: { type: 'boolean' } } });
  if (positionals.length !== 1) throw new UsageError('models', 'Expected: models verify <dir> [--run].', USAGE);
  // Imported here so other commands never load ONNX Runtime in the CLI process itself.
  const { ModelBundle } = await import('../engine/bundle/model-bundle.ts');
  const { ensureBundle } = await import('../engine/builder/bundle-cache.ts');
  const bundle = await ModelBundle.load(await ensureBundle(resolve(positionals[0])), { device: 'cpu', eager: [] });
  try {
    await bundle.loadAll();
    if (values.run) {
      const { runCheck } = await import('../engine/bundle/run-check.ts');
      const runs = await runCheck(bundle, (r) => process.stderr.write(`\rran ${r.component} at batch ${r.sizes.batch}`.padEnd(50)));
      process.stderr.write(`\r${`ran ${runs.length} graph runs at two sizes of every dynamic dimension`.padEnd(60)}\n`);
    }
    const m = bundle.manifest;
    const files = Object.values(m.components).flatMap((c) => c.graphs);
    const bytes = files.reduce((n, g) => n + g.bytes + (g.externalData ?? []).reduce((k, e) => k + e.bytes, 0), 0);
    process.stdout.write(`ok: ${m.id} "${m.name}" — ${files.length} graphs, ${(bytes / 1e6).toFixed(1)} MB, contract v${m.contractVersion}, licence: ${m.license}\n`);
  } finally {
    await bundle.release();
  }
}

export async function models(argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub === 'build') return build(rest);
  if (sub === 'verify') return verify(rest);
  if (sub === 'install' || sub === 'list' || sub === 'remove') {
    const hub = await import('./models-hub-commands.ts');
    return sub === 'install' ? hub.install(rest) : sub === 'list' ? hub.list(rest) : hub.remove(rest);
  }
  throw new UsageError('models', 'Expected: models build|verify|install|list|remove (npm run loa -- help shows each).', USAGE);
}
