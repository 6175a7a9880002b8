/**
 * Every citation in the source resolves to a file in the repository: a mention of a `.md` file must
 * name one that exists (beside the citing file or from the repo root), and a section after it
 * (`docs/engine-spec.md §5.2`, `§2.1–§2.7`, `§3.2, §3.3`) must be a heading of that file. Citations of
 * notes kept outside the repository (`spec §…` with no file, `shared/spec`, `shared/docs`) are refused
 * in comments and in the docs: a reader of the repo cannot follow them. Published standards (RFC 9110 §14.1.2,
 * ISO/IEC 11172-3 §2.4.2.3, …) are not files of ours and are left alone. The docs themselves are held
 * to the same rule, and every repository path they name in backticks (`src/main/studio/…`) must exist,
 * so a doc that names a moved or split file fails here instead of misleading a newcomer.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');
const SCANNED = ['src', 'bench', 'models', 'e2e', 'fuzz', 'scripts'];
const EXTENSIONS = new Set(['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs', '.svelte', '.html', '.py', '.sh']);
const SKIPPED_DIRS = new Set(['node_modules', '.generated', 'out', 'dist']);
/** This file spells out the patterns it refuses, so it is not scanned itself. */
const SELF = resolve(import.meta.filename);
/** Markdown read by people: the READMEs, docs/ and the folder READMEs under src/. */
const DOC_ROOTS = ['README.md', 'SECURITY.md', 'BENCHMARKS.md', 'docs', 'src', 'models/README.md', 'models/configs/README.md'];
/** A repository path in backticks: `src/main/studio/dispatch.ts`, `docs/`, `models/contract.json`. */
const REPO_PATH = /`((?:src|docs|models|e2e|fixtures|bench|fuzz|scripts)\/[^`\s*{}<>]*)`/g;

/** A `.md` path, optionally followed by sections: `§4.1`, `§2.1–§2.7`, `§5.2, §5.4`. */
const MD_CITATION = /((?:\.{1,2}\/)*(?:[\w.-]+\/)*[\w-][\w.-]*\.md)\b((?:[ \t]*(?:,[ \t]*|–|-|and[ \t]+)?§\d+(?:\.\d+)*)*)/g;
/** Notes that live outside the repository. */
const OUTSIDE = /\bshared\/(?:spec|docs)\b|audioldm2-inference\.md/;
/** "spec §4.1" that names no document; a published format's own spec is named before it. */
const BARE_SPEC = /(?<!(?:FLAC format|Vorbis I|[\w.-]+\.md) )\b[Ss]pec §\d/;

export interface Problem {
  file: string;
  line: number;
  text: string;
  why: string;
}

/** The comment text of a source file, line by line (code replaced by spaces, so line numbers hold). */
export function commentLines(source: string, extension: string): string[] {
  const hash = extension === '.py' || extension === '.sh';
  const out: string[] = [];
  let inBlock: '*/' | '-->' | '"""' | null = null;
  for (const line of source.split('\n')) {
    let comment = '';
    let i = 0;
    while (i < line.length) {
      if (inBlock) {
        const end = line.indexOf(inBlock, i);
        if (end < 0) {
          comment += line.slice(i);
          i = line.length;
        } else {
          comment += line.slice(i, end);
          i = end + inBlock.length;
          inBlock = null;
        }
        continue;
      }
      const rest = line.slice(i);
      if (hash) {
        if (rest.startsWith('"""')) {
          inBlock = '"""';
          i += 3;
        } else if (rest.startsWith('#')) {
          comment += rest.slice(1);
          i = line.length;
        } else i++;
        continue;
      }
      if (rest.startsWith('/*')) {
        inBlock = '*/';
        i += 2;
      } else if (rest.startsWith('<!--')) {
        inBlock = '-->';
        i += 4;
      } else if (rest.startsWith('//') && (i === 0 || /[\s;,({[]/.test(line[i - 1]))) {
        comment += rest.slice(2);
        i = line.length;
      } else i++;
    }
    out.push(comment);
  }
  return out;
}

/** The numbered headings of a markdown file: "## 5. Audio-to-audio" → "5", "### 5.2 Masked" → "5.2". */
function headings(markdown: string): Set<string> {
  const found = new Set<string>();
  for (const match of markdown.matchAll(/^#{1,6}\s+(\d+(?:\.\d+)*)\.?(?=\s|$)/gm)) found.add(match[1]);
  return found;
}

/** Where a cited `.md` path points: beside the citing file, else from the repo root. */
function resolveDoc(fromFile: string, cited: string): string | null {
  for (const base of [dirname(fromFile), ROOT]) {
    const path = resolve(base, cited);
    if (path.startsWith(ROOT) && existsSync(path) && statSync(path).isFile()) return path;
  }
  return null;
}

/** Every problem with the citations in `text` (a source file's content). */
export function citationProblems(file: string, text: string, options: { prose?: boolean } = {}): Problem[] {
  const problems: Problem[] = [];
  const rel = relative(ROOT, file);
  const lines = text.split('\n');
  const comments = commentLines(text, extname(file));
  lines.forEach((line, index) => {
    const at = { file: rel, line: index + 1, text: line.trim() };
    for (const match of line.matchAll(MD_CITATION)) {
      const [, cited, sectionText] = match;
      if (/^https?:|:\/\//.test(line.slice(Math.max(0, match.index! - 12), match.index))) continue; // a URL
      const target = resolveDoc(file, cited);
      if (!target) {
        problems.push({ ...at, why: `${cited} is not a file in the repository` });
        continue;
      }
      const sections = [...sectionText.matchAll(/§(\d+(?:\.\d+)*)/g)].map((m) => m[1]);
      if (sections.length === 0) continue;
      const known = headings(readFileSync(target, 'utf8'));
      for (const section of sections) {
        if (!known.has(section)) problems.push({ ...at, why: `${cited} has no section §${section}` });
      }
    }
    // Prose is all "comment"; code's comments are what its comment lines say.
    const comment = options.prose ? line : comments[index];
    if (OUTSIDE.test(comment)) problems.push({ ...at, why: 'cites notes outside the repository (shared/spec, shared/docs)' });
    if (BARE_SPEC.test(comment)) problems.push({ ...at, why: '"spec §…" names no document; cite docs/engine-spec.md §…' });
  });
  return problems;
}

/** A source file named in a folder README by its name alone: `library-db.ts`, `testing/run-cli.ts`. */
const BARE_SOURCE = /`((?:[\w.-]+\/)*[\w.-]+\.(?:ts|mts|svelte))`/g;
let sourcePaths: string[] | undefined;

/** Whether a file named in `readme` exists beside it, else anywhere under src/ by that name. */
function bareSourceExists(readme: string, name: string): boolean {
  if (existsSync(join(dirname(readme), name))) return true;
  sourcePaths ??= filesUnder(join(ROOT, 'src'), (f) => EXTENSIONS.has(extname(f)));
  return sourcePaths.some((f) => f.endsWith(`/${name}`));
}

/** The .gitignore's folder entries (`models/.generated/`): docs may name them though a clone has none yet. */
const IGNORED = readFileSync(join(ROOT, '.gitignore'), 'utf8')
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => /^[^#].*\/.+\/$/.test(line));

/** Problems in a markdown file: its `.md` citations and the repository paths it names. */
export function docProblems(file: string, text: string): Problem[] {
  const rel = relative(ROOT, file);
  const problems: Problem[] = [];
  const folderReadme = rel.startsWith('src/') && file.endsWith('README.md');
  text.split('\n').forEach((line, index) => {
    if (folderReadme) {
      for (const [, name] of line.matchAll(BARE_SOURCE)) {
        if (!/^(src|docs|models|e2e|fixtures|bench|fuzz|scripts)\//.test(name) && !bareSourceExists(file, name)) {
          problems.push({ file: rel, line: index + 1, text: line.trim(), why: `${name} is not a file in the repository` });
        }
      }
    }
    for (const [, path] of line.matchAll(REPO_PATH)) {
      const clean = path.replace(/[:#].*$/, '').replace(/[.,;)]+$/, '');
      if (clean.endsWith('.md')) continue; // checked below with its sections, as a citation
      // A bare folder name outside src/ may be one the user creates (`models/audioldm2`, a --model folder).
      if (!clean.startsWith('src/') && !clean.endsWith('/') && !/\.\w+$/.test(clean)) continue;
      // A git-ignored place (models/.generated/, e2e/.screenshots-out/) exists only once made: a fresh clone lacks it.
      if (IGNORED.some((ignored) => clean.startsWith(ignored))) continue;
      if (!existsSync(join(ROOT, clean))) problems.push({ file: rel, line: index + 1, text: line.trim(), why: `${clean} does not exist` });
    }
  });
  // A link names its target twice ([x.md](x.md)): one problem is enough.
  const all = [...problems, ...citationProblems(file, text, { prose: true })];
  return all.filter((p, i) => all.findIndex((q) => q.line === p.line && q.why === p.why) === i);
}

function filesUnder(path: string, keep: (name: string) => boolean): string[] {
  if (!existsSync(path)) return [];
  if (statSync(path).isFile()) return keep(path) ? [path] : [];
  const files: string[] = [];
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    if (SKIPPED_DIRS.has(entry.name)) continue;
    files.push(...filesUnder(join(path, entry.name), keep));
  }
  return files;
}

describe('doc citations', () => {
  it('finds a missing file, a missing section and notes outside the repo', () => {
    const file = join(ROOT, 'src', 'example.ts');
    const text = [
      '// docs/engine-spec.md §2.6 is there; §2.99 is not: docs/engine-spec.md §2.1–§2.99',
      '/* see docs/nowhere.md */',
      '// (spec §3.1) and shared/spec/checkpoints',
      "const hint = 'models/README.md'; // RFC 9110 §14.1.2, FLAC format spec §8.2",
    ].join('\n');
    expect(citationProblems(file, text).map((p) => `${p.line}: ${p.why}`)).toEqual([
      '1: docs/engine-spec.md has no section §2.99',
      '2: docs/nowhere.md is not a file in the repository',
      '3: cites notes outside the repository (shared/spec, shared/docs)',
      '3: "spec §…" names no document; cite docs/engine-spec.md §…',
    ]);
  });

  it('a folder README names only files that exist, and docs only existing repository paths', () => {
    const readme = join(ROOT, 'src', 'main', 'audio', 'README.md');
    const text = 'Reads `wav.ts`, `engine/random.ts` and `gone.ts`.\nSee `src/main/audio/nothing.ts` and `docs/engine-spec.md` §4.1.';
    expect(docProblems(readme, text).map((p) => `${p.line}: ${p.why}`)).toEqual(['1: gone.ts is not a file in the repository', '2: src/main/audio/nothing.ts does not exist']);
  });

  it('reads comments only where code and comments share a line', () => {
    expect(commentLines("const url = 'http://x/y'; // a note\n/* one\n two */ code", '.ts')).toEqual([' a note', ' one', ' two ']);
    expect(commentLines('x = 1  # hash\n"""doc\nstring"""', '.py')).toEqual([' hash', 'doc', 'string']);
  });

  it('every citation in src, bench, models, e2e, fuzz and scripts resolves to a file and section in the repo', () => {
    const problems = SCANNED.flatMap((d) => filesUnder(join(ROOT, d), (f) => EXTENSIONS.has(extname(f)) && f !== SELF)).flatMap((file) => citationProblems(file, readFileSync(file, 'utf8')));
    expect(problems.map((p) => `${p.file}:${p.line}: ${p.why} — ${p.text}`)).toEqual([]);
  });

  it('the docs name only files and sections that exist', () => {
    const problems = DOC_ROOTS.flatMap((d) => filesUnder(join(ROOT, d), (f) => f.endsWith('.md'))).flatMap((file) => docProblems(file, readFileSync(file, 'utf8')));
    expect(problems.map((p) => `${p.file}:${p.line}: ${p.why} — ${p.text}`)).toEqual([]);
  });
});
