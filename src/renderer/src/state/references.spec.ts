import { describe, expect, it } from 'vitest';
import { AudioDecodeError } from '../../../shared/errors.ts';
import type { ReferenceInfo, SoundWord } from '../../../shared/studio/studio-api.ts';
import type { StudioClient } from '../api/studio-client.ts';
import { ReferencesState, referencePlayerId } from './references.svelte.ts';
import { apiStandIn, deferred } from './studio-api.fixture.ts';

const reference = (id: string, minute: number): ReferenceInfo => ({
  id,
  name: `${id}.wav`,
  origin: { kind: 'file', path: `/sounds/${id}.wav` },
  sampleRate: 16000,
  samples: 32000,
  durationS: 2,
  sha256: id,
  notices: [],
  createdAt: `2026-01-01T10:${String(minute).padStart(2, '0')}:00Z`,
  audioUrl: `/media/reference/${id}`,
  peaks: [],
});
const words = (word: string): SoundWord[] => [{ word, score: 0.31 }];

describe('ReferencesState', () => {
  it('keeps the list newest first and puts an import in the lane with no region left over', async () => {
    const { api, calls } = apiStandIn<StudioClient>({ listReferences: async () => [reference('b', 2), reference('a', 1)], importReference: async () => reference('c', 3) });
    const refs = new ReferencesState(api);
    await refs.load();
    expect({ current: refs.currentId, ids: refs.references.map((r) => r.id) }).toEqual({ current: 'b', ids: ['b', 'a'] });
    refs.setRegion({ start: 0.5, end: 1 });
    const made = await refs.importTake('t1', { start: 0.25, end: 1.5 }, 'take 1 of “rain”');
    expect(made?.id).toBe('c');
    expect({ current: refs.currentId, region: refs.region, ids: refs.references.map((r) => r.id), importing: refs.importing }).toEqual({
      current: 'c',
      region: null,
      ids: ['c', 'b', 'a'],
      importing: null,
    });
    expect(calls.at(-1)).toEqual({ method: 'importReference', args: [{ kind: 'take', takeId: 't1', region: { start: 0.25, end: 1.5 } }] });
  });

  it('says why a file could not be a reference, and keeps the lane as it was', async () => {
    const notAudio = new AudioDecodeError('"notes.txt" is not audio.');
    const refs = new ReferencesState(
      apiStandIn<StudioClient>({
        listReferences: async () => [reference('a', 1)],
        referenceFromFile: async () => {
          throw notAudio;
        },
      }).api,
    );
    await refs.load();
    const file = new File(['hello'], 'notes.txt');
    expect(await refs.importFile(file)).toBeNull();
    expect({ error: refs.error, current: refs.currentId, importing: refs.importing }).toEqual({ error: { message: notAudio.message, hint: notAudio.hint }, current: 'a', importing: null });
    refs.dismissError();
    expect(refs.error).toBeNull();
  });

  it('drops words that arrive after the region changed', async () => {
    const answers = [deferred<SoundWord[]>(), deferred<SoundWord[]>()];
    const refs = new ReferencesState(apiStandIn<StudioClient>({ listReferences: async () => [reference('a', 1)], describeReference: () => answers.shift()!.promise }).api);
    await refs.load();
    const first = answers[0];
    const stale = refs.describe();
    refs.setRegion({ start: 0, end: 1 });
    first.resolve(words('hum'));
    await stale;
    expect(refs.words).toBeNull();
    const second = answers[0];
    const fresh = refs.describe();
    second.resolve(words('rain'));
    await fresh;
    expect(refs.words).toEqual(words('rain'));
    expect(refs.regionForPlayer(referencePlayerId('a'))).toEqual({ start: 0, end: 1 });
    expect(refs.regionForPlayer('a')).toBeNull();
  });
});
