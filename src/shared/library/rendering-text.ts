/** How an exported file was rendered from its take, in one line for people (recipe dialog, bext, INFO); pure. */
import type { Rendering } from './recipe.ts';

const FORMAT_TEXT = { pcm16: '16-bit', pcm24: '24-bit', float32: '32-bit float' } as const;

const trim = (n: number, digits: number) => String(Number(n.toFixed(digits)));

/** "region 0.5–1.25 s, 48 kHz 24-bit, peak −1 dBFS, fades 5 / 5 ms". */
export function renderingText(r: Rendering): string {
  const parts: string[] = [];
  if (r.region) parts.push(`region ${trim(r.region.start, 3)}–${trim(r.region.end, 3)} s`);
  if (r.trimSilence) parts.push('silence trimmed');
  parts.push(`${trim(r.sampleRate / 1000, 1)} kHz ${FORMAT_TEXT[r.format]}`);
  const n = r.normalize;
  if (n.kind === 'peak') parts.push(`peak ${trim(n.dbfs, 2).replace('-', '−')} dBFS`);
  if (n.kind === 'loudness') parts.push(`${trim(n.lufs, 2).replace('-', '−')} LUFS`);
  if (r.fadeInMs > 0 || r.fadeOutMs > 0) parts.push(`fades ${trim(r.fadeInMs, 1)} / ${trim(r.fadeOutMs, 1)} ms`);
  return parts.join(', ');
}
