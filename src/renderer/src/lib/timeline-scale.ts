/**
 * Timeline tick and label spacing for a zoom level: labels at a "nice" interval at least ~64 px
 * apart, ticks a few times denser (wavesurfer's defaults only label every 5–10 s, which leaves a
 * 2-second take with a single "0").
 */
const NICE_SECONDS = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600];

export interface TimelineScale {
  /** Seconds between ticks. */
  tick: number;
  /** Seconds between labels. */
  label: number;
}

export function timelineScale(pxPerSec: number, minLabelPx = 64, minTickPx = 12): TimelineScale {
  const px = pxPerSec > 0 && Number.isFinite(pxPerSec) ? pxPerSec : 100;
  const label = NICE_SECONDS.find((s) => s * px >= minLabelPx) ?? NICE_SECONDS[NICE_SECONDS.length - 1];
  const tick = [10, 5, 4, 2, 1].map((n) => label / n).find((t) => t * px >= minTickPx && Math.abs(Math.round(t * 100) - t * 100) < 1e-9) ?? label;
  return { tick, label };
}

/** `0`, `0.5s`, `12s`, `1:05` — short, for the timeline. */
export function formatTimelineLabel(seconds: number, label: number): string {
  if (seconds === 0) return '0';
  if (seconds >= 60) {
    const m = Math.floor(seconds / 60);
    const s = Math.round(seconds - m * 60);
    return `${m}:${String(s).padStart(2, '0')}`;
  }
  const decimals = label < 0.1 ? 2 : label < 1 ? 1 : 0;
  return `${seconds.toFixed(decimals)}s`;
}

export interface TimelineTick {
  /** Seconds. */
  at: number;
  /** Null for a minor tick. */
  label: string | null;
}

/** The ticks of a clip's timeline at a scale, labels on multiples of `scale.label`; pure. */
export function timelineTicks(duration: number, scale: TimelineScale): TimelineTick[] {
  const ticks: TimelineTick[] = [];
  if (!(duration > 0) || !(scale.tick > 0)) return ticks;
  const perLabel = Math.max(1, Math.round(scale.label / scale.tick));
  for (let i = 0; i * scale.tick < duration; i++) {
    // Counted in ticks, not summed, so 0.1 + 0.1 + … never drifts off a label.
    const at = Math.round(i * scale.tick * 1e6) / 1e6;
    ticks.push({ at, label: i % perLabel === 0 ? formatTimelineLabel(at, scale.label) : null });
  }
  return ticks;
}
