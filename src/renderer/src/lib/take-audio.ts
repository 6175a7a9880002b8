/**
 * Loading a take's audio in the renderer: absolute URLs, a media element that can feed Web Audio
 * when the audio is cross-origin (Electron's media scheme), and the decoded samples for the
 * spectrogram, fetched a couple at a time so a long list doesn't flood the server.
 */
import type { TakeInfo } from '../../../shared/studio/studio-api.ts';
import { decodeWav, type DecodedWav } from './wav-decode.ts';

/** What a waveform view needs of a take or a reference clip; `id` is its player's id in PlaybackState. */
export type WaveSource = Pick<TakeInfo, 'id' | 'audioUrl' | 'peaks' | 'durationS' | 'sampleRate'>;

export function absoluteUrl(url: string): string {
  return new URL(url, location.href).href;
}

/**
 * The <audio> a take plays through. Cross-origin audio asks for CORS so the level meter can read
 * it; if the server refuses, the element falls back to plain playback (no meter) instead of
 * silence. Any other failure goes to `onError`.
 */
export function createTakeMedia(url: string, onError: (message: string) => void): HTMLAudioElement {
  const media = new Audio();
  media.preload = 'auto';
  let retriedWithoutCors = false;
  const crossOrigin = new URL(url).origin !== location.origin && !url.startsWith('blob:');
  if (crossOrigin) media.crossOrigin = 'anonymous';
  media.addEventListener('error', () => {
    if (crossOrigin && !retriedWithoutCors) {
      retriedWithoutCors = true;
      media.dataset.corsFailed = '1';
      media.removeAttribute('crossorigin');
      media.src = url;
      media.load();
      return;
    }
    onError(media.error?.message || 'the audio file could not be played.');
  });
  return media;
}

const MAX_CONCURRENT = 2;
let running = 0;
const waiting: (() => void)[] = [];

async function limited<T>(task: () => Promise<T>): Promise<T> {
  if (running >= MAX_CONCURRENT) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  try {
    return await task();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

/**
 * Decoded takes kept for a card that comes back (scrolled out of the virtual list and in again,
 * folded and opened): a take's file never changes under its URL. Bounded by samples, oldest out.
 */
const DECODED_BUDGET_SAMPLES = 16_000_000;
const decoded = new Map<string, DecodedWav>();
let decodedSamples = 0;

function remember(url: string, wav: DecodedWav): void {
  if (wav.samples.length > DECODED_BUDGET_SAMPLES / 2) return;
  decoded.set(url, wav);
  decodedSamples += wav.samples.length;
  for (const [key, old] of decoded) {
    if (decodedSamples <= DECODED_BUDGET_SAMPLES) break;
    decoded.delete(key);
    decodedSamples -= old.samples.length;
  }
}

/** The take's samples at its own rate (for the spectrogram and RMS). */
export function fetchTakeSamples(url: string, signal: AbortSignal): Promise<DecodedWav> {
  const known = decoded.get(url);
  if (known) {
    // Most recently used last, so eviction takes the oldest.
    decoded.delete(url);
    decoded.set(url, known);
    return Promise.resolve(known);
  }
  return limited(async () => {
    signal.throwIfAborted();
    const response = await fetch(url, { signal });
    if (!response.ok) throw new Error(`The audio could not be loaded (HTTP ${response.status}).`);
    const wav = decodeWav(await response.arrayBuffer());
    remember(url, wav);
    return wav;
  });
}
