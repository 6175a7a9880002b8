/**
 * Runs one built graph in a temporary bundle-shaped folder (weights hard-linked in, as the
 * builder lays them out) so each component can be checked against the oracle on its own.
 */
import { copyFileSync, linkSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OnnxSession } from '../../onnx/onnx-runtime.ts';
import { weightsLocation } from '../bundle-layout.ts';
import { Checkpoint, CHECKPOINT_COMPONENTS } from '../checkpoint/checkpoint.ts';
import type { Graph } from '../onnx/graph.ts';
import type { SafetensorsFile } from '../checkpoint/safetensors.ts';
import { FIXTURE_CHECKPOINT } from './golden.ts';

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
