/**
 * The playback owner and level-matched A/B, driven through player handles whose clock the spec
 * moves by hand (Node has no media element). Without a page origin the audio is not routed through
 * Web Audio, so the gains land on each element's own volume, where the spec can read them.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AbCompareState } from './ab-compare.svelte.ts';
import { NoticeState } from './notices.svelte.ts';
import { PlaybackState, type PlayerHandle } from './playback.svelte.ts';
import { apiStandIn } from './studio-api.fixture.ts';
import { TakesState, type Region } from './takes.svelte.ts';

class ClockPlayer implements PlayerHandle {
  readonly media = { src: '', currentSrc: '', loop: false, volume: 1, paused: true, ended: false, dataset: {} } as unknown as HTMLMediaElement;
  time = 0;
  constructor(
    readonly takeId: string,
    private readonly seconds: number,
  ) {}
  get playing(): boolean {
    return !this.media.paused;
  }
  duration = (): number => this.seconds;
  currentTime = (): number => this.time;
  seekTo = (seconds: number): void => {
    this.time = seconds;
  };
  play = async (): Promise<void> => {
    (this.media as { paused: boolean }).paused = false;
  };
  pause = (): void => {
    (this.media as { paused: boolean }).paused = true;
  };
}

function owner(regions: Record<string, Region | null> = {}, loopsWhole: (id: string) => boolean = () => false) {
  const playback = new PlaybackState(
    (id) => regions[id] ?? null,
    () => 1,
    loopsWhole,
  );
  const players = Object.fromEntries(['t1', 't2'].map((id) => [id, new ClockPlayer(id, 4)]));
  for (const player of Object.values(players)) playback.register(player);
  return { playback, players };
}

beforeAll(() => vi.stubGlobal('location', { origin: 'http://127.0.0.1:5173' }));
afterAll(() => vi.unstubAllGlobals());

describe('PlaybackState', () => {
  it('plays one take at a time and puts the cursor back where it started on stop', async () => {
    const { playback, players } = owner();
    players.t1.time = 1.5;
    await playback.play('t1');
    expect({ playing: playback.playingId, position: playback.position, t1: players.t1.playing }).toEqual({ playing: 't1', position: 1.5, t1: true });
    playback.tick('t1', 2.75);
    players.t2.time = 0.75;
    await playback.play('t2');
    expect({ playing: playback.playingId, t1: players.t1.playing, t2: players.t2.playing }).toEqual({ playing: 't2', t1: false, t2: true });
    playback.tick('t2', 3);
    playback.stop();
    expect({ playing: playback.playingId, position: playback.position, t2: players.t2.time, meter: playback.meterAvailable }).toEqual({ playing: null, position: 0.75, t2: 0.75, meter: false });
    // From the last frames, a play starts again from the top.
    players.t1.time = 3.99;
    await playback.play('t1');
    expect(playback.position).toBe(0);
  });

  it('plays the selection and stops at its end, or goes round it with Repeat', async () => {
    const { playback, players } = owner({ t1: { start: 1, end: 2 } });
    await playback.play('t1');
    expect({ range: playback.range, time: players.t1.time, elementLoop: players.t1.media.loop }).toEqual({ range: { start: 1, end: 2 }, time: 1, elementLoop: false });
    playback.tick('t1', 1.5);
    expect(playback.playingId).toBe('t1');
    playback.tick('t1', 2.01);
    expect({ playing: playback.playingId, position: playback.position, time: players.t1.time, paused: !players.t1.playing }).toEqual({ playing: null, position: 1, time: 1, paused: true });

    playback.toggleLoop();
    await playback.play('t1');
    playback.tick('t1', 2.02);
    expect({ playing: playback.playingId, time: players.t1.time }).toEqual({ playing: 't1', time: 1 });
    // Seeking outside the selection drops it: the whole take plays from there.
    playback.seekTo('t1', 3);
    expect({ range: playback.range, elementLoop: players.t1.media.loop }).toEqual({ range: null, elementLoop: true });
  });

  it('a loop take goes round when played whole; another take ends and returns to its start', async () => {
    const { playback, players } = owner({}, (id) => id === 't1');
    await playback.play('t1');
    expect(players.t1.media.loop).toBe(true);
    players.t1.time = 4;
    playback.finished('t1');
    expect({ playing: playback.playingId, time: players.t1.time }).toEqual({ playing: 't1', time: 0 });
    players.t2.time = 0.5;
    await playback.play('t2');
    playback.finished('t2');
    expect({ playing: playback.playingId, position: playback.position }).toEqual({ playing: null, position: 0.5 });
  });

  it('carries the preview volume on the element when Web Audio is not in the path', async () => {
    const { playback, players } = owner();
    await playback.play('t1');
    playback.setVolumeDb(-6);
    expect(players.t1.media.volume).toBeCloseTo(10 ** (-6 / 20), 12);
  });
});

describe('AbCompareState', () => {
  function compare() {
    const notices = new NoticeState();
    const takes = new TakesState(apiStandIn({}).api, notices);
    let ab: AbCompareState | null = null;
    const playback = new PlaybackState(
      () => null,
      (id) => ab?.gainFor(id) ?? 1,
    );
    ab = new AbCompareState(takes, playback, notices);
    const players = Object.fromEntries(['t1', 't2', 't3'].map((id) => [id, new ClockPlayer(id, 4)]));
    for (const player of Object.values(players)) playback.register(player);
    takes.setRms('t1', 0.2);
    takes.setRms('t2', 0.05);
    return { ab, takes, playback, players, notices };
  }

  it('turns the louder take down to the quieter one’s level, and only while matching', async () => {
    const { ab, playback, players } = compare();
    expect(ab.gains).toEqual({ a: 1, b: 1 });
    ab.mark('a', 't1');
    ab.mark('b', 't2');
    expect(ab.gains).toEqual({ a: 0.25, b: 1 });
    expect(ab.trimDb.a).toBeCloseTo(-12.0412, 4);
    expect(ab.trimDb.b).toBe(0);
    expect([ab.gainFor('t1'), ab.gainFor('t2'), ab.gainFor('t3')]).toEqual([0.25, 1, 1]);
    await playback.play('t1');
    expect(players.t1.media.volume).toBe(0.25);
    ab.toggleMatched();
    expect(players.t1.media.volume).toBe(1);
    expect(ab.gains).toEqual({ a: 1, b: 1 });
  });

  it('one take is never both sides', () => {
    const { ab } = compare();
    ab.mark('a', 't1');
    ab.mark('b', 't1');
    expect({ a: ab.a, b: ab.b, ready: ab.ready }).toEqual({ a: null, b: 't1', ready: false });
  });

  it('X plays A, then swaps to B at the same playhead, and back', async () => {
    const { ab, takes, playback, players, notices } = compare();
    await ab.toggle();
    expect(notices.notices.map((n) => n.message)).toEqual(['Pick two takes to compare first.']);
    ab.mark('a', 't1');
    ab.mark('b', 't2');
    await ab.toggle();
    expect({ playing: playback.playingId, selected: takes.selectedId, side: ab.side() }).toEqual({ playing: 't1', selected: 't1', side: 'a' });
    playback.tick('t1', 2.5);
    await ab.toggle();
    expect({ playing: playback.playingId, selected: takes.selectedId, side: ab.side(), time: players.t2.time, t1: players.t1.playing }).toEqual({
      playing: 't2',
      selected: 't2',
      side: 'b',
      time: 2.5,
      t1: false,
    });
    await ab.toggle();
    expect({ playing: playback.playingId, side: ab.side() }).toEqual({ playing: 't1', side: 'a' });
  });
});
