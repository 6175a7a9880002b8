/**
 * Level-matched A/B between two takes (docs/ux-conventions.md §2: no peer has it). The louder take is turned
 * down to the quieter one's RMS so the comparison is about the sound, not the level; `X` swaps
 * at the same playhead position.
 */
import { gainToDb, matchGains } from '../lib/levels.ts';
import type { NoticeState } from './notices.svelte.ts';
import type { PlaybackState } from './playback.svelte.ts';
import type { TakesState } from './takes.svelte.ts';

export class AbCompareState {
  a = $state<string | null>(null);
  b = $state<string | null>(null);
  /** Level matching on (the default) or off, to hear the raw difference too. */
  matched = $state(true);

  ready = $derived(this.a !== null && this.b !== null && this.a !== this.b);
  gains = $derived.by(() => {
    if (!this.ready || !this.matched) return { a: 1, b: 1 };
    return matchGains(this.takes.loudness(this.a!), this.takes.loudness(this.b!));
  });
  /** The trim applied to each side, in dB (≤ 0), for display. */
  trimDb = $derived({ a: gainToDb(this.gains.a), b: gainToDb(this.gains.b) });

  constructor(
    private readonly takes: TakesState,
    private readonly playback: PlaybackState,
    private readonly notices: NoticeState,
  ) {}

  /** The gain the player applies to a take: its A/B trim, unity for any other take. */
  gainFor = (takeId: string): number => {
    if (!this.ready) return 1;
    if (takeId === this.a) return this.gains.a;
    if (takeId === this.b) return this.gains.b;
    return 1;
  };

  mark = (slot: 'a' | 'b', takeId: string): void => {
    if (slot === 'a') {
      this.a = takeId;
      if (this.b === takeId) this.b = null;
    } else {
      this.b = takeId;
      if (this.a === takeId) this.a = null;
    }
    this.playback.refreshGain();
  };

  clear = (): void => {
    this.a = null;
    this.b = null;
    this.playback.refreshGain();
  };

  toggleMatched = (): void => {
    this.matched = !this.matched;
    this.playback.refreshGain();
  };

  /** Which side is heard now, if either. */
  side = (): 'a' | 'b' | null => {
    const id = this.playback.playingId ?? this.playback.currentId;
    if (id === null) return null;
    return id === this.a ? 'a' : id === this.b ? 'b' : null;
  };

  /**
   * `X`: from silence (or another take) it plays A; while A plays it switches to B at the same
   * position (and the same selection, if one plays), and back.
   */
  toggle = async (): Promise<void> => {
    if (!this.ready) {
      this.notices.info('Pick two takes to compare first.', 'Select a take and press A, then another and press B.');
      return;
    }
    const playing = this.playback.playingId;
    const target = playing === this.a ? this.b! : this.a!;
    this.takes.select(target);
    if (playing) await this.playback.play(target, { from: this.playback.position, range: this.playback.range });
    else await this.playback.play(target);
  };
}
