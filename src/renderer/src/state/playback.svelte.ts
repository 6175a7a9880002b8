/**
 * The one playback owner: every take's player registers here, and starting one stops the
 * others (docs/ux-conventions.md §2: two previews never overlap). Owns the Web Audio graph — one
 * MediaElementSource and gain per take, a master gain (preview volume), an AnalyserNode for the
 * level meter — and the loop / play-the-selection logic.
 */
import { dbToGain, meterReading } from '../lib/levels.ts';
import { PREFERENCE_KEYS, readPreference, writePreference } from '../lib/preferences.ts';
import type { Region } from './takes.svelte.ts';
import { Varispeed } from './varispeed.svelte.ts';

/** What a take card's waveform gives the owner to drive its audio. */
export interface PlayerHandle {
  readonly takeId: string;
  readonly media: HTMLMediaElement;
  duration(): number;
  currentTime(): number;
  seekTo(seconds: number): void;
  play(): Promise<void>;
  pause(): void;
}

interface Route {
  source: MediaElementAudioSourceNode;
  gain: GainNode;
}

/** Clip LED: anything this close to full scale lights it, and it stays lit this long. */
const CLIP_DB = -0.1;
const CLIP_HOLD_MS = 1500;
/** Peak meter fall-back, dB per second (a PPM-like release). */
const PEAK_RELEASE_DB_PER_S = 24;

export function canRouteThroughWebAudio(media: HTMLMediaElement, pageOrigin: string): boolean {
  const src = media.currentSrc || media.src;
  if (!src || media.dataset.corsFailed === '1') return false;
  try {
    const url = new URL(src, pageOrigin);
    if (url.protocol === 'blob:' || url.protocol === 'data:') return true;
    return url.origin === pageOrigin || media.crossOrigin === 'anonymous';
  } catch {
    return false;
  }
}

export class PlaybackState {
  playingId = $state<string | null>(null);
  /** The take the transport shows (playing, or the last one played) and its playhead. */
  currentId = $state<string | null>(null);
  position = $state(0);
  loop = $state(false);
  /** Play-on-select: ↑/↓ (and a click on a row) audition each take as it is selected, as sample managers do. */
  get autoPlay(): boolean {
    return this.autoPlayOn;
  }
  set autoPlay(on: boolean) {
    this.autoPlayOn = on;
    writePreference(PREFERENCE_KEYS.autoPlay, on);
  }
  private autoPlayOn = $state(readPreference(PREFERENCE_KEYS.autoPlay, true, [true, false]));
  volumeDb = $state(0);
  peakDb = $state(-Infinity);
  rmsDb = $state(-Infinity);
  clip = $state(false);
  /** False when the audio could not be routed through Web Audio (no meter, no gain above 0 dB). */
  meterAvailable = $state(true);
  /** The selection being played, if playback is confined to one. */
  range = $state<Region | null>(null);

  /** Pitch/rate and reverse audition (the transport's varispeed controls). */
  readonly varispeed = new Varispeed();
  private readonly players = new Map<string, PlayerHandle>();
  private context: AudioContext | null = null;
  private master: GainNode | null = null;
  private analyser: AnalyserNode | null = null;
  private readonly routes = new Map<HTMLMediaElement, Route>();
  private startedFrom = 0;
  /** Bumped by every play and stop: a play still starting when a newer one (or a stop) comes must not win. */
  private playToken = 0;
  /** What the latest play or stop asked for: a take's id, or null. */
  private wanted: string | null = null;
  private meterFrame = 0;
  private meterLastTs = 0;
  private clipTimer: ReturnType<typeof setTimeout> | null = null;
  private meterBlock: Float32Array<ArrayBuffer> | null = null;

  constructor(
    private readonly regionOf: (takeId: string) => Region | null,
    private readonly gainFor: (takeId: string) => number = () => 1,
    /** Seamless-loop takes always loop when played whole (their point is the wrap-around). */
    private readonly loopsWhole: (takeId: string) => boolean = () => false,
  ) {}

  /** Whether the take repeats when it plays without a selection. */
  loops = (takeId: string): boolean => this.loop || this.loopsWhole(takeId);

  register = (handle: PlayerHandle): (() => void) => {
    this.players.set(handle.takeId, handle);
    return () => {
      if (this.players.get(handle.takeId) !== handle) return;
      handle.pause();
      this.players.delete(handle.takeId);
      const route = this.routes.get(handle.media);
      if (route) {
        route.source.disconnect();
        route.gain.disconnect();
        this.routes.delete(handle.media);
      }
      if (this.playingId === handle.takeId) this.playingId = null;
    };
  };

  has = (takeId: string): boolean => this.players.has(takeId);

  /**
   * Plays a take. With no `from`, it plays the take's selection when there is one, else from the
   * cursor. A `from` outside the selection plays the whole take from there.
   */
  play = async (takeId: string, options: { from?: number; range?: Region | null } = {}): Promise<void> => {
    const handle = this.players.get(takeId);
    if (!handle) return;
    const token = ++this.playToken;
    this.wanted = takeId;
    for (const [id, other] of this.players) if (id !== takeId) other.pause();
    this.varispeed.stopReversed();

    const selection = options.range !== undefined ? options.range : this.regionOf(takeId);
    let range = selection && selection.end - selection.start > 0.01 ? selection : null;
    const duration = handle.duration();
    let from = options.from ?? (range ? range.start : handle.currentTime());
    if (range && options.from !== undefined && (from < range.start || from >= range.end)) range = null;
    if (range && options.from === undefined && (from < range.start || from >= range.end)) from = range.start;
    if (!range && from >= duration - 0.02) from = 0;

    this.range = range;
    this.startedFrom = from;
    this.currentId = takeId;
    this.position = from;
    handle.media.loop = this.loops(takeId) && !range;
    handle.seekTo(from);
    this.route(handle);
    this.applyGain(takeId);
    this.varispeed.applyTo(handle.media);
    if (this.varispeed.reverse) {
      await this.playReversed(takeId, handle, range, token);
      return;
    }
    try {
      if (this.context?.state === 'suspended') await this.context.resume();
      await handle.play();
      // Esc (or another take) while the audio was still loading: that came later, so it wins.
      if (token !== this.playToken) {
        if (this.wanted !== takeId) handle.pause();
        return;
      }
      this.playingId = takeId;
      this.startMeter();
    } catch (error) {
      // A play() interrupted by a newer pause() is not an error worth showing.
      if ((error as { name?: string }).name !== 'AbortError') throw error;
    }
  };

  /** Reverse audition: the take (or region) backwards through Web Audio, at the varispeed rate, with the take's A/B gain. */
  private async playReversed(takeId: string, handle: PlayerHandle, range: Region | null, token: number): Promise<void> {
    handle.pause();
    const destination = this.routes.get(handle.media)?.gain ?? this.master;
    if (!this.context || !destination) throw new Error('Reverse preview needs Web Audio, which this take cannot use here.');
    if (this.context.state === 'suspended') await this.context.resume();
    const loop = this.loop || (!range && this.loopsWhole(takeId));
    const onEnded = () => {
      if (this.playingId !== takeId) return;
      this.playingId = null;
      this.resetMeter();
    };
    await this.varispeed.playReversed(this.context, destination, takeId, handle.media, { range, loop, onEnded });
    if (token !== this.playToken) {
      this.varispeed.stopReversed();
      return;
    }
    this.playingId = takeId;
    this.startMeter();
  }

  /** Space: stop if this take is playing (back to where it started), else play it. */
  toggle = async (takeId: string): Promise<void> => {
    if (this.playingId === takeId) this.stop();
    else await this.play(takeId);
  };

  /** Stops and puts the cursor back where playback started (the DAW "return to start" habit). */
  stop = (): void => {
    this.playToken++;
    this.wanted = null;
    const id = this.playingId;
    for (const player of this.players.values()) player.pause();
    this.varispeed.stopReversed();
    this.playingId = null;
    if (id) {
      const handle = this.players.get(id);
      handle?.seekTo(this.startedFrom);
      this.position = this.startedFrom;
    }
    this.resetMeter();
  };

  /** Esc: nothing plays afterwards. */
  stopAll = (): void => {
    this.stop();
  };

  seekBy = (takeId: string, seconds: number): void => {
    const handle = this.players.get(takeId);
    if (!handle) return;
    this.seekTo(takeId, handle.currentTime() + seconds);
  };

  seekEdge = (takeId: string, edge: 'start' | 'end'): void => {
    const handle = this.players.get(takeId);
    if (!handle) return;
    const region = this.regionOf(takeId);
    if (edge === 'start') this.seekTo(takeId, region ? region.start : 0);
    else this.seekTo(takeId, region ? region.end : Math.max(0, handle.duration() - 0.05));
  };

  seekTo = (takeId: string, seconds: number): void => {
    const handle = this.players.get(takeId);
    if (!handle) return;
    const t = Math.min(Math.max(0, seconds), handle.duration());
    handle.seekTo(t);
    this.currentId = takeId;
    this.position = t;
    if (this.playingId !== takeId) this.startedFrom = t;
    else if (this.range && (t < this.range.start || t >= this.range.end)) {
      this.range = null;
      handle.media.loop = this.loops(takeId);
    }
  };

  toggleLoop = (): void => {
    this.loop = !this.loop;
    const handle = this.playingId ? this.players.get(this.playingId) : null;
    if (handle) handle.media.loop = this.loops(this.playingId!) && !this.range;
  };

  /** Called by a player as its playhead moves. */
  tick = (takeId: string, time: number): void => {
    if (takeId !== this.playingId) return;
    this.position = time;
    const range = this.range;
    if (!range || time < range.end) return;
    const handle = this.players.get(takeId);
    if (!handle) return;
    if (this.loop) {
      handle.seekTo(range.start);
    } else {
      handle.pause();
      handle.seekTo(range.start);
      this.position = range.start;
      this.playingId = null;
      this.resetMeter();
    }
  };

  /** Called when a player reaches the end of its audio. */
  finished = (takeId: string): void => {
    if (takeId !== this.playingId) return;
    const handle = this.players.get(takeId);
    if (handle && (this.loop || (!this.range && this.loopsWhole(takeId)))) {
      handle.seekTo(this.range?.start ?? 0);
      void handle.play();
      return;
    }
    this.playingId = null;
    handle?.seekTo(this.startedFrom);
    this.position = this.startedFrom;
    this.resetMeter();
  };

  /** Called when a player was paused from outside (media keys, the browser). */
  paused = (takeId: string): void => {
    if (takeId === this.playingId && !this.players.get(takeId)?.media.ended) {
      const handle = this.players.get(takeId);
      if (handle && handle.media.paused) {
        this.playingId = null;
        this.resetMeter();
      }
    }
  };

  setVolumeDb = (db: number): void => {
    this.volumeDb = db;
    if (this.master) this.master.gain.value = dbToGain(db);
    if (this.playingId) this.applyGain(this.playingId);
  };

  /** Re-reads the A/B gain of whatever plays. */
  refreshGain = (): void => {
    if (this.playingId) this.applyGain(this.playingId);
  };

  private applyGain(takeId: string): void {
    const handle = this.players.get(takeId);
    if (!handle) return;
    const gain = this.gainFor(takeId);
    const route = this.routes.get(handle.media);
    if (route) {
      route.gain.gain.value = gain;
      handle.media.volume = 1;
    } else {
      // Without Web Audio the element's own volume (0..1) has to carry both gains.
      handle.media.volume = Math.min(1, gain * dbToGain(this.volumeDb));
    }
  }

  private route(handle: PlayerHandle): void {
    if (this.routes.has(handle.media)) return;
    if (!canRouteThroughWebAudio(handle.media, location.origin)) {
      this.meterAvailable = false;
      return;
    }
    try {
      if (!this.context) {
        this.context = new AudioContext({ latencyHint: 'interactive' });
        this.master = this.context.createGain();
        this.master.gain.value = dbToGain(this.volumeDb);
        this.analyser = this.context.createAnalyser();
        this.analyser.fftSize = 2048;
        this.master.connect(this.analyser);
        this.analyser.connect(this.context.destination);
      }
      const source = this.context.createMediaElementSource(handle.media);
      const gain = this.context.createGain();
      source.connect(gain);
      gain.connect(this.master!);
      this.routes.set(handle.media, { source, gain });
      this.meterAvailable = true;
    } catch {
      this.meterAvailable = false;
    }
  }

  private startMeter(): void {
    if (!this.analyser || this.meterFrame) return;
    this.meterBlock ??= new Float32Array(this.analyser.fftSize);
    this.meterLastTs = performance.now();
    const step = (ts: number) => {
      if (!this.analyser || !this.playingId) {
        this.meterFrame = 0;
        this.resetMeter();
        return;
      }
      this.analyser.getFloatTimeDomainData(this.meterBlock!);
      const reading = meterReading(this.meterBlock!);
      const dt = Math.max(0, (ts - this.meterLastTs) / 1000);
      this.meterLastTs = ts;
      const released = Number.isFinite(this.peakDb) ? this.peakDb - PEAK_RELEASE_DB_PER_S * dt : -Infinity;
      this.peakDb = Math.max(reading.peakDb, released);
      this.rmsDb = reading.rmsDb;
      if (reading.peakDb >= CLIP_DB) {
        this.clip = true;
        if (this.clipTimer) clearTimeout(this.clipTimer);
        this.clipTimer = setTimeout(() => (this.clip = false), CLIP_HOLD_MS);
      }
      this.meterFrame = requestAnimationFrame(step);
    };
    this.meterFrame = requestAnimationFrame(step);
  }

  private resetMeter(): void {
    this.peakDb = -Infinity;
    this.rmsDb = -Infinity;
  }

  dispose = (): void => {
    if (this.meterFrame) cancelAnimationFrame(this.meterFrame);
    if (this.clipTimer) clearTimeout(this.clipTimer);
    void this.context?.close();
    this.context = null;
  };
}
