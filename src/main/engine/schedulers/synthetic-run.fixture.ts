// docs/engine-spec.md §8.4 harness, shared by the sampler specs: a fake "model" ε(x, t) driven through every
// timestep from x_T. Not a spec itself (no tests here).
import type { Scheduler } from './scheduler.ts';

export type FakeModel = (x: number, t: number) => number;

export const EPS_MODELS: Record<'zero' | 'half' | 'halfPlusT', FakeModel> = {
  zero: () => 0,
  half: (x) => 0.5 * x,
  halfPlusT: (x, t) => 0.5 * x + 0.001 * t,
};

export function runSynthetic(scheduler: Scheduler, steps: number, model: FakeModel, xT: Float32Array): Float32Array {
  scheduler.setTimesteps(steps);
  let x = xT;
  for (const t of scheduler.timesteps) {
    const eps = Float32Array.from(x, (v) => model(v, t));
    x = scheduler.step(eps, t, x);
  }
  return x;
}

/** |a − b| / |b| */
export const rel = (a: number, b: number): number => Math.abs(a - b) / Math.abs(b);
