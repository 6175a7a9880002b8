/**
 * The family tree around a take: walk up its lineage to the root (a reference, or a take that was
 * sent to the reference lane), then down through everything made from each node.
 */
import type { LineageNode } from '../../shared/studio/studio-api.ts';
import type { LibraryDb } from '../library/library-db.ts';
import type { LibraryTake } from '../library/library-types.ts';

/** Guards against a cycle in damaged data and keeps the tree readable. */
const MAX_DEPTH = 32;

function takeLabel(take: LibraryTake): string {
  const p = take.params;
  return `${'op' in p ? `${p.op}: ` : ''}${p.prompt} (seed ${take.seed}${take.lineage?.strength !== undefined ? `, strength ${take.lineage.strength}` : ''})`;
}

/** What the walk reads: the library store passes its database. */
type LineageRows = Pick<LibraryDb, 'get' | 'take' | 'lineageChildren'> & { references: Pick<LibraryDb['references'], 'get' | 'list'> };

function rootOf(db: LineageRows, take: LibraryTake): { kind: 'take' | 'reference'; id: string } {
  let current = take;
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    const parent = current.lineage?.reference;
    if (!parent?.referenceId) return { kind: 'take', id: current.id };
    const reference = db.references.get(parent.referenceId);
    if (reference.origin.kind !== 'take') return { kind: 'reference', id: reference.id };
    const source = db.get(reference.origin.takeId);
    if (!source) return { kind: 'reference', id: reference.id };
    current = source;
  }
  return { kind: 'take', id: current.id };
}

/** References made from a take (sent to the lane), so the walk down goes take → reference → takes. */
function referencesFrom(db: LineageRows, takeId: string) {
  return db.references.list().filter((r) => r.origin.kind === 'take' && r.origin.takeId === takeId);
}

function node(db: LineageRows, at: { kind: 'take' | 'reference'; id: string }, operation: string | null, depth: number): LineageNode {
  if (at.kind === 'reference') {
    const reference = db.references.get(at.id);
    const children = depth < MAX_DEPTH ? db.lineageChildren({ kind: 'reference', id: at.id }).map((t) => node(db, { kind: 'take', id: t.id }, t.lineage?.operation ?? null, depth + 1)) : [];
    return { kind: 'reference', id: at.id, label: reference.name, operation, children };
  }
  const take = db.take(at.id);
  const children = depth < MAX_DEPTH ? referencesFrom(db, at.id).map((r) => node(db, { kind: 'reference', id: r.id }, null, depth + 1)) : [];
  return { kind: 'take', id: at.id, label: takeLabel(take), operation, children };
}

export function lineageTree(db: LineageRows, takeId: string): LineageNode {
  const take = db.take(takeId);
  const root = rootOf(db, take);
  const operation = root.kind === 'take' ? (db.take(root.id).lineage?.operation ?? null) : null;
  return node(db, root, operation, 0);
}
