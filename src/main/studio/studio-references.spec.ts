import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AudioDecodeError, InvalidRequestError } from '../../shared/errors.ts';
import type { JobInfo, StudioEvent, TakeInfo } from '../../shared/studio/studio-api.ts';
import { decodeWav, encodeWav, readSmplLoops } from '../audio/wav.ts';
import { tempDir, TINY_BUNDLE } from '../engine/testing/tiny-bundle.ts';
import { resolveMediaPath } from './media-paths.ts';
import { samplesSha256 } from './reference-store.ts';
import { StudioService } from './studio-service.ts';
import { AudioLdm2Pipeline } from '../engine/pipeline/audioldm2-pipeline.ts';
import { SOUND_WORDS, soundWordText } from '../../shared/library/sound-words.ts';
import { UploadStore } from './upload-store.ts';

const mediaUrl = (kind: string, id: string) => `media://${kind}/${encodeURIComponent(id)}`;

let scratch: Awaited<ReturnType<typeof tempDir>>;
let service: StudioService;
let uploads: UploadStore;
let clipPath: string;
const events: StudioEvent[] = [];

function jobDone(jobId: string): Promise<JobInfo> {
  return new Promise((resolve) => {
    const check = () => {
      const job = events.flatMap((e) => (e.type === 'job' && e.job.jobId === jobId && ['done', 'failed', 'cancelled'].includes(e.job.state) ? [e.job] : []))[0];
      if (job) resolve(job);
      else setTimeout(check, 20);
    };
    check();
  });
}

async function takesOf(job: JobInfo): Promise<TakeInfo[]> {
  const all = await service.listTakes();
  return job.takeIds.map((id) => all.find((t) => t.id === id)!);
}

async function wavOf(kind: 'take' | 'reference', id: string): Promise<Uint8Array> {
  return new Uint8Array(await readFile(await resolveMediaPath(service, kind, id)));
}

beforeAll(async () => {
  scratch = await tempDir('loa-studio-refs-');
  uploads = new UploadStore(join(scratch.path, 'uploads'));
  service = new StudioService({ configDir: join(scratch.path, 'config'), libraryDir: join(scratch.path, 'library'), bundleDir: TINY_BUNDLE, device: 'cpu', mediaUrl, uploads });
  service.onEvent((e) => events.push(e));
  // A user's clip: 2 s of 44.1 kHz stereo, 16-bit.
  const n = 88200;
  clipPath = join(scratch.path, 'door knock.wav');
  await writeFile(clipPath, encodeWav([Float32Array.from({ length: n }, (_, i) => 0.4 * Math.sin(i / 11)), Float32Array.from({ length: n }, (_, i) => 0.2 * Math.sin(i / 5))], 44100, 'pcm16'));
  while ((await service.getModelStatus()).state !== 'ready') await new Promise((r) => setTimeout(r, 50));
}, 180_000);
afterAll(async () => {
  await service.dispose();
  await scratch.remove();
});

describe('references and audio-to-audio in the studio', () => {
  let refId: string;
  let refSamples: Float32Array;

  it('imports a file as a mono 16 kHz reference kept in the library, served by id, announced by an event', async () => {
    const ref = await service.importReference({ kind: 'file', path: clipPath });
    refId = ref.id;
    expect(ref).toMatchObject({ name: 'door knock.wav', origin: { kind: 'file', path: clipPath }, sampleRate: 16000, samples: 32000, durationS: 2, audioUrl: `media://reference/${ref.id}` });
    expect(ref.peaks.length).toBeGreaterThan(0);
    const wav = decodeWav(await wavOf('reference', ref.id));
    expect(wav.channels).toHaveLength(1);
    expect(wav.sampleRate).toBe(16000);
    refSamples = wav.channels[0];
    expect(ref.sha256).toBe(samplesSha256(refSamples));
    expect(events.some((e) => e.type === 'reference' && e.reference.id === ref.id)).toBe(true);
    expect((await service.listReferences())[0].id).toBe(ref.id);
  });

  it('continues the reference: the take is reference + 1 s, bit-identical before the seam, with its lineage', async () => {
    const job = await service.transform({ referenceId: refId, op: 'continue', prompt: 'knocking', seconds: 1, steps: 3, seed: 5 });
    expect(job).toMatchObject({ state: 'queued', reference: { id: refId, name: 'door knock.wav' }, params: { op: 'continue', seconds: 1, scheduler: 'ddim' } });
    const done = await jobDone(job.jobId);
    expect(done.state).toBe('done');
    const [take] = await takesOf(done);
    expect(take.samples).toBe(48000);
    expect(take.lineage).toEqual({
      operation: 'continue',
      reference: { kind: 'file', id: clipPath, referenceId: refId, sha256: samplesSha256(refSamples), seconds: 2 },
      params: expect.objectContaining({ op: 'continue', prompt: 'knocking', seconds: 1, seed: 5 }),
      seed: 5,
    });
    const out = decodeWav(await wavOf('take', take.id)).channels[0];
    expect(Array.from(out.subarray(0, 32000 - 800))).toEqual(Array.from(refSamples.subarray(0, 32000 - 800)));
  });

  it('runs a 2 × 2 variation grid as one job, each take knowing its strength and seed', async () => {
    const job = await service.transform({ referenceId: refId, op: 'vary', prompt: 'knocking', strengths: [0, 0.6], takes: 2, steps: 4, seed: 10 });
    const done = await jobDone(job.jobId);
    const takes = await takesOf(done);
    expect(takes.map((t) => [t.lineage?.strength, t.seed])).toEqual([
      [0, 10],
      [0, 11],
      [0.6, 10],
      [0.6, 11],
    ]);
    expect(Array.from(decodeWav(await wavOf('take', takes[0].id)).channels[0])).toEqual(Array.from(refSamples));
  });

  it('loops the reference: the take and its WAV carry the loop points', async () => {
    const done = await jobDone((await service.transform({ referenceId: refId, op: 'loop', prompt: 'knocking', steps: 2, seamSeconds: 0.5 })).jobId);
    const [take] = await takesOf(done);
    expect(take.loop).toEqual({ start: 0, end: 31999 });
    expect(readSmplLoops(await wavOf('take', take.id))).toEqual([{ type: 0, start: 0, end: 31999, playCount: 0 }]);
  });

  it('sends a region of a take to the reference lane, and inpaints it', async () => {
    const [source] = await service.listTakes();
    const ref = await service.importReference({ kind: 'take', takeId: source.id, region: { start: 0.5, end: 1.5 } });
    expect(ref).toMatchObject({ origin: { kind: 'take', takeId: source.id, region: { start: 0.5, end: 1.5 } }, samples: 16000 });
    const takeAudio = decodeWav(await wavOf('take', source.id)).channels[0];
    expect(Array.from(decodeWav(await wavOf('reference', ref.id)).channels[0])).toEqual(Array.from(takeAudio.subarray(8000, 24000)));
    const done = await jobDone((await service.transform({ referenceId: ref.id, op: 'inpaint', prompt: 'knock', from: 0.25, to: 0.75, steps: 2 })).jobId);
    const [take] = await takesOf(done);
    expect(take.lineage).toMatchObject({ operation: 'inpaint', reference: { kind: 'take', id: source.id, referenceId: ref.id } });
  });

  it('imports a browser upload once; a second import of the same upload is refused', async () => {
    const uploadId = await uploads.put(new Uint8Array(await readFile(clipPath)));
    const ref = await service.importReference({ kind: 'upload', uploadId, name: 'dropped.wav' });
    expect(ref).toMatchObject({ name: 'dropped.wav', origin: { kind: 'file', path: null }, samples: 32000 });
    await expect(service.importReference({ kind: 'upload', uploadId, name: 'dropped.wav' })).rejects.toThrow(/upload is gone/);
  });

  it('describes a reference (or a region of it) and a library take with the vocabulary words CLAP ranks highest, best first', async () => {
    const words = await service.describeReference(refId);
    expect(words).toHaveLength(8);
    expect(new Set(words.map((w) => w.word)).size).toBe(8);
    for (const w of words) expect(SOUND_WORDS).toContain(w.word);
    for (let i = 1; i < words.length; i++) expect(words[i].score).toBeLessThanOrEqual(words[i - 1].score);
    // The same ranking computed here from the model's own embeddings: cosine of the clip with every word.
    const pipeline = await AudioLdm2Pipeline.load(TINY_BUNDLE, { device: 'cpu' });
    try {
      const cosine = (a: Float32Array, b: Float32Array) => {
        let ab = 0,
          aa = 0,
          bb = 0;
        for (let i = 0; i < a.length; i++) {
          ab += a[i] * b[i];
          aa += a[i] * a[i];
          bb += b[i] * b[i];
        }
        return ab / Math.sqrt(aa * bb);
      };
      const texts: Float32Array[] = [];
      for (const word of SOUND_WORDS) texts.push(await pipeline.embedText(soundWordText(word)));
      const ranked = (clip: Float32Array) =>
        SOUND_WORDS.map((word, i) => ({ word, score: cosine(clip, texts[i]) }))
          .sort((a, b) => b.score - a.score)
          .slice(0, 8);
      const expected = ranked(await pipeline.embedAudio(refSamples));
      expect(words.map((w) => w.word)).toEqual(expected.map((w) => w.word));
      words.forEach((w, i) => expect(w.score).toBeCloseTo(expected[i].score, 5));
      // A region is its own sound: its words come from that stretch alone.
      const region = await service.describeReference(refId, { start: 0.5, end: 1 });
      expect(region.map((w) => w.word)).toEqual(ranked(await pipeline.embedAudio(refSamples.subarray(8000, 16000))).map((w) => w.word));
      // A library take is described from the embedding stored with it (tag suggestions): the same words as its audio gives.
      const take = (await service.listTakes())[0];
      const takeWords = await service.describeTake(take.id);
      const takeEmbedding = await pipeline.embedAudio(decodeWav(await wavOf('take', take.id)).channels[0]);
      expect(takeWords.map((w) => w.word)).toEqual(ranked(takeEmbedding).map((w) => w.word));

      // The vocabulary is kept on disk for the next session, which reads it instead of embedding it again:
      // a cache file rigged so that only "glass shattering" points at this take makes that the first word.
      const cacheDir = join(scratch.path, 'config', 'cache');
      const [cacheFile] = (await readdir(cacheDir)).filter((f) => /^sound-words-.*\.f32$/.test(f));
      const dims = takeEmbedding.length;
      expect((await readFile(join(cacheDir, cacheFile))).length).toBe(SOUND_WORDS.length * dims * 4);
      const rigged = new Float32Array(SOUND_WORDS.length * dims);
      const target = SOUND_WORDS.indexOf('glass shattering');
      SOUND_WORDS.forEach((_, i) => takeEmbedding.forEach((v, j) => (rigged[i * dims + j] = i === target ? v : -v)));
      await writeFile(join(cacheDir, cacheFile), new Uint8Array(rigged.buffer));
      const next = new StudioService({ configDir: join(scratch.path, 'config'), libraryDir: join(scratch.path, 'library'), bundleDir: TINY_BUNDLE, device: 'cpu', mediaUrl });
      try {
        const [best, second] = await next.describeTake(take.id);
        expect(best.word).toBe('glass shattering');
        expect(best.score).toBeCloseTo(1, 5);
        expect(second.score).toBeCloseTo(-1, 5);
      } finally {
        await next.dispose();
      }
    } finally {
      await pipeline.release();
    }
    await expect(service.describeReference(refId, { start: 5, end: 6 })).rejects.toMatchObject({ field: 'region' });
    await expect(service.describeReference('no-such-reference')).rejects.toBeInstanceOf(InvalidRequestError);
    await expect(service.describeTake('no-such-take')).rejects.toThrow(/no-such-take/);
  }, 120_000);

  it('refuses a corrupt file and an unknown reference with typed errors, adding nothing', async () => {
    const before = (await service.listReferences()).length;
    const bad = join(scratch.path, 'not audio.wav');
    await writeFile(bad, 'hello, I am a text file');
    await expect(service.importReference({ kind: 'file', path: bad })).rejects.toBeInstanceOf(AudioDecodeError);
    await expect(service.transform({ referenceId: 'nope', op: 'loop', prompt: 'x' })).rejects.toBeInstanceOf(InvalidRequestError);
    await expect(service.transform({ referenceId: refId, op: 'inpaint', prompt: 'x', from: 5, to: 6 })).rejects.toThrow(/after the reference ends/);
    expect((await service.listReferences()).length).toBe(before);
  });
});

describe('the library through the Studio API', () => {
  let takes: TakeInfo[];

  beforeAll(async () => {
    for (const [prompt, seed] of [
      ['metal door slam', 1],
      ['wooden door creak', 2],
      ['rain on leaves', 3],
    ] as const) {
      await jobDone((await service.generate({ prompt, seconds: 1, steps: 2, seed })).jobId);
    }
    takes = await service.listTakes();
  }, 120_000);

  it('finds takes by words, by tag and notes, and filters by rating', async () => {
    const door = await service.searchLibrary({ text: 'door', offset: 0, limit: 50 });
    expect(door.items.map((t) => t.params.prompt).sort()).toEqual(['metal door slam', 'wooden door creak']);
    const rain = takes.find((t) => t.params.prompt === 'rain on leaves')!;
    const updated = await service.updateTake(rain.id, { rating: 4, tags: ['ambience', 'wet'], notes: 'good for the forest scene' });
    expect(updated).toMatchObject({ rating: 4, tags: ['ambience', 'wet'], notes: 'good for the forest scene' });
    expect((await service.searchLibrary({ text: 'ambience', offset: 0, limit: 10 })).items.map((t) => t.id)).toEqual([rain.id]);
    expect((await service.searchLibrary({ text: 'forest', offset: 0, limit: 10 })).items.map((t) => t.id)).toEqual([rain.id]);
    expect((await service.searchLibrary({ rating: 4, offset: 0, limit: 10 })).items.map((t) => t.id)).toEqual([rain.id]);
    expect((await service.searchLibrary({ tags: ['wet'], offset: 0, limit: 10 })).total).toBe(1);
  });

  it('ranks by sound: "more like this" and a sound description, with similarities in order', async () => {
    const [first] = takes;
    const similar = await service.similarTakes(first.id, 5);
    expect(similar.items.length).toBeGreaterThan(0);
    expect(similar.items.map((t) => t.id)).not.toContain(first.id);
    expect([...similar.similarity!].sort((a, b) => b - a)).toEqual(similar.similarity);
    const described = await service.searchLibrary({ soundsLike: 'a metallic clang', offset: 0, limit: 3 });
    expect(described.items).toHaveLength(3);
    expect(described.similarity).toHaveLength(3);
    expect([...described.similarity!].sort((a, b) => b - a)).toEqual(described.similarity);
  });

  it('finds the takes that sound most like a reference: every take, by cosine with the reference, best first', async () => {
    const [reference] = await service.listReferences();
    const like = await service.takesLikeReference(reference.id, 500);
    const pipeline = await AudioLdm2Pipeline.load(TINY_BUNDLE, { device: 'cpu' });
    try {
      const clip = await pipeline.embedAudio(decodeWav(await wavOf('reference', reference.id)).channels[0]);
      const expected: Array<{ id: string; score: number }> = [];
      for (const take of await service.listTakes()) {
        const audio = await pipeline.embedAudio(decodeWav(await wavOf('take', take.id)).channels[0]);
        let ab = 0,
          aa = 0,
          bb = 0;
        for (let i = 0; i < clip.length; i++) {
          ab += clip[i] * audio[i];
          aa += clip[i] * clip[i];
          bb += audio[i] * audio[i];
        }
        expected.push({ id: take.id, score: ab / Math.sqrt(aa * bb) });
      }
      expected.sort((a, b) => b.score - a.score);
      expect(like.items.map((t) => t.id)).toEqual(expected.map((e) => e.id));
      like.similarity!.forEach((s, i) => expect(s).toBeCloseTo(expected[i].score, 5));
    } finally {
      await pipeline.release();
    }
    expect((await service.takesLikeReference(reference.id, 2)).items).toHaveLength(2);
    await expect(service.takesLikeReference('no-such-reference', 5)).rejects.toBeInstanceOf(InvalidRequestError);
  }, 120_000);

  it('trashes and restores (undo), telling every window', async () => {
    const victim = takes[0];
    await service.trashTakes([victim.id]);
    expect((await service.searchLibrary({ offset: 0, limit: 1000 })).items.map((t) => t.id)).not.toContain(victim.id);
    expect(events.some((e) => e.type === 'library' && e.trashed.includes(victim.id))).toBe(true);
    await service.restoreTakes([victim.id]);
    expect((await service.searchLibrary({ offset: 0, limit: 1000 })).items.map((t) => t.id)).toContain(victim.id);
  });

  it('draws the lineage tree: the file reference at the root, its continuation and grid below', async () => {
    const all = (await service.searchLibrary({ offset: 0, limit: 1000 })).items;
    const continued = all.find((t) => t.lineage?.operation === 'continue')!;
    const tree = await service.lineageTree(continued.id);
    expect(tree).toMatchObject({ kind: 'reference', label: 'door knock.wav' });
    const operations = tree.children.map((c) => c.operation);
    expect(operations).toContain('continue');
    expect(operations).toContain('vary');
    expect(tree.children.find((c) => c.id === continued.id)).toBeDefined();
  });

  it("reads a take's recipe back and regenerates it bit-identically", async () => {
    const original = takes.find((t) => t.params.prompt === 'wooden door creak')!;
    const recipe = await service.readRecipe({ kind: 'take', takeId: original.id });
    expect(recipe).toMatchObject({ kind: 'generate', seed: original.seed, params: { prompt: 'wooden door creak' }, model: { id: 'tiny-random' } });
    const done = await jobDone((await service.regenerateRecipe(recipe!)).jobId);
    const [again] = await takesOf(done);
    const audio = (id: string) => wavOf('take', id).then((b) => Buffer.from(decodeWav(b).channels[0].buffer));
    expect((await audio(again.id)).equals(await audio(original.id))).toBe(true);
    await expect(service.regenerateRecipe({ ...recipe!, model: { ...recipe!.model, bundleHash: 'f'.repeat(64) } })).rejects.toThrow(/Load the model it was made with|was made with model/);
  });

  it('imports a folder of sounds recursively, skipping what it cannot read, with progress', async () => {
    const folder = join(scratch.path, 'sounds');
    await import('node:fs/promises').then(async ({ mkdir }) => {
      await mkdir(join(folder, 'sub'), { recursive: true });
      await writeFile(join(folder, 'a.wav'), encodeWav([new Float32Array(16000).fill(0.1)], 16000, 'pcm16'));
      await writeFile(join(folder, 'sub', 'b.wav'), encodeWav([Float32Array.from({ length: 8000 }, (_, i) => Math.sin(i))], 8000, 'float32'));
      await writeFile(join(folder, 'sub', 'broken.wav'), 'RIFF nonsense');
      await writeFile(join(folder, 'notes.txt'), 'not audio');
    });
    const report = await service.importFolder(folder);
    expect(report.imported).toBe(2);
    // Told by content: the text file and the broken RIFF are listed with why, and never reach the decoder.
    expect(report.skipped.map((s) => [s.path, s.reason])).toEqual([
      [join(folder, 'notes.txt'), expect.stringMatching(/not an audio format LOA Studio reads: it looks like text/)],
      [join(folder, 'sub', 'broken.wav'), expect.stringMatching(/not an audio format LOA Studio reads: it looks like a RIFF file/)],
    ]);
    const progress = events.flatMap((e) => (e.type === 'import' ? [[e.done, e.total]] : []));
    expect(progress.at(-1)).toEqual([2, 2]);
    expect((await service.listReferences()).map((r) => r.name)).toEqual(expect.arrayContaining(['a.wav', join('sub', 'b.wav')]));
  });
});
