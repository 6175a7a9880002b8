// Timestep grids of diffusers' DDIMScheduler and DPMSolverMultistepScheduler `set_timesteps`
// (docs/engine-spec.md §3.2, §3.3). Both are descending integer lists; "leading" with steps_offset 1 is what the
// AudioLDM 2 hub config selects.
import { arangeFloat, linspace, roundHalfEven } from './numpy-compat.ts';
import type { TimestepSpacing } from './scheduler-config.ts';

function checkSteps(steps: number, max: number, who: string): void {
  if (!Number.isInteger(steps) || steps < 1 || steps > max) {
    throw new RangeError(`${who}: steps must be an integer in 1..${max}, got ${String(steps)}`);
  }
}

/**
 * round(arange(T, 0, −T/n)) − 1, cut to n entries: for some n (61, 103, 121, …) NumPy's float
 * arange yields one extra ≈0 entry, so diffusers would run n+1 steps ending at t = −1. We keep n.
 */
function trailing(steps: number, numTrain: number): number[] {
  return Array.from(arangeFloat(numTrain, 0, -numTrain / steps).subarray(0, steps), (v) => roundHalfEven(v) - 1);
}

/** diffusers DDIMScheduler.set_timesteps. */
export function ddimTimesteps(steps: number, numTrain: number, spacing: TimestepSpacing, stepsOffset: number): number[] {
  checkSteps(steps, numTrain, 'DDIM');
  switch (spacing) {
    case 'leading': {
      // (arange(n) · (T // n))[::-1] + steps_offset
      const ratio = Math.floor(numTrain / steps);
      return Array.from({ length: steps }, (_, k) => (steps - 1 - k) * ratio + stepsOffset);
    }
    case 'trailing':
      // round(arange(T, 0, −T/n)) − 1
      return trailing(steps, numTrain);
    case 'linspace':
      // linspace(0, T−1, n).round()[::-1]
      return Array.from(linspace(0, numTrain - 1, steps), roundHalfEven).reverse();
  }
}

/**
 * diffusers DPMSolverMultistepScheduler.set_timesteps (no Karras/λ clipping, so the last usable
 * timestep is T). Note the n+1 grid for leading/linspace: n=20 starts at 941, not 951.
 */
export function dpmTimesteps(steps: number, numTrain: number, spacing: TimestepSpacing, stepsOffset: number): number[] {
  // leading needs T // (n+1) ≥ 1, otherwise every timestep collapses onto steps_offset.
  checkSteps(steps, numTrain - 1, 'DPM-Solver++');
  switch (spacing) {
    case 'leading': {
      // (arange(n+1) · (T // (n+1))).round()[::-1][:-1] + steps_offset
      const ratio = Math.floor(numTrain / (steps + 1));
      return Array.from({ length: steps }, (_, k) => (steps - k) * ratio + stepsOffset);
    }
    case 'trailing':
      return trailing(steps, numTrain);
    case 'linspace':
      return Array.from(linspace(0, numTrain - 1, steps + 1), roundHalfEven)
        .reverse()
        .slice(0, steps);
  }
}
