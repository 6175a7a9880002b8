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
