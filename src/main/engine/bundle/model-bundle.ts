import { join } from 'node:path';
import type { DeviceName } from '../../../shared/engine/generate-params.ts';
import { ModelBundleError } from '../../../shared/errors.ts';
import { candidateProviders, chooseProvider, GPU_PROVIDERS, providerLabel, type ProviderName } from '../onnx/execution-providers.ts';
import { availableProviders, OnnxSession, ortVersion } from '../onnx/onnx-runtime.ts';
import { ProviderMemory } from '../onnx/provider-memory.ts';
import { COMPONENT_KEYS, contractProblems, type ComponentKey } from './contract.ts';
import { readManifest, resolveInBundle, type BundleManifest, type GraphFile } from './manifest.ts';
import { SESSION_TUNING } from './session-tuning.ts';
import { ChecksumCache, verifyBundleFiles } from './verify-files.ts';

export interface LoadBundleOptions {
  device?: DeviceName;
  intraOpThreads?: number;
  /** Where provider choices and checksum results are remembered; nothing is remembered without it. */
  cacheDir?: string;
  /** Components loaded up front; the rest load on first use (CLAP audio is only needed to rank takes). */
  eager?: readonly ComponentKey[];
}

export const DEFAULT_EAGER: readonly ComponentKey[] = ['clapText', 't5Encoder', 'projection', 'gpt2Prefill', 'gpt2Step', 'unet', 'vaeDecoder', 'vocoder'];

/** Whether a GPT-2 step graph's `inputs_embeds` takes any number of positions (a symbolic axis 1), not just one. */
export function stepTakesSequences(step: OnnxSession): boolean {
  const seq = step.inputs.find((v) => v.name === 'inputs_embeds')?.dims[1];
  return typeof seq === 'string' || (typeof seq === 'number' && seq < 0);
}

/** Picks the graph for a provider: fp16 where the bundle has one and the provider is a GPU. */
export function chooseGraph(graphs: readonly GraphFile[], provider: ProviderName): GraphFile {
  const wanted = GPU_PROVIDERS.has(provider) ? 'fp16' : 'fp32';
  return graphs.find((g) => g.precision === wanted) ?? graphs.find((g) => g.precision === 'fp32') ?? graphs[0];
}

/**
 * A verified bundle with its ONNX sessions, all on one execution provider where possible.
 * Owns the sessions: `release()` frees them.
 */
export class ModelBundle {
  readonly notices: string[] = [];
  private readonly sessions = new Map<ComponentKey, Promise<OnnxSession>>();

  private constructor(
    readonly dir: string,
    readonly manifest: BundleManifest,
    readonly provider: ProviderName,
    private readonly intraOpThreads: number | undefined,
    notices: string[],
  ) {
    this.notices.push(...notices);
  }

  get config() {
    return this.manifest.config;
  }

  static async load(dir: string, options: LoadBundleOptions = {}): Promise<ModelBundle> {
    const manifest = await readManifest(dir);
    const cache = new ChecksumCache(options.cacheDir ? join(options.cacheDir, 'verified-files.json') : undefined);
    await verifyBundleFiles(dir, manifest, cache);

    const memory = options.cacheDir ? new ProviderMemory(join(options.cacheDir, 'execution-provider.json'), `${process.platform}-${process.arch}-ort${ortVersion()}`) : undefined;
    const device = options.device ?? 'auto';
    const remembered = device === 'auto' ? await memory?.recall() : undefined;
    const candidates = candidateProviders(device, availableProviders(), remembered);

    // Probe with the smallest real graph so a provider that can't start costs milliseconds.
    const probeGraph = manifest.components.projection.graphs;
    const choice = await chooseProvider(candidates, async (provider) => {
      const session = await OnnxSession.create('projection', resolveInBundle(dir, chooseGraph(probeGraph, provider).file), { provider, intraOpThreads: 1 });
      await session.release();
    });
    await memory?.remember(choice.provider);

    const bundle = new ModelBundle(dir, manifest, choice.provider, options.intraOpThreads, choice.notices);
    const eager = options.eager ?? DEFAULT_EAGER;
    await Promise.all(eager.map((key) => (key === 'gpt2Prefill' ? bundle.gpt2PrefillSession() : bundle.session(key))));
    return bundle;
  }

  /** The session for a component, created on first use and checked against the contract. */
  session(key: ComponentKey): Promise<OnnxSession> {
    let pending = this.sessions.get(key);
    if (!pending) {
      pending = this.createSession(key);
      this.sessions.set(key, pending);
      pending.catch(() => this.sessions.delete(key));
    }
    return pending;
  }

  private async createSession(key: ComponentKey): Promise<OnnxSession> {
    const graphs = this.manifest.components[key].graphs;
    let graph = chooseGraph(graphs, this.provider);
    let session: OnnxSession;
    try {
      session = await this.openGraph(key, graph, this.provider);
    } catch (error) {
      if (this.provider === 'cpu') throw error;
      // A GPU provider may lack a kernel for one graph; run that graph on CPU rather than fail.
      graph = chooseGraph(graphs, 'cpu');
      session = await this.openGraph(key, graph, 'cpu');
      this.notices.push(`${key} runs on CPU: ${providerLabel(this.provider)} could not load it (${(error as Error).message.split('\n')[0]}).`);
    }
    const problems = contractProblems(key, session, this.manifest.config as unknown as Record<string, unknown>);
    if (problems.length > 0) {
      await session.release();
      throw new ModelBundleError(
        resolveInBundle(this.dir, graph.file),
        `${graph.file} does not match the ${key} contract: ${problems.join('; ')}.`,
        'Rebuild the bundle from its checkpoint (`npm run loa -- models build <checkpoint-dir> --out <dir>` writes graphs that fit the contract), then run `npm run loa -- models verify <dir>`.',
      );
    }
    return session;
  }

  private openGraph(key: ComponentKey, graph: GraphFile, provider: ProviderName): Promise<OnnxSession> {
    return OnnxSession.create(key, resolveInBundle(this.dir, graph.file), { provider, intraOpThreads: this.intraOpThreads, ...SESSION_TUNING[key] });
  }

  /**
   * GPT-2's prefill: the step graph itself when it takes any number of new positions (what the
   * builder writes: one session, GPT-2's packed weights held once), else the bundle's prefill graph.
   */
  async gpt2PrefillSession(): Promise<OnnxSession> {
    const step = await this.session('gpt2Step');
    return stepTakesSequences(step) ? step : this.session('gpt2Prefill');
  }

  isLoaded(key: ComponentKey): boolean {
    return this.sessions.has(key);
  }

  /** Loads every component (what `models verify` does). */
  async loadAll(): Promise<void> {
    await Promise.all(COMPONENT_KEYS.map((key) => this.session(key)));
  }

  async release(): Promise<void> {
    const sessions = await Promise.allSettled([...this.sessions.values()]);
    this.sessions.clear();
    await Promise.all(sessions.map((s) => (s.status === 'fulfilled' ? s.value.release() : undefined)));
  }
}
