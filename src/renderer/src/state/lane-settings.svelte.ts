/** The reference lane's own controls: steps, guidance, takes, seed, continue length, crossfade, strength, grid, loop seam. */
import type { TransformOp } from '../../../shared/engine/transform-params.ts';
import { DEFAULT_LANE, gridSize, LANE_FIELDS_OF, laneProblems, type LaneSettings } from '../lib/transform-request.ts';

export class LaneSettingsState implements LaneSettings {
  steps = $state(DEFAULT_LANE.steps);
  guidance = $state(DEFAULT_LANE.guidance);
  takes = $state(DEFAULT_LANE.takes);
  seed = $state(DEFAULT_LANE.seed);
  continueSeconds = $state(DEFAULT_LANE.continueSeconds);
  crossfadeMs = $state(DEFAULT_LANE.crossfadeMs);
  strength = $state(DEFAULT_LANE.strength);
  grid = $state(DEFAULT_LANE.grid);
  gridStrengths = $state(DEFAULT_LANE.gridStrengths);
  gridSeeds = $state(DEFAULT_LANE.gridSeeds);
  loopSeam = $state(DEFAULT_LANE.loopSeam);
  /** The seed the lane's last job started from (shown while the seed field is empty: random). */
  lastSeed = $state<number | null>(null);

  /** "3 × 4 = 12 takes" while the strengths parse. */
  size = $derived(gridSize(this));
  /** Out-of-range fields, by field: shown beside them, and their operations wait. */
  problems = $derived(laneProblems(this));

  /** The first problem among the fields `op` reads, or null when it can run as shown. */
  problemFor = (op: TransformOp): string | null => LANE_FIELDS_OF[op].map((field) => this.problems[field]).find(Boolean) ?? null;

  values = (): LaneSettings => ({
    steps: this.steps,
    guidance: this.guidance,
    takes: this.takes,
    seed: this.seed,
    continueSeconds: this.continueSeconds,
    crossfadeMs: this.crossfadeMs,
    strength: this.strength,
    grid: this.grid,
    gridStrengths: this.gridStrengths,
    gridSeeds: this.gridSeeds,
    loopSeam: this.loopSeam,
  });
}
