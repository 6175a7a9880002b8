/**
 * Varispeed audition (issue 13 item 15), as sample managers offer it: pitch and speed change
 * together like a tape (the media element's playbackRate with preservesPitch off), and reverse
 * plays a reversed copy of the take through an AudioBufferSourceNode. Preview only: nothing here
 * touches the take or an export.
 */

/** ±1 octave in semitones: enough to audition a sound as bigger or smaller. */
export const VARISPEED_RANGE = 12;

/** Tape-style rate for a pitch shift in semitones: +12 plays twice as fast, an octave up. */
export function rateForSemitones(semitones: number): number {
  return 2 ** (semitones / 12);
}

/** A copy of `channels` played backwards (the region's own samples, when it is given in frames). */
export function reversedChannels(channels: Float32Array[], from = 0, to = channels[0]?.length ?? 0): Float32Array<ArrayBuffer>[] {
  return channels.map((samples) => Float32Array.from(samples.subarray(from, to)).reverse());
}

export class Varispeed {
  semitones = $state(0);
  reverse = $state(false);
  /** What plays reversed right now: the take, its length in frames and the rate (the transport and tests read it). */
  reversedPlaying = $state<{ takeId: string; frames: number; rate: number; firstSample: number } | null>(null);

  private media: HTMLMediaElement | null = null;
  private source: AudioBufferSourceNode | null = null;
  private readonly decoded = new Map<string, Promise<AudioBuffer>>();

  get rate(): number {
    return rateForSemitones(this.semitones);
  }

  setSemitones = (semitones: number): void => {
    this.semitones = Math.max(-VARISPEED_RANGE, Math.min(VARISPEED_RANGE, Math.round(semitones)));
    if (this.media) this.applyTo(this.media);
    if (this.source) {
      this.source.playbackRate.value = this.rate;
      if (this.reversedPlaying) this.reversedPlaying = { ...this.reversedPlaying, rate: this.rate };
    }
  };

  /** Sets the rate on the element that is about to play (and follows it for later changes). */
  applyTo = (media: HTMLMediaElement): void => {
    this.media = media;
    media.preservesPitch = false;
    media.playbackRate = this.rate;
  };

  /**
   * Plays `media`'s audio reversed (`range`: the region, in seconds of the take) into `destination`;
   * `onEnded` runs when it stops by itself. The decoded audio is kept per source URL.
   */
  playReversed = async (
    context: AudioContext,
    destination: AudioNode,
    takeId: string,
    media: HTMLMediaElement,
    options: { range: { start: number; end: number } | null; loop: boolean; onEnded: () => void },
  ): Promise<void> => {
    this.stopReversed();
    const url = media.currentSrc || media.src;
    let decoding = this.decoded.get(url);
    if (!decoding) {
      decoding = fetch(url)
        .then((response) => response.arrayBuffer())
        .then((bytes) => context.decodeAudioData(bytes));
      this.decoded.set(url, decoding);
      decoding.catch(() => this.decoded.delete(url));
    }
    const audio = await decoding;
    const rate = audio.sampleRate;
    const from = options.range ? Math.floor(options.range.start * rate) : 0;
    const to = options.range ? Math.min(audio.length, Math.ceil(options.range.end * rate)) : audio.length;
    const channels = Array.from({ length: audio.numberOfChannels }, (_, c) => audio.getChannelData(c));
    const reversed = reversedChannels(channels, from, to);
    const buffer = context.createBuffer(reversed.length, Math.max(1, reversed[0].length), rate);
    reversed.forEach((samples, c) => buffer.copyToChannel(samples, c));
    const source = context.createBufferSource();
    source.buffer = buffer;
    source.loop = options.loop;
    source.playbackRate.value = this.rate;
    source.connect(destination);
    source.onended = () => {
      if (this.source !== source) return;
      this.source = null;
      this.reversedPlaying = null;
      options.onEnded();
    };
    this.source = source;
    this.reversedPlaying = { takeId, frames: buffer.length, rate: this.rate, firstSample: buffer.getChannelData(0)[0] };
    source.start();
  };

  stopReversed = (): void => {
    const source = this.source;
    this.source = null;
    this.reversedPlaying = null;
    if (!source) return;
    try {
      source.stop();
    } catch {
      // Never started or already stopped: nothing to stop.
    }
    source.disconnect();
  };
}
