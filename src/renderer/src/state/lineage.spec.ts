import { describe, expect, it } from 'vitest';
import { LoaError } from '../../../shared/errors.ts';
import type { LineageNode } from '../../../shared/studio/studio-api.ts';
import { LineageState } from './lineage.svelte.ts';
import { apiStandIn, deferred } from './studio-api.fixture.ts';

const tree = (id: string): LineageNode => ({
  kind: 'reference',
  id: `ref-of-${id}`,
  label: 'tone.wav',
  operation: null,
  children: [{ kind: 'take', id, label: 'rain', operation: 'vary', children: [] }],
});

describe('LineageState', () => {
  it('shows the tree of the latest selection even when an older answer comes last', async () => {
    const answers = new Map([
      ['t1', deferred<LineageNode>()],
      ['t2', deferred<LineageNode>()],
    ]);
    const lineage = new LineageState(apiStandIn({ lineageTree: (id) => answers.get(id)!.promise }).api);
    const first = lineage.load('t1');
    expect({ takeId: lineage.takeId, loading: lineage.loading }).toEqual({ takeId: 't1', loading: true });
    const second = lineage.load('t2');
    answers.get('t2')!.resolve(tree('t2'));
    await second;
    answers.get('t1')!.resolve(tree('t1'));
    await first;
    expect({ takeId: lineage.takeId, root: lineage.tree?.id, loading: lineage.loading }).toEqual({ takeId: 't2', root: 'ref-of-t2', loading: false });
  });

  it('keeps the tree on a reload of the same take, clears it for another or none', async () => {
    const { api, calls } = apiStandIn({ lineageTree: async (id) => tree(id) });
    const lineage = new LineageState(api);
    await lineage.load('t1');
    const reloading = lineage.load('t1');
    expect(lineage.tree?.id).toBe('ref-of-t1');
    await reloading;
    void lineage.load('t2');
    expect(lineage.tree).toBeNull();
    await lineage.load(null);
    expect({ tree: lineage.tree, loading: lineage.loading }).toEqual({ tree: null, loading: false });
    lineage.reload();
    expect(calls.map((c) => c.args[0])).toEqual(['t1', 't1', 't2']);
  });

  it('says why a tree could not be read', async () => {
    const gone = new LoaError('INVALID_REQUEST', 'Take t9 is not in the library.', 'It may have been deleted.');
    const lineage = new LineageState(
      apiStandIn({
        lineageTree: async () => {
          throw gone;
        },
      }).api,
    );
    await lineage.load('t9');
    expect({ error: lineage.error, tree: lineage.tree, loading: lineage.loading }).toEqual({ error: { message: gone.message, hint: gone.hint }, tree: null, loading: false });
  });
});
