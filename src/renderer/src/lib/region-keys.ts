/**
 * Regions from the keyboard (issue 13 item 14), as editors do it: I sets the region's in point at
 * the play cursor, O its out point. Pure: the current region, the edge, the cursor and the take's
 * length in; the new region out (null when the cursor leaves nothing to select).
 */
export type Region = { start: number; end: number };

/** Shorter than this is no region (the waveform drops such a selection too). */
const MIN_REGION_S = 0.01;

export function regionWithEdge(current: Region | null, edge: 'in' | 'out', cursor: number, duration: number): Region | null {
  const at = Math.min(Math.max(0, cursor), duration);
  // An in point after the current out (or an out before the in) starts afresh from that edge of the take.
  const region = edge === 'in' ? { start: at, end: current && current.end > at ? current.end : duration } : { start: current && current.start < at ? current.start : 0, end: at };
  return region.end - region.start >= MIN_REGION_S ? region : null;
}
