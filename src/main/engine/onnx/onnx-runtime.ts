/**
 * The one module that talks to onnxruntime-node: creates sessions on a chosen execution provider,
 * builds tensors, and runs graphs with input checks and readable errors.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { InferenceError, OutOfMemoryError } from '../../../shared/errors.ts';
import type { ProviderName } from './execution-providers.ts';

export type TensorType = 'float32' | 'int64';

export interface TensorData {
  type: TensorType;
  data: Float32Array | BigInt64Array;
  dims: readonly number[];
}

export interface ValueInfo {
  name: string;
  type: string;
  /** Numbers are fixed dims, strings symbolic; empty when the graph does not say. */
  dims: readonly (number | string)[];
}

export interface SessionOptions {
  provider: ProviderName;
  intraOpThreads?: number;
  /** ORT's weight prepacking (default on): faster runs, slower session creation (session-tuning.ts). */
  prepackWeights?: boolean;
  /** ORT's memory pattern (default on): one planned block per input shape, kept beside the arena (session-tuning.ts). */
  memoryPattern?: boolean;
}

export function ortVersion(): string {
  return ort.env.versions?.common ?? 'unknown';
}

/**
 * Providers this machine's binding can use: the bundled ones, plus CUDA/TensorRT once their
 * provider libraries were installed next to the binding (CUDA_SETUP_COMMAND). Without that check
 * every Linux start would try, fail and warn about CUDA.
 */
export function availableProviders(): Set<string> {
  const bindingDir = join(dirname(createRequire(import.meta.url).resolve('onnxruntime-node')), '..', 'bin', 'napi-v6', process.platform, process.arch);
  const installed = (name: string) => existsSync(join(bindingDir, `libonnxruntime_providers_${name}.so`));
  return new Set(
    ort
      .listSupportedBackends()
      .filter((b) => b.bundled || installed(b.name))
      .map((b) => b.name),
  );
}

function providerConfig(provider: ProviderName): ort.InferenceSession.ExecutionProviderConfig {
  // Graph inputs/outputs stay fp32 even in fp16 bundles; WebGPU's default NCHW layout matches our convs.
  return provider === 'cpu' ? 'cpu' : { name: provider };
}

const OOM_PATTERN = /bad_alloc|out of memory|failed to allocate|cudaErrorMemoryAllocation|E_OUTOFMEMORY|std::length_error/i;

/** A loaded graph. Every run checks its feeds against the graph and names the component on failure. */
export class OnnxSession {
  /** How many times `run` was called and the input dims of the last call (cheap instrumentation for tests and benchmarks). */
  runCount = 0;
  runMs = 0;
  lastInputDims: Record<string, readonly number[]> = {};

  private constructor(
    readonly component: string,
    readonly file: string,
    readonly provider: ProviderName,
    private readonly session: ort.InferenceSession,
  ) {}

  static async create(component: string, file: string, options: SessionOptions): Promise<OnnxSession> {
    // Measured on the full UNet (2 cores, batch 2 × 256 latent frames, 2026-12-03):
    // - 'all' (NCHWc conv layouts) runs a step ~1.7× faster than 'extended'/'basic'; it costs load time.
    // - Weight prepacking (ORT's default) makes a step ~20 % faster than session.disable_prepacking,
    //   for ~2× the session-creation time; generation is paid per step, loading once per launch.
    // - No optimized-model cache: a UNet session opened from ORT's saved optimized graph (NCHWc
    //   layouts, packed weights saved beside it) was created ~4× faster but ran a step 12–15 %
    //   slower (2.4–2.5 s vs 2.1–2.3 s, 2026-12-03), which a user pays on every step of every take.
    //   The arena stays on; the external weights are memory-mapped from the checkpoint's safetensors.
    const sessionOptions: ort.InferenceSession.SessionOptions = {
      executionProviders: [providerConfig(options.provider)],
      graphOptimizationLevel: 'all',
      interOpNumThreads: 1,
      executionMode: 'sequential',
    };
    // ORT rejects an explicit undefined; leaving it out means "all physical cores".
    if (options.intraOpThreads !== undefined) sessionOptions.intraOpNumThreads = options.intraOpThreads;
    const sessionEntries: Record<string, string> = {};
    if (options.prepackWeights === false) sessionEntries.disable_prepacking = '1';
    if (options.memoryPattern === false) sessionOptions.enableMemPattern = false;
    if (Object.keys(sessionEntries).length > 0) sessionOptions.extra = { session: sessionEntries };
    try {
      const created = await ort.InferenceSession.create(file, sessionOptions);
      return new OnnxSession(component, file, options.provider, created);
    } catch (error) {
      throw mapOrtError(error, `Could not load ${component} graph ${file}`);
    }
  }

  get inputs(): ValueInfo[] {
    return this.session.inputMetadata.map(toValueInfo);
  }

  get outputs(): ValueInfo[] {
    return this.session.outputMetadata.map(toValueInfo);
  }

  async run(feeds: Record<string, TensorData>): Promise<Record<string, TensorData>> {
    const expected = this.session.inputNames;
    const missing = expected.filter((name) => !(name in feeds));
    if (missing.length > 0) {
      throw new InferenceError(`${this.component}: missing input(s) ${missing.join(', ')} (graph wants ${expected.join(', ')}).`);
    }
    const ortFeeds: Record<string, ort.Tensor> = {};
    for (const name of expected) {
      const t = feeds[name];
      const count = t.dims.reduce((a, b) => a * b, 1);
      if (count !== t.data.length) {
        throw new InferenceError(`${this.component}: input ${name} has ${t.data.length} values for dims [${t.dims.join(', ')}].`);
      }
      ortFeeds[name] = new ort.Tensor(t.type, t.data, t.dims);
      this.lastInputDims[name] = [...t.dims];
    }
    const started = performance.now();
    let results: ort.InferenceSession.ReturnType;
    try {
      results = await this.session.run(ortFeeds);
    } catch (error) {
      const given = expected.map((n) => `${n} ${feeds[n].type}[${feeds[n].dims.join(',')}]`).join(', ');
      throw mapOrtError(error, `${this.component} failed on inputs ${given}`);
    } finally {
      this.runCount += 1;
      this.runMs += performance.now() - started;
    }
    const out: Record<string, TensorData> = {};
    for (const [name, tensor] of Object.entries(results)) {
      if (tensor.type !== 'float32' && tensor.type !== 'int64') {
        throw new InferenceError(`${this.component}: output ${name} is ${tensor.type}; bundles must keep float32/int64 outputs.`);
      }
      out[name] = { type: tensor.type, data: tensor.data as Float32Array | BigInt64Array, dims: tensor.dims };
    }
    return out;
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}

function toValueInfo(meta: ort.InferenceSession.ValueMetadata): ValueInfo {
  if (!meta.isTensor) return { name: meta.name, type: 'non-tensor', dims: [] };
  return { name: meta.name, type: meta.type, dims: [...meta.shape] };
}

export function mapOrtError(error: unknown, context: string): Error {
  const message = error instanceof Error ? error.message : String(error);
  const firstLine = message.split('\n')[0];
  if (OOM_PATTERN.test(message)) {
    return new OutOfMemoryError(`Out of memory: ${context}.`);
  }
  return new InferenceError(`${context}: ${firstLine}`);
}

export function float32(data: Float32Array, dims: readonly number[]): TensorData {
  return { type: 'float32', data, dims };
}

export function int64(data: BigInt64Array, dims: readonly number[]): TensorData {
  return { type: 'int64', data, dims };
}
