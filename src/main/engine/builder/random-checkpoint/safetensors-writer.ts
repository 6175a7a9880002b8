/**
 * Writes a safetensors file the way the reference Rust library (huggingface/safetensors,
 * `serialize_to_file`, as torch's `save_file` calls it) does, so a file we write is byte-identical
 * to one diffusers' `save_pretrained` would write for the same tensors:
 *   8-byte little-endian header length · compact JSON header (`__metadata__` first, then the
 *   tensors sorted by name, byte-wise, each `{"dtype","shape","data_offsets"}` relative to the end
 *   of the header) padded with spaces to a multiple of 8 · the tensors' bytes in the same order.
 * The data is streamed tensor by tensor from each tensor's own chunk source, so a multi-gigabyte
 * checkpoint never sits in memory.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { DTYPE_BYTES, type SafetensorsDtype } from '../checkpoint/safetensors.ts';

export interface TensorToWrite {
  name: string;
  dtype: SafetensorsDtype;
  shape: readonly number[];
  /**
   * The tensor's bytes, row-major little-endian, in chunks of any size; called once, when the
   * tensor's turn comes. Their total must be exactly numel × the dtype's size.
   */
  chunks: () => Iterable<Uint8Array>;
}

export interface WriteProgress {
  /** The tensor just written. */
  name: string;
  bytesWritten: number;
  totalBytes: number;
}

/** Tensors are written in this order (the Rust library sorts its tensors by name, byte-wise). */
export function safetensorsOrder<T extends { name: string }>(tensors: readonly T[]): T[] {
  return [...tensors].sort((a, b) => Buffer.compare(Buffer.from(a.name, 'utf8'), Buffer.from(b.name, 'utf8')));
}

export function tensorBytes(dtype: SafetensorsDtype, shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1) * DTYPE_BYTES[dtype];
}

/**
 * The 8-byte length and the padded JSON header for `tensors` (any order), and the order their
 * data follows it. Refuses duplicate names, the reserved `__metadata__` and invalid shapes.
 */
export function safetensorsHeader(tensors: readonly TensorToWrite[], metadata?: Record<string, string>): { head: Buffer; order: TensorToWrite[]; dataBytes: number } {
  const order = safetensorsOrder(tensors);
  const entries: string[] = [];
  if (metadata && Object.keys(metadata).length > 0) {
    const sorted = Object.fromEntries(
      Object.keys(metadata)
        .sort()
        .map((k) => [k, String(metadata[k])]),
    );
    entries.push(`"__metadata__":${JSON.stringify(sorted)}`);
  }
  let offset = 0;
  for (let i = 0; i < order.length; i++) {
    const { name, dtype, shape } = order[i];
    if (name === '__metadata__') throw new Error('safetensors: "__metadata__" is reserved and cannot name a tensor');
    if (i > 0 && order[i - 1].name === name) throw new Error(`safetensors: tensor "${name}" is given twice`);
    if (!(dtype in DTYPE_BYTES)) throw new Error(`safetensors: tensor "${name}" has an unknown dtype ${String(dtype)}`);
    if (!shape.every((d) => Number.isSafeInteger(d) && d >= 0)) throw new Error(`safetensors: tensor "${name}" has an invalid shape [${shape.join(', ')}]`);
    const end = offset + tensorBytes(dtype, shape);
    entries.push(`${JSON.stringify(name)}:{"dtype":"${dtype}","shape":[${shape.join(',')}],"data_offsets":[${offset},${end}]}`);
    offset = end;
  }
  const json = Buffer.from(`{${entries.join(',')}}`, 'utf8');
  // The Rust library pads the header with spaces so the data starts 8-byte aligned.
  const padded = Buffer.alloc(Math.ceil(json.length / 8) * 8, 0x20);
  json.copy(padded);
  const head = Buffer.alloc(8 + padded.length);
  head.writeBigUInt64LE(BigInt(padded.length), 0);
  padded.copy(head, 8);
  return { head, order, dataBytes: offset };
}

/** Coalesces small writes (a UNet has ~1500 tensors, many of a few hundred bytes). */
class BufferedFile {
  private buffer = Buffer.alloc(8 * 1024 * 1024);
  private used = 0;
  constructor(private readonly handle: FileHandle) {}

  async write(bytes: Uint8Array): Promise<void> {
    if (bytes.length >= this.buffer.length) {
      await this.flush();
      await this.writeAll(bytes);
      return;
    }
    if (this.used + bytes.length > this.buffer.length) await this.flush();
    this.buffer.set(bytes, this.used);
    this.used += bytes.length;
  }

  async flush(): Promise<void> {
    if (this.used > 0) await this.writeAll(this.buffer.subarray(0, this.used));
    this.used = 0;
  }

  private async writeAll(bytes: Uint8Array): Promise<void> {
    let done = 0;
    while (done < bytes.length) {
      const { bytesWritten } = await this.handle.write(bytes, done, bytes.length - done);
      done += bytesWritten;
    }
  }
}

/**
 * Writes `tensors` to `path` (created or replaced). `metadata` defaults to what torch's
 * `save_file` writes (`{"format": "pt"}`). Returns the file's size.
 */
export async function writeSafetensors(
  path: string,
  tensors: readonly TensorToWrite[],
  options: { metadata?: Record<string, string>; onTensor?: (progress: WriteProgress) => void } = {},
): Promise<number> {
  const { head, order, dataBytes } = safetensorsHeader(tensors, options.metadata ?? { format: 'pt' });
  const handle = await open(path, 'w');
  try {
    const out = new BufferedFile(handle);
    await out.write(head);
    let written = 0;
    for (const tensor of order) {
      const expected = tensorBytes(tensor.dtype, tensor.shape);
      let got = 0;
      for (const chunk of tensor.chunks()) {
        got += chunk.length;
        if (got > expected) break;
        await out.write(chunk);
      }
      if (got !== expected) throw new Error(`safetensors: tensor "${tensor.name}" gave ${got > expected ? 'more than' : got} bytes; ${tensor.dtype}[${tensor.shape.join(', ')}] needs ${expected}`);
      written += expected;
      options.onTensor?.({ name: tensor.name, bytesWritten: written, totalBytes: dataBytes });
    }
    await out.flush();
  } finally {
    await handle.close();
  }
  return head.length + dataBytes;
}
