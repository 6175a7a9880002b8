/** Small batch-axis helpers on flat row-major arrays; the batch is always the leading axis. */

export function concatRows<T extends Float32Array | BigInt64Array>(parts: readonly T[]): T {
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new (parts[0].constructor as new (n: number) => T)(total);
  let offset = 0;
  for (const p of parts) {
    (out as Float32Array).set(p as Float32Array, offset);
    offset += p.length;
  }
  return out;
}

/** Row `index` of a batch of `batch` equal rows. */
export function row<T extends Float32Array | BigInt64Array>(data: T, batch: number, index: number): T {
  const size = data.length / batch;
  return data.slice(index * size, (index + 1) * size) as T;
}

/** Classifier-free guidance on a [negative; positive] batch: u + g·(c − u). */
export function applyGuidance(prediction: Float32Array, guidance: number): Float32Array {
  const half = prediction.length / 2;
  const out = new Float32Array(half);
  for (let i = 0; i < half; i++) {
    const u = prediction[i];
    out[i] = u + guidance * (prediction[half + i] - u);
  }
  return out;
}

export function scale(data: Float32Array, factor: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = data[i] * factor;
  return out;
}

export function onesInt64(n: number): BigInt64Array {
  return new BigInt64Array(n).fill(1n);
}
