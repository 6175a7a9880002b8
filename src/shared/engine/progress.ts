/** Where a generation is, in the order the paper describes the pipeline. */
export type Stage = 'load' | 'encode' | 'loa' | 'denoise' | 'decode' | 'vocode' | 'rank';

export interface Progress {
  stage: Stage;
  /** 1-based take being worked on (0 before the first take starts). */
  take: number;
  takes: number;
  /** Denoising step within the current take (0 outside 'denoise'). */
  step: number;
  steps: number;
  /** 0..1 over the whole job. */
  fraction: number;
  /** Milliseconds left, estimated from measured stage times; null until there is something to measure. */
  etaMs: number | null;
  elapsedMs: number;
}

/**
 * Estimates the job's fraction done and time left from measured work units.
 * Units: one per denoising step, plus `fixedUnitsPerTake` for decode+vocode, plus one for encoding.
 * The ETA scales elapsed time by what is left; it only speaks once a denoising step was measured,
 * so the first (slowest, cache-cold) stages don't produce wild numbers.
 */
export class ProgressClock {
  private readonly started: number;
  private readonly totalUnits: number;
  private doneUnits = 0;
  private measuredStep = false;

  constructor(
    private readonly takes: number,
    private readonly steps: number,
    private readonly now: () => number = () => performance.now(),
    private readonly fixedUnitsPerTake = 2,
  ) {
    this.started = now();
    this.totalUnits = 1 + takes * (steps + fixedUnitsPerTake);
  }

  /** Marks `units` of work done and returns a progress snapshot. */
  advance(units: number, stage: Stage, take: number, step: number): Progress {
    this.doneUnits = Math.min(this.totalUnits, this.doneUnits + units);
    if (stage === 'denoise' && step > 0) this.measuredStep = true;
    return this.snapshot(stage, take, step);
  }

  snapshot(stage: Stage, take: number, step: number): Progress {
    const elapsedMs = this.now() - this.started;
    const fraction = this.doneUnits / this.totalUnits;
    const etaMs = this.measuredStep && fraction > 0 ? (elapsedMs / fraction) * (1 - fraction) : null;
    return { stage, take, takes: this.takes, step, steps: this.steps, fraction, etaMs, elapsedMs };
  }
}
