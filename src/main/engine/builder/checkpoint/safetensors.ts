/**
 * Reads a safetensors file's header (https://github.com/huggingface/safetensors: 8-byte little-endian
 * header length, a JSON header, then the raw tensors) and checks that it tells the truth before any
 * byte of weight is trusted: offsets inside the file, no overlaps, known dtypes, sizes that match
 * the shapes. The weights themselves are never read here; the builder points ONNX at them.
 */
import { open } from 'node:fs/promises';
import { CheckpointError } from './checkpoint-error.ts';

export type SafetensorsDtype = 'F32' | 'F16' | 'BF16' | 'F64' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

export const DTYPE_BYTES: Record<SafetensorsDtype, number> = {
  F64: 8,
  I64: 8,
  F32: 4,
  I32: 4,
  F16: 2,
  BF16: 2,
  I16: 2,
  I8: 1,
  U8: 1,
  BOOL: 1,
};

export interface SafetensorsTensor {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  /** Absolute byte offset of the tensor's data in the file. */
  offset: number;
  length: number;
}

export interface SafetensorsFile {
  path: string;
  bytes: number;
  tensors: Map<string, SafetensorsTensor>;
  metadata: Record<string, string>;
}

/** The format allows 100 MB headers; real checkpoints use well under 1 MB. */
export const MAX_HEADER_BYTES = 100 * 1024 * 1024;

export async function readSafetensors(path: string): Promise<SafetensorsFile> {
  const handle = await open(path, 'r').catch((error: NodeJS.ErrnoException) => {
    throw new CheckpointError(path, `cannot open it (${error.code ?? error.message})`);
  });
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new CheckpointError(path, 'it is not a regular file');
    const size = info.size;
    if (size < 8) throw new CheckpointError(path, `it is ${size} bytes, too short for a safetensors header`);
    const head = Buffer.alloc(8);
    await handle.read(head, 0, 8, 0);
    const headerLength = head.readBigUInt64LE(0);
    if (headerLength > BigInt(MAX_HEADER_BYTES)) throw new CheckpointError(path, `its header claims ${headerLength} bytes (over the 100 MB the format allows)`);
    const n = Number(headerLength);
    if (8 + n > size) throw new CheckpointError(path, `its header claims ${n} bytes but the file has only ${size - 8} after the length`);
    const json = Buffer.alloc(n);
    await handle.read(json, 0, n, 8);
    return parseHeader(path, json, size);
  } finally {
    await handle.close();
  }
}

export function parseHeader(path: string, json: Uint8Array, fileBytes: number): SafetensorsFile {
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder().decode(json)) as Record<string, unknown>;
  } catch (error) {
    throw new CheckpointError(path, `its header is not JSON (${(error as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw new CheckpointError(path, 'its header is not a JSON object');
  const dataStart = 8 + json.length;
  const dataBytes = fileBytes - dataStart;
  const tensors = new Map<string, SafetensorsTensor>();
  let metadata: Record<string, string> = {};
  for (const [name, raw] of Object.entries(header)) {
    if (name === '__metadata__') {
      metadata = (raw ?? {}) as Record<string, string>;
      continue;
    }
    const entry = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    const where = `tensor "${name}"`;
    if (typeof entry !== 'object' || entry === null) throw new CheckpointError(path, `${where} has no description`);
    if (typeof entry.dtype !== 'string' || !(entry.dtype in DTYPE_BYTES)) throw new CheckpointError(path, `${where} has an unknown dtype ${JSON.stringify(entry.dtype)}`);
    const dtype = entry.dtype as SafetensorsDtype;
    if (!Array.isArray(entry.shape) || !entry.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      throw new CheckpointError(path, `${where} has an invalid shape ${JSON.stringify(entry.shape)}`);
    }
    const offsets = entry.data_offsets;
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)) {
      throw new CheckpointError(path, `${where} has invalid data_offsets ${JSON.stringify(offsets)}`);
    }
    const [begin, end] = offsets as [number, number];
    if (end < begin || end > dataBytes) {
      throw new CheckpointError(path, `${where} lies outside the file (bytes ${begin}–${end} of ${dataBytes})`);
    }
    const shape = entry.shape as number[];
    const expected = shape.reduce((a, b) => a * b, 1) * DTYPE_BYTES[dtype];
    if (end - begin !== expected) {
      throw new CheckpointError(path, `${where} holds ${end - begin} bytes but ${dtype}[${shape.join(', ')}] needs ${expected}`);
    }
    tensors.set(name, { name, dtype, shape, offset: dataStart + begin, length: end - begin });
  }
  const sorted = [...tensors.values()].filter((t) => t.length > 0).sort((a, b) => a.offset - b.offset);
  for (let i = 1; i < sorted.length; i++) {
    const previous = sorted[i - 1];
    if (sorted[i].offset < previous.offset + previous.length) {
      throw new CheckpointError(path, `tensors "${previous.name}" and "${sorted[i].name}" overlap`);
    }
  }
  return { path, bytes: fileBytes, tensors, metadata };
}
