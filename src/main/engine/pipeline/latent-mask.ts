// Latent-space masks for inpainting and outpainting (docs/engine-spec.md §5.2): per latent frame, 1 = keep the
// reference, 0 = generate. Latents are [channels, frames, freq], channel-major.

export interface LatentShape {
  channels: number;
  frames: number;
  freq: number;
}

/** Frames to keep: true where `keep(frame)` says so. */
export function frameMask(frames: number, keep: (frame: number) => boolean): Uint8Array {
  const mask = new Uint8Array(frames);
  for (let t = 0; t < frames; t++) mask[t] = keep(t) ? 1 : 0;
  return mask;
}

/** x ← m·known + (1 − m)·x, as a new array. */
export function pasteKnown(x: Float32Array, known: Float32Array, mask: Uint8Array, shape: LatentShape): Float32Array {
  const { channels, frames, freq } = shape;
  if (x.length !== channels * frames * freq || known.length !== x.length || mask.length !== frames) {
    throw new RangeError(`pasteKnown: shapes disagree (x ${x.length}, known ${known.length}, mask ${mask.length}, ${channels}×${frames}×${freq})`);
  }
  const out = x.slice();
  for (let c = 0; c < channels; c++) {
    for (let t = 0; t < frames; t++) {
      if (!mask[t]) continue;
      const at = (c * frames + t) * freq;
      out.set(known.subarray(at, at + freq), at);
    }
  }
  return out;
}

/**
 * RePaint's step back up the chain: from x at the previous timestep (ᾱ_prev) to timestep t (ᾱ_t):
 * √(ᾱ_t/ᾱ_prev)·x + √(1 − ᾱ_t/ᾱ_prev)·ε.
 */
export function renoise(x: Float32Array, noise: Float32Array, alphaProdT: number, alphaProdPrev: number): Float32Array {
  const ratio = alphaProdT / alphaProdPrev;
  const a = Math.sqrt(ratio);
  const s = Math.sqrt(Math.max(0, 1 - ratio));
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = a * x[i] + s * noise[i];
  return out;
}
