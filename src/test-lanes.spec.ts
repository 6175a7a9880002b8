/**
 * The two lanes partition the specs: every spec file on disk (SPEC_FILES in test-lanes.config.ts) runs
 * in exactly one lane, unit (the unit and renderer projects) or e2e, as vitest itself resolves the
 * projects from vitest.config.ts; and every file the e2e list names still exists.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { createVitest } from 'vitest/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { E2E_LANE } from '../test-lanes.config.ts';

const ROOT = resolve(import.meta.dirname, '..');
/** SPEC_FILES, read from the disk without vitest: *.spec.ts under src, bench, models and fuzz, *.e2e.ts under e2e. */
function specFilesOnDisk(): string[] {
  const under = (folder: string, suffix: string) =>
    existsSync(resolve(ROOT, folder))
      ? readdirSync(resolve(ROOT, folder), { recursive: true, encoding: 'utf8' })
          .filter((f) => f.endsWith(suffix) && !f.split(sep).includes('node_modules'))
          .map((f) => join(folder, f))
      : [];
  return [...['src', 'bench', 'models', 'fuzz'].flatMap((folder) => under(folder, '.spec.ts')), ...under('e2e', '.e2e.ts')];
}

const LANE_OF_PROJECT: Record<string, 'unit' | 'e2e'> = { unit: 'unit', renderer: 'unit', e2e: 'e2e' };

describe('the test lanes', () => {
  let vitest: Awaited<ReturnType<typeof createVitest>>;
  /** Spec file (repo-relative) → the lanes whose projects include it. */
  const lanes = new Map<string, string[]>();

  beforeAll(async () => {
    vitest = await createVitest('test', { root: ROOT, config: resolve(ROOT, 'vitest.config.ts'), watch: false }, {}, { stdout: process.stdout, stderr: process.stderr });
    for (const spec of await vitest.globTestSpecifications()) {
      const file = relative(ROOT, spec.moduleId);
      lanes.set(file, [...(lanes.get(file) ?? []), LANE_OF_PROJECT[spec.project.name] ?? `unknown project ${spec.project.name}`]);
    }
  });

  afterAll(async () => {
    await vitest?.close();
  });

  it('put every spec file in exactly one lane', async () => {
    expect(lanes.size).toBeGreaterThan(100);
    const notOnce = [...lanes].filter(([, inLanes]) => inLanes.length !== 1);
    expect(notOnce).toEqual([]);
    // The lanes together cover every spec file on disk: no spec is dropped by both.
    const inNoLane = specFilesOnDisk().filter((f) => !lanes.has(f));
    expect(inNoLane).toEqual([]);
    expect(lanes.get('src/test-lanes.spec.ts')).toEqual(['unit']);
    expect(lanes.get('e2e/workspace.e2e.ts')).toEqual(['e2e']);
  });

  it('name only spec files that exist in the e2e list', () => {
    const missing = E2E_LANE.filter((entry) => !entry.includes('*') && !existsSync(resolve(ROOT, entry)));
    expect(missing).toEqual([]);
  });
});
