import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ExportOptions, TakeInfo } from '../../shared/studio/studio-api.ts';
import { NAME_PLACEHOLDERS } from '../../shared/studio/studio-validate.ts';
import { decodeWav, encodeWav } from '../audio/wav.ts';
import { tempDir } from '../engine/testing/tiny-bundle.ts';
import { FILE_NAME_PLACEHOLDERS } from '../export/file-name.ts';
import { defaultExporter, writeExport, type ExportJob, type Exporter } from './export-writer.ts';

const options: ExportOptions = { format: 'pcm16', sampleRate: 16000, normalize: { kind: 'none' }, fadeInMs: 0, fadeOutMs: 0, nameTemplate: '{seed}' };
/** A plain renderer (the region cut out, written as WAV), so these tests are about naming and writing only. */
const cut = async (samples: Float32Array, rate: number, o: ExportOptions, region?: { start: number; end: number }) => ({
  bytes: encodeWav([region ? samples.slice(Math.round(region.start * rate), Math.round(region.end * rate)) : samples], rate, o.format),
});
const named = (name: string): Exporter => ({ renderExport: cut, fileNameFor: () => name });

let scratch: Awaited<ReturnType<typeof tempDir>>;
let job: ExportJob;
beforeEach(async () => {
  scratch = await tempDir('loa-export-');
  const source = join(scratch.path, 'take.wav');
  await writeFile(source, encodeWav([new Float32Array(16000).fill(0.25)], 16000, 'float32'));
  job = { take: { id: 't1', seed: 3 } as TakeInfo, source, exportsDir: join(scratch.path, 'Exports'), options, ucs: { catId: '', creator: '', source: '' }, index: 0 };
});
afterEach(async () => {
  await scratch.remove();
});

describe('writeExport', () => {
  it('renders the region into the Exports folder (created on demand) and adds .wav', async () => {
    const written = await writeExport(named('door_3'), { ...job, region: { start: 0.5, end: 0.75 } });
    expect(written).toMatchObject({ path: join(scratch.path, 'Exports', 'door_3.wav'), fileName: 'door_3.wav' });
    const wav = decodeWav(await readFile(written.path));
    expect(wav).toMatchObject({ format: 'pcm16', sampleRate: 16000 });
    expect(wav.channels[0].length).toBe(4000);
    expect(written.bytes).toBe((await readFile(written.path)).length);
  });

  it('never overwrites an earlier export, even when several are written at once', async () => {
    const all = await Promise.all(Array.from({ length: 4 }, () => writeExport(named('door.wav'), job)));
    expect(all.map((w) => w.fileName).sort()).toEqual(['door-2.wav', 'door-3.wav', 'door-4.wav', 'door.wav']);
    expect((await readdir(job.exportsDir)).sort()).toEqual(['door-2.wav', 'door-3.wav', 'door-4.wav', 'door.wav']);
  });

  it('refuses a name that is not one plain file, whatever the exporter returns', async () => {
    for (const name of ['../escape', 'sub/dir', 'C:evil', '.hidden', '', 'a\nb']) {
      await expect(writeExport(named(name), job), name).rejects.toThrow(/not a plain file name/);
    }
    await expect(readdir(job.exportsDir)).rejects.toThrow(); // nothing was written anywhere
  });

  it('renders and names with src/main/export by default, passing the 1-based batch index', async () => {
    const take = { id: 't1', seed: 3, rank: 2, params: { prompt: 'Glass shatter' } } as TakeInfo;
    const written = await writeExport(defaultExporter, { ...job, take, index: 1, options: { ...options, sampleRate: 48000, nameTemplate: '{prompt-slug}_{seed}_{take}_{index:02}' } });
    expect(written.fileName).toBe('glass-shatter_3_2_02.wav');
    expect(decodeWav(await readFile(written.path)).channels[0].length).toBe(48000); // 1 s at 48 kHz
  });

  it('validates exactly the placeholders the file namer fills', () => {
    expect([...NAME_PLACEHOLDERS].sort()).toEqual([...FILE_NAME_PLACEHOLDERS].sort());
  });

  it('refuses a region that ends after the take', async () => {
    await expect(writeExport(named('x'), { ...job, region: { start: 0.5, end: 1.5 } })).rejects.toMatchObject({ field: 'region' });
  });
});
