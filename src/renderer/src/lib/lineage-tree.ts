/**
 * The lineage tree (issue 5 §6) as rows to draw: depth-first, each node with its depth and the
 * operation on the edge from its parent ("continued", "variation", …); pure.
 */
import type { LineageNode } from '../../../shared/studio/studio-api.ts';

export interface LineageRow {
  node: LineageNode;
  depth: number;
  /** How this node came from its parent, in words; '' for the root. */
  edge: string;
  /** The take the tree was asked for. */
  current: boolean;
}

const EDGE_WORDS: Record<string, string> = {
  continue: 'continued',
  vary: 'variation',
  inpaint: 'region regenerated',
  loop: 'looped',
};

/** The words on an edge: the operation, or "used as reference" for a take sent to the lane. */
export function edgeLabel(node: LineageNode, parent: LineageNode | null): string {
  if (!parent) return '';
  if (node.operation) return EDGE_WORDS[node.operation] ?? node.operation;
  return node.kind === 'reference' ? 'used as reference' : 'from';
}

/** Pre-order rows; a node seen twice (a malformed tree) is drawn once, and depth stops at `maxDepth`. */
export function lineageRows(root: LineageNode, currentId: string | null, maxDepth = 64): LineageRow[] {
  const rows: LineageRow[] = [];
  const seen = new Set<string>();
  const visit = (node: LineageNode, parent: LineageNode | null, depth: number) => {
    const key = `${node.kind}:${node.id}`;
    if (seen.has(key) || depth > maxDepth) return;
    seen.add(key);
    rows.push({ node, depth, edge: edgeLabel(node, parent), current: node.kind === 'take' && node.id === currentId });
    for (const child of node.children) visit(child, node, depth + 1);
  };
  visit(root, null, 0);
  return rows;
}
