/** How an exported file was rendered from its take, in one line for people (recipe dialog, bext, INFO); pure. */
import type { Rendering, RenderResult } from './recipe.ts';

const FORMAT_TEXT = { pcm16: '16-bit', pcm24: '24-bit', float32: '32-bit float' } as const;

const trim = (n: number, digits: number) => String(Number(n.toFixed(digits)));
/** A level with a true minus sign: "−23", "−36.8". */
const level = (n: number, digits: number) => trim(n, digits).replace('-', '−');

/**
 * "region 0.5–1.25 s, 48 kHz 24-bit, peak −1 dBFS, fades 5 / 5 ms", and when the file recorded
 * what it reached: "…; reached −36.8 LUFS, peak −1 dBFS; loudness target not reached: the −1 dBFS
 * peak ceiling limited the gain". Typographic dashes and minus signs: metadata that must be ASCII
 * (bext, INFO) folds them (wav-metadata's toBextAscii).
 */
export function renderingText(r: Rendering): string {
  const parts: string[] = [];
  if (r.region) parts.push(`region ${trim(r.region.start, 3)}–${trim(r.region.end, 3)} s`);
  if (r.trimSilence) parts.push('silence trimmed');
  if (r.loop) parts.push('seamless loop');
  if (r.highPass) parts.push('DC removed, high-pass 30 Hz');
  parts.push(`${trim(r.sampleRate / 1000, 1)} kHz ${FORMAT_TEXT[r.format]}`);
  const n = r.normalize;
  if (n.kind === 'peak') parts.push(`peak ${level(n.dbfs, 2)} dBFS`);
  if (n.kind === 'loudness') parts.push(`${level(n.lufs, 2)} LUFS`);
  if (r.fadeInMs > 0 || r.fadeOutMs > 0) parts.push(`fades ${trim(r.fadeInMs, 1)} / ${trim(r.fadeOutMs, 1)} ms`);
  else if (r.loop) parts.push('no fades');
  const text = parts.join(', ');
  return r.result ? `${text}; ${resultText(r.result)}` : text;
}

/**
 * What an export reached, for people: "reached −23 LUFS, peak −4.2 dBFS", plus, when a loudness
 * target lost to the peak ceiling, "loudness target not reached: the −1 dBFS peak ceiling limited
 * the gain". Silence: "silent".
 */
export function resultText(result: RenderResult): string {
  if (result.lufs === null && result.peakDbfs === null) return 'silent';
  const reached = [result.lufs === null ? 'too short or quiet to measure LUFS' : `${level(result.lufs, 1)} LUFS`, result.peakDbfs === null ? null : `peak ${level(result.peakDbfs, 1)} dBFS`].filter(
    (p) => p !== null,
  );
  const text = `reached ${reached.join(', ')}`;
  return result.limited ? `${text}; loudness target not reached: the ${level(result.ceilingDbfs, 1)} dBFS peak ceiling limited the gain` : text;
}
