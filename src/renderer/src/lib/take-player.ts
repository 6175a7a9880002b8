/**
 * A take's player without a waveform view: a plain <audio> registered with the one playback
 * owner, so a row (or a grid cell) auditions like a full card. Returns the teardown.
 */
import type { TakeInfo } from '../../../shared/studio/studio-api.ts';
import type { PlaybackState } from '../state/playback.svelte.ts';
import { absoluteUrl, createTakeMedia } from './take-audio.ts';

export function mountTakePlayer(
  root: HTMLElement,
  take: Pick<TakeInfo, 'id' | 'audioUrl' | 'durationS'>,
  playback: PlaybackState,
  options: {
    playerId?: string;
    testid: string;
    onError: (message: string) => void;
    /** 'metadata' (the default) for the selection's player, which ↑/↓ remakes fast; 'auto' where every take on show is a click from playing (the variation grid). */
    preload?: 'metadata' | 'auto';
  },
): () => void {
  const id = options.playerId ?? take.id;
  const url = absoluteUrl(take.audioUrl);
  const media = createTakeMedia(url, options.onError);
  media.preload = options.preload ?? 'metadata';
  media.src = url;
  media.dataset.testid = options.testid;
  media.dataset.takeId = take.id;
  root.appendChild(media);
  const unregister = playback.register({
    takeId: id,
    media,
    duration: () => (Number.isFinite(media.duration) ? media.duration : take.durationS),
    currentTime: () => media.currentTime,
    seekTo: (seconds) => (media.currentTime = seconds),
    play: () => media.play(),
    pause: () => media.pause(),
  });
  const onTime = () => playback.tick(id, media.currentTime);
  const onEnded = () => playback.finished(id);
  const onPause = () => playback.paused(id);
  media.addEventListener('timeupdate', onTime);
  media.addEventListener('ended', onEnded);
  media.addEventListener('pause', onPause);
  return () => {
    media.removeEventListener('timeupdate', onTime);
    media.removeEventListener('ended', onEnded);
    media.removeEventListener('pause', onPause);
    unregister();
    media.removeAttribute('src');
    media.load();
    media.remove();
  };
}
