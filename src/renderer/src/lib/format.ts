/** Display formatting shared by the components; pure, no DOM. */

/** `3.2 s`, `1:05.4` — a position or a length on the timeline. */
export function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '–';
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const minutes = Math.floor(seconds / 60);
  const rest = seconds - minutes * 60;
  return `${minutes}:${rest.toFixed(1).padStart(4, '0')}`;
}

/** A playhead clock, `0:03.25`. */
export function formatClock(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) seconds = 0;
  const minutes = Math.floor(seconds / 60);
  const rest = seconds - minutes * 60;
  return `${minutes}:${rest.toFixed(2).padStart(5, '0')}`;
}

/** Time left, rounded the way a person reads it: `ETA 12 s`, `ETA 2 m 05 s`; `ETA –` while unknown. */
export function formatEta(etaMs: number | null): string {
  if (etaMs === null || !Number.isFinite(etaMs)) return 'ETA –';
  const seconds = Math.max(0, Math.round(etaMs / 1000));
  if (seconds < 60) return `ETA ${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  return `ETA ${minutes} m ${String(seconds % 60).padStart(2, '0')} s`;
}

export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '–';
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GB`;
}

export function formatDb(db: number): string {
  if (!Number.isFinite(db)) return '−∞';
  const rounded = Math.round(db * 10) / 10;
  return `${rounded > 0 ? '+' : rounded < 0 ? '−' : ''}${Math.abs(rounded).toFixed(1)}`;
}

export function formatKhz(sampleRate: number): string {
  const khz = sampleRate / 1000;
  return `${Number.isInteger(khz) ? khz.toFixed(0) : khz.toFixed(1)} kHz`;
}

export const STAGE_LABELS: Record<string, string> = {
  load: 'Loading model',
  encode: 'Encoding prompt',
  loa: 'Language of audio',
  denoise: 'Denoising',
  decode: 'Decoding',
  vocode: 'Vocoding',
  rank: 'Ranking takes',
};

/** The last `segments` parts of a path, `…/Exports/take.wav`; the full path belongs in a tooltip. */
export function shortPath(path: string, segments = 2): string {
  const parts = path.split(/[\\/]/).filter(Boolean);
  if (parts.length <= segments) return path;
  return `…/${parts.slice(-segments).join('/')}`;
}
