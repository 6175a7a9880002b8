import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AudioDecodeError } from '../../shared/errors.ts';
import { tempDir } from '../engine/testing/tiny-bundle.ts';
import { importReferenceFile } from './reference-import.ts';
import { importReferenceOffThread } from './reference-import-thread.ts';
import { encodeWav } from './wav.ts';

let scratch: Awaited<ReturnType<typeof tempDir>>;
let longClip: string;
beforeAll(async () => {
  scratch = await tempDir('loa-import-thread-');
  longClip = join(scratch.path, 'long.wav');
  const n = 44100 * 20;
  await writeFile(longClip, encodeWav([Float32Array.from({ length: n }, (_, i) => 0.5 * Math.sin(i / 13))], 44100, 'pcm16'));
});
afterAll(() => scratch.remove());

describe('reference import on a worker thread', () => {
  it('gives the same samples as importing in-process, while this thread keeps running timers', async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    const offThread = await importReferenceOffThread({ path: longClip, targetRate: 16000 });
    clearInterval(timer);
    const inProcess = await importReferenceFile(longClip, 16000);
    expect(offThread.samples.length).toBe(320000);
    expect(Buffer.from(offThread.samples.buffer).equals(Buffer.from(inProcess.samples.buffer))).toBe(true);
    // The resampling took a while; had it run here, no timer could have fired meanwhile.
    expect(ticks).toBeGreaterThan(5);
  });

  it('takes bytes (a browser upload) and keeps the error type across the thread', async () => {
    const clip = await importReferenceOffThread({ bytes: encodeWav([new Float32Array(8000).fill(0.25)], 8000, 'float32'), name: 'up.wav', targetRate: 16000 });
    expect(clip.samples.length).toBe(16000);
    const error = await importReferenceOffThread({ bytes: new TextEncoder().encode('not audio at all'), name: 'x.wav', targetRate: 16000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AudioDecodeError);
    expect((error as AudioDecodeError).hint.length).toBeGreaterThan(5);
  });
});
