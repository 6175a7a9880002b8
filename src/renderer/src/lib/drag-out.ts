/**
 * Browser mode's drag-out pieces that are plain functions: a fresh download id (the dragged URL's
 * only secret, so the session token never leaves the page) and the name the dropped file gets.
 */

/** 16 random bytes as base64url: 22 characters, as the server's DOWNLOAD_ID_PATTERN expects. */
export function newDownloadId(random: (bytes: Uint8Array) => Uint8Array = (b) => crypto.getRandomValues(b)): string {
  const bytes = random(new Uint8Array(16));
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * `glass-shattering-on-concrete_1234.wav` (with `_0.50-1.25s` for a region): the prompt's ASCII
 * words, at most 48 characters, and the seed. No ':' ever (it separates DownloadURL's fields).
 */
export function dragFileName(prompt: string, seed: number, region?: { start: number; end: number } | null): string {
  const words = prompt
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w !== '');
  let slug = '';
  for (const word of words) {
    const next = slug ? `${slug}-${word}` : word;
    if (next.length > 48) break;
    slug = next;
  }
  const span = region ? `_${region.start.toFixed(2)}-${region.end.toFixed(2)}s` : '';
  return `${slug || 'take'}_${seed}${span}.wav`;
}

/** What Chromium reads to drag a download out to the desktop or a DAW: `mime:name:url`. */
export function downloadUrlData(name: string, url: string): string {
  return `audio/wav:${name.replace(/:/g, '-')}:${url}`;
}
