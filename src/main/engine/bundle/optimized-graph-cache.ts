/**
 * ONNX Runtime's optimized graphs, kept per machine so that the second launch skips the slow part
 * of creating a session.
 *
 * Creating the CPU session of the full UNet spends most of its time rewriting the graph for this
 * CPU (NCHWc convolution layouts) and packing the MatMul weights; from the saved result (with the
 * packed weights saved beside it) the same session is created ~4× faster, and a step runs as fast
 * (measured 2026-12-03, BENCHMARKS.md). The saved graph is specific to this ORT version and this
 * CPU (ORT warns that NCHWc graphs "should only be used in the same environment"), so an entry is
 * keyed by both, and by the graph's and weights' checksums from the bundle's manifest. It lives in
 * the user's cache folder, never in the bundle: deleting it only costs the next launch time.
 */
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';
import type { ComponentKey } from './contract.ts';
import type { GraphFile } from './manifest.ts';

export const CACHED_GRAPH = 'graph.onnx';
export const CACHED_WEIGHTS = 'graph.weights';
const READY_MARKER = 'ready.json';

/** Where a new entry is written before it is complete; `build` saves ORT's optimized graph there. */
export interface CacheTarget {
  graphPath: string;
  weightsFileName: string;
}

export class OptimizedGraphCache {
  constructor(
    private readonly root: string,
    private readonly runtime: string,
  ) {}

  /** The cached graph for this component, or undefined when none is complete. */
  lookup(component: ComponentKey, graph: GraphFile): string | undefined {
    const dir = this.entryDir(component, graph);
    return existsSync(join(dir, READY_MARKER)) ? join(dir, CACHED_GRAPH) : undefined;
  }

  /**
   * Runs `build` against a fresh folder and publishes it only once ORT has written it whole (a
   * marker file last), so a crash or a full disk mid-write never leaves an entry that looks usable.
   */
  async write<T>(component: ComponentKey, graph: GraphFile, build: (target: CacheTarget) => Promise<T>): Promise<T> {
    const staging = join(this.root, `.writing-${randomUUID()}`);
    await mkdir(staging, { recursive: true });
    try {
      const result = await build({ graphPath: join(staging, CACHED_GRAPH), weightsFileName: CACHED_WEIGHTS });
      await writeFile(join(staging, READY_MARKER), JSON.stringify({ component, graph: graph.file, runtime: this.runtime }));
      const dir = this.entryDir(component, graph);
      await rm(dir, { recursive: true, force: true });
      await rename(staging, dir);
      return result;
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  }

  /** Drops an entry that ORT could not load (a different CPU behind the same name, a damaged file). */
  async discard(component: ComponentKey, graph: GraphFile): Promise<void> {
    await rm(this.entryDir(component, graph), { recursive: true, force: true });
  }

  private entryDir(component: ComponentKey, graph: GraphFile): string {
    const key = createHash('sha256')
      .update(JSON.stringify([this.runtime, machineIdentity(), graph.sha256, (graph.externalData ?? []).map((f) => f.sha256)]))
      .digest('hex')
      .slice(0, 24);
    return join(this.root, `${component}-${key}`);
  }
}

/**
 * The CPU an optimized graph was made for: its model name and, on Linux, its instruction-set
 * flags (two machines sold under one name can differ in AVX-512, which changes ORT's layouts).
 */
function machineIdentity(): string {
  const model = cpus()[0]?.model ?? 'unknown-cpu';
  let flags = '';
  if (process.platform === 'linux') {
    try {
      flags = /^flags\s*:\s*(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? '';
    } catch {
      // /proc unreadable (a sandbox): the model name alone still separates most machines.
    }
  }
  return `${process.platform}-${process.arch}-${model}-${flags}`;
}
