/**
 * The converted weights of fp16 graphs: for one checkpoint component, one safetensors file
 * (`weights/<component>.fp16.safetensors`) holding exactly the tensors its fp16 graphs read — the
 * union over the graphs that share the component (CLAP text and audio, GPT-2 prefill and step) —
 * float tensors as float16 (round to nearest even, saturating at ±65504: float16.ts), any others
 * byte for byte. The layout is planned from the fp32 graphs' external initializers before anything is
 * written, so the fp16 graphs can point into the file; the file is then streamed tensor by tensor
 * (safetensors-writer.ts) from the checkpoint's own file, never whole in memory.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import type { SafetensorsDtype } from './checkpoint/safetensors.ts';
import { bfloat16ArrayToFloat16, emptyFloat16Stats, float32ArrayToFloat16, float64ArrayToFloat16, type Float16Stats } from './onnx/float16.ts';
import type { ElementType, ExternalRef, Graph } from './onnx/graph.ts';
import { externalSource, type ExternalSource } from './onnx/to-float16.ts';
import { safetensorsHeader, tensorBytes, writeSafetensors, type TensorToWrite } from './random-checkpoint/safetensors-writer.ts';

const FLOATS: ReadonlySet<ElementType> = new Set(['float32', 'float16', 'bfloat16', 'float64']);
const DTYPE: Partial<Record<ElementType, SafetensorsDtype>> = { float16: 'F16', int64: 'I64', int32: 'I32', int8: 'I8', uint8: 'U8', bool: 'BOOL' };

export interface PlannedTensor {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  source: ExternalSource;
  /** Absolute byte offset in the converted file. */
  offset: number;
}

export interface Float16WeightsPlan {
  /** The converted file, relative to the graphs. */
  location: string;
  /** The file the fp32 graphs read, relative to the graphs. */
  sourceLocation: string;
  tensors: PlannedTensor[];
  /** Where a source tensor lives in the converted file (the fp16 graph's external-data fields). */
  locate: (source: ExternalSource) => ExternalRef;
}

export interface Float16WeightsWritten {
  bytes: number;
  tensors: number;
  stats: Float16Stats;
}

/** The header's metadata: the plan's offsets and the written file must use the same header. */
const METADATA = { format: 'pt' };

const sourceKey = (s: { location: string; offset: number; length: number }) => `${s.location}@${s.offset}+${s.length}`;

/** Plans `location` for every external initializer of `graphs` (all reading one file). */
export function planFloat16Weights(graphs: readonly Graph[], location: string): Float16WeightsPlan {
  const byKey = new Map<string, Omit<PlannedTensor, 'offset'>>();
  const names = new Set<string>();
  let sourceLocation: string | undefined;
  for (const graph of graphs) {
    for (const init of graph.parts.initializers) {
      const source = externalSource(init);
      if (!source || byKey.has(sourceKey(source))) continue;
      sourceLocation ??= source.location;
      if (source.location !== sourceLocation) throw new Error(`fp16 weights: graph ${graph.name} reads ${source.location} and ${sourceLocation}; one file per component expected`);
      const dtype = FLOATS.has(source.type) ? 'F16' : DTYPE[source.type];
      if (!dtype) throw new Error(`fp16 weights: ${init.name} has element type ${source.type}, which safetensors cannot hold`);
      let name = init.name ?? 'tensor';
      for (let n = 1; names.has(name); n++) name = `${init.name}_${n}`;
      names.add(name);
      byKey.set(sourceKey(source), { name, dtype, shape: source.dims, source });
    }
  }
  const entries = [...byKey.values()];
  const { head, order } = safetensorsHeader(
    entries.map((t) => ({ name: t.name, dtype: t.dtype, shape: t.shape, chunks: () => [] })),
    METADATA,
  );
  const offsets = new Map<string, number>();
  let offset = head.length;
  for (const t of order) {
    offsets.set(t.name, offset);
    offset += tensorBytes(t.dtype, t.shape);
  }
  const tensors = entries.map((t) => ({ ...t, offset: offsets.get(t.name)! }));
  const planned = new Map(tensors.map((t) => [sourceKey(t.source), t]));
  return {
    location,
    sourceLocation: sourceLocation ?? '',
    tensors,
    locate: (source) => {
      const t = planned.get(sourceKey(source));
      if (!t) throw new Error(`fp16 weights: ${sourceKey(source)} was not planned`);
      return { location, offset: t.offset, length: tensorBytes(t.dtype, t.shape), type: t.dtype === 'F16' ? 'float16' : source.type, dims: t.shape };
    },
  };
}

/** Bytes read per chunk at most (a multiple of every element size, so no element is split). */
const CHUNK_BYTES = 1 << 22;

function* convertedChunks(fd: number, t: PlannedTensor, stats: Float16Stats): Generator<Uint8Array> {
  const buffer = Buffer.alloc(Math.min(CHUNK_BYTES, t.source.length) || 1);
  for (let done = 0; done < t.source.length;) {
    const want = Math.min(buffer.length, t.source.length - done);
    let got = 0;
    while (got < want) {
      const n = readSync(fd, buffer, got, want - got, t.source.offset + done + got);
      if (n === 0) throw new Error(`fp16 weights: ${t.name} ends early in the source file`);
      got += n;
    }
    done += want;
    const bytes = buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + want);
    if (t.dtype !== 'F16' || t.source.type === 'float16') {
      yield new Uint8Array(bytes);
    } else if (t.source.type === 'float32') {
      yield new Uint8Array(float32ArrayToFloat16(new Uint32Array(bytes), stats).buffer);
    } else if (t.source.type === 'bfloat16') {
      yield new Uint8Array(bfloat16ArrayToFloat16(new Uint16Array(bytes), stats).buffer);
    } else if (t.source.type === 'float64') {
      yield new Uint8Array(float64ArrayToFloat16(new Float64Array(bytes), stats).buffer);
    }
  }
}

/** Writes the planned file at `destPath`, reading the source tensors from `sourcePath`. */
export async function writeFloat16Weights(plan: Float16WeightsPlan, sourcePath: string, destPath: string): Promise<Float16WeightsWritten> {
  const stats = emptyFloat16Stats();
  const fd = openSync(sourcePath, 'r');
  try {
    const tensors: TensorToWrite[] = plan.tensors.map((t) => ({ name: t.name, dtype: t.dtype, shape: t.shape, chunks: () => convertedChunks(fd, t, stats) }));
    const bytes = await writeSafetensors(destPath, tensors, { metadata: METADATA });
    return { bytes, tensors: tensors.length, stats };
  } finally {
    closeSync(fd);
  }
}
