// Elementwise helpers shared by the samplers.

export function checkSameLength(a: Float32Array, b: Float32Array, what: string): void {
  if (a.length !== b.length) {
    throw new RangeError(`${what} has ${a.length} values but the sample has ${b.length}`);
  }
}

export function checkTimestep(t: number, numTrain: number, who: string): void {
  if (!Number.isInteger(t) || t < 0 || t >= numTrain) {
    throw new RangeError(`${who}: timestep must be an integer in 0..${numTrain - 1}, got ${String(t)}`);
  }
}

/** Forward diffusion q(x_t | x0) = √ā·x0 + √(1−ā)·noise (DDPM eq. 4; diffusers add_noise). */
export function addNoiseAt(x0: Float32Array, noise: Float32Array, alphaCumprod: number): Float32Array {
  checkSameLength(noise, x0, 'addNoise: noise');
  const a = Math.sqrt(alphaCumprod);
  const s = Math.sqrt(1 - alphaCumprod);
  const out = new Float32Array(x0.length);
  for (let i = 0; i < x0.length; i++) out[i] = a * x0[i] + s * noise[i];
  return out;
}
