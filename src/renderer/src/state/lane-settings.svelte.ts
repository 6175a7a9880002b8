/** The reference lane's own controls: continue length, crossfade, strength, grid, loop seam. */
import { DEFAULT_LANE, gridSize, type LaneSettings } from '../lib/transform-request.ts';

export class LaneSettingsState implements LaneSettings {
  continueSeconds = $state(DEFAULT_LANE.continueSeconds);
  crossfadeMs = $state(DEFAULT_LANE.crossfadeMs);
  strength = $state(DEFAULT_LANE.strength);
  grid = $state(DEFAULT_LANE.grid);
  gridStrengths = $state(DEFAULT_LANE.gridStrengths);
  gridSeeds = $state(DEFAULT_LANE.gridSeeds);
  loopSeam = $state(DEFAULT_LANE.loopSeam);

  /** "3 × 4 = 12 takes" while the strengths parse. */
  size = $derived(gridSize(this));

  values = (): LaneSettings => ({
    continueSeconds: this.continueSeconds,
    crossfadeMs: this.crossfadeMs,
    strength: this.strength,
    grid: this.grid,
    gridStrengths: this.gridStrengths,
    gridSeeds: this.gridSeeds,
    loopSeam: this.loopSeam,
  });
}
