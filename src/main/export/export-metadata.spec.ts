import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Recipe } from '../../shared/library/recipe.ts';
import type { ExportOptions, TakeInfo } from '../../shared/studio/studio-api.ts';
import { decodeWav, encodeWav, listWavChunks, readSmplLoops } from '../audio/wav.ts';
import { tempDir } from '../engine/testing/tiny-bundle.ts';
import { generateParams } from '../library/testing/library-fixtures.ts';
import { readBext, readListInfo, readRecipe, recipeChunks } from '../library/wav-metadata.ts';
import { defaultExporter, writeExport, type ExportJob } from '../studio/export-writer.ts';
import { readCueMarkers } from '../audio/wav-cues.ts';

const TAKE_ID = 'f'.repeat(32);
const recipe: Recipe = {
  format: 'loa-studio-recipe',
  version: 1,
  kind: 'generate',
  params: generateParams('door slam in a stairwell', 5),
  seed: 5,
  model: { id: 'tiny-random', name: 'Tiny random', bundleHash: 'ab'.repeat(32) },
  device: 'cpu',
  sampleRate: 16000,
  samples: 16000,
  createdAt: '2026-12-03T08:00:00.000Z',
  app: { name: 'LOA Studio', version: '0.1.0' },
};
const options: ExportOptions = { format: 'pcm24', sampleRate: 48000, normalize: { kind: 'peak', dbfs: -1 }, fadeInMs: 5, fadeOutMs: 5, nameTemplate: '{seed}' };
const tone = new Float32Array(16000).map((_, i) => 0.3 * Math.sin(i / 7));

let scratch: Awaited<ReturnType<typeof tempDir>>;
let job: ExportJob;
async function writeTake(take: Recipe | null): Promise<void> {
  const loop = take?.loop;
  await writeFile(job.source, encodeWav([tone], 16000, 'float32', { ...(loop ? { loop } : {}), chunks: take ? recipeChunks(take, { takeId: TAKE_ID }) : [] }));
}
beforeEach(async () => {
  scratch = await tempDir('loa-export-meta-');
  job = {
    take: { id: TAKE_ID, seed: 5, tags: ['foley'] } as TakeInfo,
    source: join(scratch.path, 'take.wav'),
    exportsDir: join(scratch.path, 'Exports'),
    options,
    ucs: { catId: '', creator: '', source: '' },
    index: 0,
  };
});
afterEach(async () => {
  await scratch.remove();
});

describe('exported files carry the recipe of their take and how they were rendered', () => {
  it('writes bext with a second coding-history line, iXML with the rendering, INFO saying it; sox reads the file', async () => {
    await writeTake(recipe);
    const written = await writeExport(defaultExporter, { ...job, region: { start: 0.25, end: 0.75 } });
    const bytes = new Uint8Array(await readFile(written.path));

    const inside = readRecipe(bytes)!;
    expect(inside.rendering).toEqual({
      takeId: TAKE_ID,
      region: { start: 0.25, end: 0.75 },
      format: 'pcm24',
      sampleRate: 48000,
      normalize: { kind: 'peak', dbfs: -1 },
      fadeInMs: 5,
      fadeOutMs: 5,
      result: { lufs: expect.any(Number), peakDbfs: -1, gainDb: expect.any(Number), limited: false, ceilingDbfs: -1 },
    });
    const { rendering: _, ...take } = inside;
    expect(take).toEqual(recipe);

    const bext = readBext(bytes)!;
    expect(bext.description).toBe('door slam in a stairwell');
    expect(bext.originatorReference).toBe(TAKE_ID);
    const lufs = String(Number(inside.rendering!.result!.lufs!.toFixed(1)));
    expect(bext.codingHistory.split('\r\n')).toEqual([
      'A=PCM,F=16000,W=32,M=mono,T=LOA Studio 0.1.0; tiny-random',
      `A=PCM,F=48000,W=24,M=mono,T=LOA Studio 0.1.0 export; region 0.25-0.75 s, 48 kHz 24-bit, peak -1 dBFS, fades 5 / 5 ms; reached ${lufs} LUFS, peak -1 dBFS`,
      '',
    ]);
    const info = readListInfo(bytes)!;
    expect(info.ICMT).toMatch(/; exported region 0\.25-0\.75 s, 48 kHz 24-bit, peak -1 dBFS, fades 5 \/ 5 ms; reached -[\d.]+ LUFS, peak -1 dBFS$/);
    expect(info.IKEY).toBe('foley');
    expect(listWavChunks(bytes).map((c) => c.id)).toEqual(['fmt ', 'data', 'bext', 'iXML', 'LIST']);

    // An independent reader still sees a plain 48 kHz 24-bit file of the region's length.
    expect(execFileSync('sox', ['--i', '-r', written.path]).toString().trim()).toBe('48000');
    expect(execFileSync('sox', ['--i', '-b', written.path]).toString().trim()).toBe('24');
    expect(execFileSync('sox', ['--i', '-s', written.path]).toString().trim()).toBe('24000');
    expect(decodeWav(bytes).channels[0].length).toBe(24000);
  });

  it('keeps a whole loop take a loop at the export rate, and drops the loop from a region of it', async () => {
    await writeTake({ ...recipe, loop: { start: 0, end: 15999 } });
    const whole = new Uint8Array(await readFile((await writeExport(defaultExporter, job)).path));
    expect(readSmplLoops(whole)).toMatchObject([{ start: 0, end: 47999 }]);
    expect(readRecipe(whole)!.rendering).not.toHaveProperty('region');
    const part = new Uint8Array(await readFile((await writeExport(defaultExporter, { ...job, region: { start: 0, end: 0.5 } })).path));
    expect(readSmplLoops(part)).toEqual([]);
  });

  it('exports a whole loop take as a seamless loop: no fades, the smpl loop wraps without a click (issue 13)', async () => {
    // One second of 100 Hz, exactly 100 periods: a perfect loop, loud at both ends (cos).
    const loopTone = new Float32Array(16000).map((_, i) => 0.3 * Math.cos((2 * Math.PI * 100 * i) / 16000));
    await writeFile(job.source, encodeWav([loopTone], 16000, 'float32', { loop: { start: 0, end: 15999 }, chunks: recipeChunks({ ...recipe, loop: { start: 0, end: 15999 } }, { takeId: TAKE_ID }) }));
    for (const sampleRate of [48000, 44100] as const) {
      // The export options ask for 5 ms fades both ways, as the defaults and drag-outs do.
      const written = await writeExport(defaultExporter, { ...job, options: { ...options, sampleRate } });
      const bytes = new Uint8Array(await readFile(written.path));
      const [loop] = readSmplLoops(bytes);
      expect(loop).toMatchObject({ start: 0, end: sampleRate - 1 });
      const y = decodeWav(bytes).channels[0];
      expect(y.length).toBe(sampleRate);
      // Both ends of the loop are where the wave is, not faded to 0: the sample after the loop's
      // end is its start, and the step across the wrap is no bigger than any step inside.
      const amplitude = 10 ** (-1 / 20);
      const ideal = (j: number) => amplitude * Math.cos((2 * Math.PI * 100 * j) / sampleRate);
      expect(Math.abs(y[loop.start] - ideal(0))).toBeLessThan(1e-3);
      expect(Math.abs(y[loop.end] - ideal(loop.end))).toBeLessThan(1e-3);
      let maxStep = 0;
      for (let j = 1; j < y.length; j++) maxStep = Math.max(maxStep, Math.abs(y[j] - y[j - 1]));
      expect(Math.abs(y[loop.start] - y[loop.end])).toBeLessThanOrEqual(maxStep * 1.001);
      expect(readRecipe(bytes)!.rendering).toMatchObject({ loop: true, fadeInMs: 0, fadeOutMs: 0 });
      expect(readBext(bytes)!.codingHistory).toContain('seamless loop');
      expect(written.report).toMatchObject({ loop: true, text: expect.stringContaining('seamless loop: exported without fades') });
    }
    // A region cuts the loop open: then the fades are back and there are no loop points.
    const part = await writeExport(defaultExporter, { ...job, region: { start: 0, end: 0.5 } });
    const partBytes = new Uint8Array(await readFile(part.path));
    expect(readSmplLoops(partBytes)).toEqual([]);
    expect(decodeWav(partBytes).channels[0][0]).toBe(0);
    expect(readRecipe(partBytes)!.rendering).toMatchObject({ fadeInMs: 5, fadeOutMs: 5 });
    expect(readRecipe(partBytes)!.rendering).not.toHaveProperty('loop');
  });

  it('says the loudness and peak an export reached, and that the peak ceiling held a loudness target back, in plain ASCII where the format wants it (issue 13)', async () => {
    // A quiet bed with one loud click: −23 LUFS would need far more gain than the −1 dBFS ceiling allows.
    const clicky = new Float32Array(16000).map((_, i) => 0.002 * Math.sin(i / 5));
    clicky[8000] = 0.5;
    await writeFile(job.source, encodeWav([clicky], 16000, 'float32', { chunks: recipeChunks(recipe, { takeId: TAKE_ID }) }));
    const written = await writeExport(defaultExporter, { ...job, options: { ...options, normalize: { kind: 'loudness', lufs: -23 } } });
    const bytes = new Uint8Array(await readFile(written.path));
    const result = readRecipe(bytes)!.rendering!.result!;
    expect(result.limited).toBe(true);
    expect(result.peakDbfs).toBeCloseTo(-1, 2);
    expect(result.lufs!).toBeLessThan(-30); // nowhere near the target, and the file says so
    expect(written.report).toMatchObject({ limited: true, lufs: result.lufs, peakDbfs: result.peakDbfs, loop: false });
    expect(written.report!.text).toMatch(/^reached −\d+\.?\d* LUFS, peak −1 dBFS; loudness target not reached: the −1 dBFS peak ceiling limited the gain$/);
    const history = readBext(bytes)!.codingHistory;
    expect(history).toContain('-23 LUFS');
    expect(history).toMatch(/reached -\d+(\.\d)? LUFS, peak -1 dBFS; loudness target not reached: the -1 dBFS peak ceiling limited the gain/);
    // bext (EBU Tech 3285) and the INFO comment are ASCII: MediaInfo showed UTF-8 "−" as "â".
    const bext = listWavChunks(bytes).find((c) => c.id === 'bext')!.body;
    expect([...bext].every((b) => b < 0x80)).toBe(true);
    const icmt = readListInfo(bytes)!.ICMT;
    expect(icmt).toContain('-23 LUFS, fades 5 / 5 ms; reached -');
    expect([...new TextEncoder().encode(icmt)].every((b) => b < 0x80)).toBe(true);
    // The iXML recipe keeps the numbers, and a file without them (written before) still reads.
    const { result: _, ...before } = readRecipe(bytes)!.rendering!;
    expect(readRecipe(encodeWav([tone], 48000, 'pcm24', { chunks: recipeChunks({ ...recipe, rendering: before }, { takeId: TAKE_ID }) }))!.rendering).toEqual(before);
  });

  it('moves the seam marker of a continued take to where it falls in the export, and drops it from a region without it', async () => {
    const params = { op: 'continue' as const, prompt: 'rain', negativePrompt: '', steps: 3, scheduler: 'ddim' as const, guidance: 3, seed: 7, takes: 1, seconds: 0.5, crossfadeMs: 50, resample: 0 };
    const continued: Recipe = {
      ...recipe,
      kind: 'transform',
      params,
      seed: 7,
      lineage: { operation: 'continue', reference: { kind: 'file', id: '/r.wav', sha256: 'ab'.repeat(32), seconds: 0.5 }, params, seed: 7 },
    };
    await writeTake(continued);
    expect(readCueMarkers(new Uint8Array(await readFile(job.source)))).toEqual([{ frame: 8000, label: 'seam' }]);
    const cut = new Uint8Array(await readFile((await writeExport(defaultExporter, { ...job, region: { start: 0.25, end: 1 } })).path));
    expect(readCueMarkers(cut)).toEqual([{ frame: (8000 - 4000) * 3, label: 'seam' }]);
    const after = new Uint8Array(await readFile((await writeExport(defaultExporter, { ...job, region: { start: 0.6, end: 1 } })).path));
    expect(readCueMarkers(after)).toEqual([]);
    expect(listWavChunks(after).map((c) => c.id)).toEqual(['fmt ', 'data', 'bext', 'iXML', 'LIST']);
  });

  it('trims silence from the export, says so in the recipe, and keeps the seam marker on the sound', async () => {
    const params = { op: 'continue' as const, prompt: 'rain', negativePrompt: '', steps: 3, scheduler: 'ddim' as const, guidance: 3, seed: 7, takes: 1, seconds: 0.5, crossfadeMs: 50, resample: 0 };
    const continued: Recipe = {
      ...recipe,
      kind: 'transform',
      params,
      seed: 7,
      lineage: { operation: 'continue', reference: { kind: 'file', id: '/r.wav', sha256: 'ab'.repeat(32), seconds: 0.5 }, params, seed: 7 },
    };
    // The first quarter second is silent.
    const quiet = tone.slice();
    quiet.fill(0, 0, 4000);
    await writeFile(job.source, encodeWav([quiet], 16000, 'float32', { chunks: recipeChunks(continued, { takeId: TAKE_ID }) }));
    const bytes = new Uint8Array(await readFile((await writeExport(defaultExporter, { ...job, options: { ...options, trimSilence: true } })).path));
    const first = quiet.findIndex((v) => v !== 0);
    const start = first - 80; // 5 ms kept before the sound
    expect(decodeWav(bytes).channels[0].length).toBe((16000 - start) * 3);
    expect(readRecipe(bytes)!.rendering).toMatchObject({ trimSilence: true });
    expect(readBext(bytes)!.codingHistory).toContain('silence trimmed');
    expect(readCueMarkers(bytes)).toEqual([{ frame: (8000 - start) * 3, label: 'seam' }]);
  });

  it('exports plain audio from a take that carries no recipe', async () => {
    await writeTake(null);
    const bytes = new Uint8Array(await readFile((await writeExport(defaultExporter, job)).path));
    expect(listWavChunks(bytes).map((c) => c.id)).toEqual(['fmt ', 'data']);
    expect(readRecipe(bytes)).toBeNull();
  });

  it('reads no recipe from a file whose rendering is damaged, rather than a wrong one', async () => {
    for (const rendering of [
      { takeId: TAKE_ID, format: 'pcm24', sampleRate: 12345, normalize: { kind: 'none' }, fadeInMs: 0, fadeOutMs: 0 },
      { takeId: '../x', format: 'pcm24', sampleRate: 48000, normalize: { kind: 'none' }, fadeInMs: 0, fadeOutMs: 0 },
    ]) {
      const bytes = encodeWav([tone], 48000, 'pcm24', { chunks: recipeChunks({ ...recipe, rendering: rendering as Recipe['rendering'] }, { takeId: TAKE_ID }) });
      expect(readRecipe(bytes), JSON.stringify(rendering)).toBeNull();
    }
  });
});
