import { describe, expect, it } from 'vitest';
import { replaceSection } from './machine.ts';

describe('replaceSection', () => {
  it('replaces only its own block and appends a new one', () => {
    const doc = '# Benchmarks\n\n<!-- bench:a -->\nold a\n<!-- /bench:a -->\n\n<!-- bench:b -->\nb\n<!-- /bench:b -->\n';
    const updated = replaceSection(doc, 'a', 'new a');
    expect(updated).toBe('# Benchmarks\n\n<!-- bench:a -->\nnew a\n<!-- /bench:a -->\n\n<!-- bench:b -->\nb\n<!-- /bench:b -->\n');
    expect(replaceSection('# B\n', 'c', 'c1')).toBe('# B\n\n<!-- bench:c -->\nc1\n<!-- /bench:c -->\n');
  });
});
