/**
 * Runs one built graph in a temporary bundle-shaped folder (weights hard-linked in, as the
 * builder lays them out) so each component can be checked against the oracle on its own.
 */
import { copyFileSync, linkSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, it } from 'vitest';
import { OnnxSession } from '../../onnx/onnx-runtime.ts';
import { weightsLocation } from '../bundle-layout.ts';
import { Checkpoint, CHECKPOINT_COMPONENTS } from '../checkpoint/checkpoint.ts';
import type { Graph } from '../onnx/graph.ts';
import type { SafetensorsFile } from '../checkpoint/safetensors.ts';
import { FIXTURE_CHECKPOINT, goldenCase, goldenCaseNames, type GoldenCase } from './golden.ts';

let fixture: Promise<Checkpoint> | undefined;

/** The oracle's checkpoint, opened once per test file. */
export function fixtureCheckpoint(): Promise<Checkpoint> {
  fixture ??= Checkpoint.open(FIXTURE_CHECKPOINT);
  return fixture;
}

export interface GraphRun {
  session: OnnxSession;
  dir: string;
  dispose: () => Promise<void>;
}

/** Writes `graph` next to hard links of the checkpoint's weights and opens it on the CPU. */
export async function openBuiltGraph(checkpoint: Checkpoint, graph: Graph): Promise<GraphRun> {
  const dir = mkdtempSync(join(tmpdir(), 'loa-graph-'));
  mkdirSync(join(dir, 'weights'));
  for (const component of CHECKPOINT_COMPONENTS) {
    const from = (checkpoint.weights(component) as SafetensorsFile).path;
    const to = join(dir, weightsLocation(component));
    try {
      linkSync(from, to);
    } catch {
      copyFileSync(from, to); // another file system: a copy is fine for a test
    }
  }
  const file = join(dir, `${graph.name}.onnx`);
  writeFileSync(file, graph.toBytes());
  const session = await OnnxSession.create(graph.name, file, { provider: 'cpu', intraOpThreads: 2 });
  return {
    session,
    dir,
    dispose: async () => {
      await session.release();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * For a describe block: builds `build(fixture)` and opens it before the block's tests, disposes it
 * after them. Read `session` inside the tests.
 */
export function fixtureGraph(build: (checkpoint: Checkpoint) => Graph): Pick<GraphRun, 'session'> {
  let run: GraphRun | undefined;
  beforeAll(async () => {
    const checkpoint = await fixtureCheckpoint();
    run = await openBuiltGraph(checkpoint, build(checkpoint));
  });
  afterAll(() => run?.dispose());
  return {
    get session() {
      if (!run) throw new Error('the graph opens in beforeAll: read session inside a test');
      return run.session;
    },
  };
}

/** One test per golden case, `title` naming it with %s; `test` gets the case and its name. */
export function eachGoldenCase(title: string, test: (c: GoldenCase, name: string) => Promise<void>): void {
  it.each(goldenCaseNames())(title, (name) => test(goldenCase(name), name));
}
