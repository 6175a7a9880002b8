/**
 * `npm run loa -- library list|search "<q>"|similar <id>|show <id>|export <id> --out <f> [--json] [--library <dir>]`:
 * the take library from a terminal. Reads the same SQLite library the studio writes (default
 * `~/Music/LOA Studio`); `export` copies the take's WAV, recipe chunks included.
 */
import { copyFile, readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { LibraryDb } from '../library/library-db.ts';
import type { LibraryTake } from '../library/library-types.ts';
import { readRecipe } from '../library/wav-metadata.ts';
import { defaultLibraryDir } from '../studio/settings-store.ts';
import { UsageError } from './run-job.ts';

export const LIBRARY_USAGE = 'Usage: npm run loa -- library list|search "<q>"|similar <id>|show <id>|export <id> --out <f> [--json] [--limit 20] [--library <dir>]';

function line(take: LibraryTake, similarity?: number): string {
  const p = take.params;
  const op = 'op' in p ? `[${p.op}] ` : '';
  const stars = take.rating > 0 ? ` ${'★'.repeat(take.rating)}` : '';
  const sim = similarity === undefined ? '' : ` sim ${similarity.toFixed(3)}`;
  return `${take.id}  ${take.createdAt.slice(0, 16).replace('T', ' ')}  ${take.durationS.toFixed(2).padStart(6)} s  seed ${String(take.seed).padEnd(10)} ${op}${p.prompt}${stars}${take.favourite ? ' ♥' : ''}${sim}`;
}

function print(takes: Array<{ take: LibraryTake; similarity?: number }>, total: number, json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify({ total, takes: takes.map(({ take, similarity }) => ({ ...take, ...(similarity === undefined ? {} : { similarity }) })) }, null, 2)}\n`);
    return;
  }
  for (const t of takes) process.stdout.write(`${line(t.take, t.similarity)}\n`);
  process.stderr.write(`${takes.length} of ${total} take${total === 1 ? '' : 's'}\n`);
}

export async function library(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: { library: { type: 'string' }, json: { type: 'boolean' }, limit: { type: 'string' }, out: { type: 'string', short: 'o' } },
  });
  const [sub, arg, ...rest] = positionals;
  if (rest.length > 0) throw new UsageError('library', `Unexpected argument "${rest[0]}".`, LIBRARY_USAGE);
  const limit = values.limit === undefined ? 20 : Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new UsageError('limit', `--limit must be a whole number from 1 to 1000, got ${values.limit}.`, LIBRARY_USAGE);
  const needsArg = sub === 'search' || sub === 'similar' || sub === 'show' || sub === 'export';
  if (!['list', 'search', 'similar', 'show', 'export'].includes(sub ?? '')) throw new UsageError('library', sub ? `Unknown library command "${sub}".` : 'Missing the library command.', LIBRARY_USAGE);
  if (needsArg && !arg) throw new UsageError('library', `library ${sub} needs ${sub === 'search' ? 'the words to search for' : 'a take id'}.`, LIBRARY_USAGE);
  if (!needsArg && arg) throw new UsageError('library', `Unexpected argument "${arg}".`, LIBRARY_USAGE);
  if (sub === 'export' && !values.out) throw new UsageError('out', 'library export needs --out <file.wav>.', LIBRARY_USAGE);

  const db = LibraryDb.open(resolve(values.library ?? defaultLibraryDir()));
  try {
    const json = values.json ?? false;
    switch (sub) {
      case 'list': {
        const result = db.list({ limit });
        print(
          result.takes.map((take) => ({ take })),
          result.total,
          json,
        );
        break;
      }
      case 'search': {
        const result = db.search({ text: arg, limit });
        print(
          result.takes.map((take) => ({ take })),
          result.total,
          json,
        );
        break;
      }
      case 'similar': {
        const similar = db.similar(arg, limit);
        print(similar, similar.length, json);
        break;
      }
      case 'show': {
        const take = db.take(arg);
        const recipe = readRecipe(new Uint8Array(await readFile(db.file(arg))));
        if (json) process.stdout.write(`${JSON.stringify({ take, file: db.file(arg), recipe }, null, 2)}\n`);
        else {
          process.stdout.write(`${line(take)}\nfile: ${db.file(arg)}\n`);
          if (take.tags.length) process.stdout.write(`tags: ${take.tags.join(', ')}\n`);
          if (take.notes) process.stdout.write(`notes: ${take.notes}\n`);
          if (take.lineage) process.stdout.write(`from: ${take.lineage.operation} of ${take.lineage.reference.id}\n`);
          process.stdout.write(`recipe: ${recipe ? JSON.stringify(recipe.params) : 'none in the file'}\n`);
        }
        break;
      }
      case 'export': {
        const out = resolve(values.out!);
        await copyFile(db.file(arg), out);
        process.stderr.write(`wrote ${out}\n`);
        break;
      }
    }
  } finally {
    db.close();
  }
}
