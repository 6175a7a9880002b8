/**
 * `models verify --run`: opens every graph and runs it at two different sizes of every dynamic
 * dimension (batch 1 and 2, two prompt lengths, an even and an odd latent length…), checking each
 * output's shape against the contract and that every value is finite. A graph that baked a traced
 * shape into a Reshape fails here, although its declared inputs look right.
 */
import { ModelBundleError } from '../../../shared/errors.ts';
import { float32, int64, type TensorData } from '../onnx/onnx-runtime.ts';
import { SeededRandom } from '../random.ts';
import { COMPONENT_KEYS, CONTRACT, expandValues, type ComponentKey, type ContractValue } from './contract.ts';
import { resolveInBundle } from './manifest.ts';
import type { ModelBundle } from './model-bundle.ts';

/** Two sizes for each dynamic dimension; derived ones (total_len, mel_len) follow from these. */
export const RUN_SIZES: ReadonlyArray<Record<string, number>> = [
  { batch: 1, text_len: 7, t5_len: 5, seq: 9, past_len: 9, loa_len: 8, latent_len: 7, prefix_len: 10 },
  { batch: 2, text_len: 12, t5_len: 11, seq: 14, past_len: 13, loa_len: 8, latent_len: 16, prefix_len: 16 },
];

export interface RunCheckResult {
  component: ComponentKey;
  sizes: Record<string, number>;
  ms: number;
}

function dimSizes(base: Record<string, number>, config: Record<string, unknown>): Map<string, number> {
  const sizes = new Map(Object.entries(base));
  sizes.set('total_len', base.past_len + 1);
  sizes.set('mel_len', base.latent_len * Number(config.vaeScaleFactor));
  for (const [key, value] of Object.entries(config)) if (typeof value === 'number') sizes.set(`$${key}`, value);
  return sizes;
}

function resolveDims(value: ContractValue, sizes: Map<string, number>): number[] | undefined {
  const dims: number[] = [];
  for (const d of value.dims) {
    if (typeof d === 'number') dims.push(d);
    else if (sizes.has(d)) dims.push(sizes.get(d)!);
    else return undefined; // an output dim the graph decides (samples, prefix_len)
  }
  return dims;
}

function feed(value: ContractValue, dims: number[], random: SeededRandom, pastLength: number): TensorData {
  const count = dims.reduce((a, b) => a * b, 1);
  if (value.type === 'int64') {
    const data = new BigInt64Array(count);
    const last = dims.at(-1) ?? 1;
    for (let i = 0; i < count; i++) {
      if (value.name.includes('mask')) data[i] = 1n;
      // The step graph's one new position comes after the cache; the prefill counts from 0.
      else if (value.name === 'position_ids') data[i] = BigInt(last === 1 ? pastLength : i % last);
      else data[i] = BigInt(3 + (i % 7)); // token ids every vocabulary has
    }
    return int64(data, dims);
  }
  if (value.name === 'timestep') return float32(new Float32Array(count).fill(501), dims);
  const data = random.fillNormal(count);
  // Features are log-mel-like, embeddings small.
  const scale = value.name === 'input_features' || value.name === 'mel' ? 2 : 0.5;
  for (let i = 0; i < count; i++) data[i] *= scale;
  return float32(data, dims);
}

export async function runCheck(bundle: ModelBundle, onComponent?: (r: RunCheckResult) => void): Promise<RunCheckResult[]> {
  const config = bundle.manifest.config as unknown as Record<string, unknown>;
  const layers = Number(config.gpt2Layers);
  const results: RunCheckResult[] = [];
  for (const key of COMPONENT_KEYS) {
    const session = await bundle.session(key);
    const spec = CONTRACT.components[key];
    const file = resolveInBundle(bundle.dir, bundle.manifest.components[key].graphs[0].file);
    for (const [n, base] of RUN_SIZES.entries()) {
      const sizes = dimSizes(base, config);
      const random = new SeededRandom(1000 + n);
      const feeds: Record<string, TensorData> = {};
      for (const input of expandValues(spec.inputs, layers)) {
        const dims = resolveDims(input, sizes);
        if (!dims) throw new Error(`run check: no size for an input dim of ${key}.${input.name}`);
        feeds[input.name] = feed(input, dims, random, sizes.get('past_len')!);
      }
      const started = performance.now();
      let out: Record<string, TensorData>;
      try {
        out = await session.run(feeds);
      } catch (error) {
        throw new ModelBundleError(
          file,
          `${key} fails at ${describe(base)}: ${(error as Error).message}`,
          'Rebuild the bundle from its checkpoint (`npm run loa -- models build`); a graph that only runs at one size was exported with a traced shape.',
        );
      }
      for (const output of expandValues(spec.outputs, layers)) {
        const got = out[output.name];
        if (!got) throw new ModelBundleError(file, `${key} returned no ${output.name} at ${describe(base)}.`);
        const want = resolveDims(output, sizes);
        const ok = want ? want.length === got.dims.length && want.every((d, i) => d === got.dims[i]) : got.dims.length === output.dims.length;
        if (!ok) throw new ModelBundleError(file, `${key} output ${output.name} is [${got.dims.join(', ')}] at ${describe(base)}, expected [${want?.join(', ') ?? output.dims.join(', ')}].`);
        const data = got.data as Float32Array;
        if (got.type === 'float32') {
          for (let i = 0; i < data.length; i++) {
            if (!Number.isFinite(data[i])) throw new ModelBundleError(file, `${key} output ${output.name} has a non-finite value at ${describe(base)}.`);
          }
        }
      }
      const result = { component: key, sizes: base, ms: performance.now() - started };
      results.push(result);
      onComponent?.(result);
    }
  }
  return results;
}

function describe(sizes: Record<string, number>): string {
  return Object.entries(sizes)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
}
