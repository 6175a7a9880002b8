import { describe, expect, it } from 'vitest';
import type { LineageNode } from '../../../shared/studio/studio-api.ts';
import { lineageRows } from './lineage-tree.ts';

const node = (kind: LineageNode['kind'], id: string, operation: string | null, children: LineageNode[] = []): LineageNode => ({
  kind,
  id,
  label: `${kind} ${id}`,
  operation,
  children,
});

describe('lineage tree rows', () => {
  it('lists a take → reference → continuation family depth first, with the operation on each edge', () => {
    const tree = node('take', 't1', null, [node('reference', 'r1', null, [node('take', 't2', 'continue', [node('take', 't4', 'vary')]), node('take', 't3', 'loop')])]);
    const rows = lineageRows(tree, 't2');
    expect(rows.map((r) => [r.node.id, r.depth, r.edge, r.current])).toEqual([
      ['t1', 0, '', false],
      ['r1', 1, 'used as reference', false],
      ['t2', 2, 'continued', true],
      ['t4', 3, 'variation', false],
      ['t3', 2, 'looped', false],
    ]);
  });

  it('draws a node seen twice once, and stops at the depth limit', () => {
    const shared = node('take', 't2', 'vary');
    const rows = lineageRows(node('reference', 'r1', null, [shared, shared]), null);
    expect(rows.map((r) => r.node.id)).toEqual(['r1', 't2']);
    let deep = node('take', 'leaf', 'continue');
    for (let i = 0; i < 10; i++) deep = node('take', `t${i}`, 'continue', [deep]);
    expect(lineageRows(deep, null, 3)).toHaveLength(4);
  });
});
