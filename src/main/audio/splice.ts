// Joining reference audio and generated audio without clicks. Equal-power curves keep the summed
// power constant across a fade between uncorrelated signals (cos² + sin² = 1), which is what a
// generated stretch is to the original. Pure functions; inputs are never modified.

/** Fade-out and fade-in gains for n samples, sampled at bin centres so neither end is exactly 0 or 1. */
export function equalPowerCurves(n: number): { fadeOut: Float32Array; fadeIn: Float32Array } {
  const fadeOut = new Float32Array(n);
  const fadeIn = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const x = ((i + 0.5) / n) * (Math.PI / 2);
    fadeOut[i] = Math.cos(x);
    fadeIn[i] = Math.sin(x);
  }
  return { fadeOut, fadeIn };
}

/**
 * Continuation: the reference, then `newSamples` of generated audio. `generated` is a timeline
 * whose sample `seam` lines up with the reference's last sample + 1 (it holds the re-synthesised
 * context before the seam). The reference stays bit-identical up to the last `fade` samples,
 * which crossfade into the generated audio; length = reference + newSamples.
 */
export function appendContinuation(reference: Float32Array, generated: Float32Array, seam: number, newSamples: number, fade: number): Float32Array {
  const f = Math.min(fade, reference.length, seam);
  if (seam + newSamples > generated.length) {
    throw new RangeError(`appendContinuation: generated audio has ${generated.length} samples, needs ${seam + newSamples}`);
  }
  const out = new Float32Array(reference.length + newSamples);
  out.set(reference);
  const { fadeOut, fadeIn } = equalPowerCurves(f);
  const r0 = reference.length - f;
  const g0 = seam - f;
  for (let i = 0; i < f; i++) out[r0 + i] = reference[r0 + i] * fadeOut[i] + generated[g0 + i] * fadeIn[i];
  out.set(generated.subarray(seam, seam + newSamples), reference.length);
  return out;
}

/**
 * Replaces [from, to) of `base` with the same span of `replacement` (same timeline, same length),
 * fading in over the first `fade` samples of the span and out over its last; everything outside
 * [from, to) is bit-identical to `base`. The fades shrink to fit short spans.
 */
export function replaceSpan(base: Float32Array, replacement: Float32Array, from: number, to: number, fade: number): Float32Array {
  if (replacement.length !== base.length) throw new RangeError(`replaceSpan: lengths differ (${base.length} vs ${replacement.length})`);
  if (!(Number.isInteger(from) && Number.isInteger(to) && from >= 0 && to <= base.length && from < to)) {
    throw new RangeError(`replaceSpan: bad span [${from}, ${to}) for ${base.length} samples`);
  }
  const f = Math.min(fade, Math.floor((to - from) / 2));
  const out = base.slice();
  out.set(replacement.subarray(from, to), from);
  const { fadeOut, fadeIn } = equalPowerCurves(f);
  for (let i = 0; i < f; i++) {
    const a = from + i;
    out[a] = base[a] * fadeOut[i] + replacement[a] * fadeIn[i];
    const b = to - f + i;
    out[b] = replacement[b] * fadeOut[i] + base[b] * fadeIn[i];
  }
  return out;
}

/** Circular shift left by `by` samples: out[i] = x[(i + by) mod n]. */
export function rotate(x: Float32Array, by: number): Float32Array {
  const n = x.length;
  const k = ((by % n) + n) % n;
  const out = new Float32Array(n);
  out.set(x.subarray(k));
  out.set(x.subarray(0, k), n - k);
  return out;
}
