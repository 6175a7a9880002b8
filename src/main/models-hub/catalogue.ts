/**
 * The catalogue of published checkpoints the builder supports (`models/catalogue.json`), checked
 * with a schema when loaded so a bad edit fails the tests, not the first-run screen.
 */
import { hubBytes } from '../../shared/models/hub-bytes.ts';
import { z } from 'zod';
import catalogueJson from '../../../models/catalogue.json' with { type: 'json' };
import type { CatalogueEntry } from '../../shared/models/hub-install.ts';

const FileSchema = z
  .object({
    path: z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9_./-]*$/),
    bytes: z.number().int().nonnegative().nullable(),
    shown: z.string().optional(),
    sha256: z
      .string()
      .regex(/^[0-9a-f]{64}$/)
      .optional(),
    note: z.string().optional(),
  })
  .strict();

const CatalogueSchema = z
  .object({
    about: z.string(),
    license: z.object({ id: z.string(), name: z.string(), url: z.string().url(), terms: z.array(z.string()).min(1) }).strict(),
    entries: z
      .array(
        z
          .object({
            repo: z.string().regex(/^[A-Za-z0-9][\w.-]*\/[A-Za-z0-9][\w.-]*$/),
            title: z.string(),
            purpose: z.string(),
            default: z.boolean(),
            checkedRevision: z.string().regex(/^[0-9a-f]{7,40}$/),
            revisionNote: z.string().optional(),
            files: z.array(FileSchema).min(1),
          })
          .strict(),
      )
      .min(1),
  })
  .strict();

/** Needed files never include PyTorch pickles: they can run code, and safetensors hold the same weights. */
const REFUSED = /\.(bin|pt|pth|ckpt|pkl)$/;

export function parseCatalogue(raw: unknown): CatalogueEntry[] {
  const data = CatalogueSchema.parse(raw);
  if (data.entries.filter((e) => e.default).length !== 1) throw new Error('models/catalogue.json: exactly one entry must be the default');
  return data.entries.map((e) => {
    const bad = e.files.find((f) => REFUSED.test(f.path));
    if (bad) throw new Error(`models/catalogue.json: ${e.repo} lists ${bad.path}; only safetensors, configs and tokenizer files are downloaded`);
    const known = e.files.filter((f) => f.bytes !== null).reduce((n, f) => n + (f.bytes ?? 0), 0);
    const unknown = e.files.filter((f) => f.bytes === null);
    const shown = unknown.filter((f) => f.shown).map((f) => `${f.path} ${f.shown}`);
    return {
      repo: e.repo,
      title: e.title,
      purpose: e.purpose,
      isDefault: e.default,
      license: data.license,
      checkedRevision: e.checkedRevision,
      ...(e.revisionNote ? { revisionNote: e.revisionNote } : {}),
      download: {
        bytes: unknown.length === 0 ? known : null,
        knownBytes: known,
        ...(shown.length ? { estimate: `at least ${hubBytes(known)} exactly known, plus ${shown.join(', ')} as the Hub's pages round them` } : {}),
        files: e.files.map(({ path, bytes, shown: s, sha256 }) => ({ path, bytes, ...(s ? { shown: s } : {}), ...(sha256 ? { sha256 } : {}) })),
        note:
          unknown.length === 0
            ? 'Exact size of the needed files.'
            : `${unknown.length} of ${e.files.length} needed files have no size on the pages collected; the exact total shows when the install lists the repo.`,
      },
      source: 'docs/checkpoints.md (what stored copies of the Hub pages showed)',
    } satisfies CatalogueEntry;
  });
}

let cached: CatalogueEntry[] | undefined;

export function catalogue(): CatalogueEntry[] {
  cached ??= parseCatalogue(catalogueJson);
  return structuredClone(cached);
}

export function catalogueEntry(repo: string): CatalogueEntry | undefined {
  return catalogue().find((e) => e.repo.toLowerCase() === repo.toLowerCase());
}

export function defaultCatalogueEntry(): CatalogueEntry {
  return catalogue().find((e) => e.isDefault)!;
}
