import { execFileSync } from 'node:child_process';
import { chmodSync, closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AudioDecodeError, InvalidRequestError, LoaError } from '../../shared/errors.ts';
import { decodeAudio } from './decode-audio.ts';
import { downmixToMono, importReference, importReferenceFile, MAX_REFERENCE_SECONDS } from './reference-import.ts';
import { encodeWav } from './wav.ts';

function tone(freq: number, rate: number, n: number, amp: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => amp * Math.sin((2 * Math.PI * freq * i) / rate));
}

/** Frequency from the first and last rising zero crossings (interpolated) in the middle 80 %. */
function frequency(x: Float32Array, rate: number): number {
  const crossings: number[] = [];
  for (let i = Math.floor(x.length * 0.1); i < x.length * 0.9; i++) {
    if (x[i - 1] < 0 && x[i] >= 0) crossings.push(i - 1 + x[i - 1] / (x[i - 1] - x[i]));
  }
  return ((crossings.length - 1) / (crossings[crossings.length - 1] - crossings[0])) * rate;
}

/** RMS of the middle 80 %, away from the resampler's edge transients. */
function rms(x: Float32Array): number {
  let sum = 0;
  const a = Math.floor(x.length * 0.1);
  const b = Math.floor(x.length * 0.9);
  for (let i = a; i < b; i++) sum += x[i] * x[i];
  return Math.sqrt(sum / (b - a));
}

const db = (ratio: number): number => 20 * Math.log10(ratio);

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'loa-reference-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Writes a WAV, optionally encodes it with a real encoder, and returns the path of the result. */
function audioFile(name: string, channels: Float32Array[], rate: number, tool?: { cmd: string; args: (i: string, o: string) => string[] }, format: 'pcm16' | 'pcm24' = 'pcm16'): string {
  const wav = join(dir, tool ? `${name}.src.wav` : name);
  writeFileSync(wav, encodeWav(channels, rate, format));
  if (!tool) return wav;
  const out = join(dir, name);
  execFileSync(tool.cmd, tool.args(wav, out));
  return out;
}
const SOX = { cmd: '/usr/bin/sox', args: (i: string, o: string) => [i, o] };
const LAME = { cmd: 'lame', args: (i: string, o: string) => ['--quiet', '-b', '192', i, o] };
const OPUSENC = { cmd: 'opusenc', args: (i: string, o: string) => ['--quiet', '--bitrate', '128', i, o] };

async function rejection<T extends Error>(p: Promise<unknown>, type: new (...args: never[]) => T): Promise<T> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(type);
    return e as T;
  }
  throw new Error('expected a rejection');
}

describe('downmixToMono', () => {
  it('is the mean of the channels', () => {
    const y = downmixToMono([Float32Array.of(1, 0.5, 0), Float32Array.of(0, 0.5, -1), Float32Array.of(0.5, 0.5, 0.25)]);
    expect(Array.from(y)).toEqual([0.5, 0.5, -0.25]);
    expect(Array.from(downmixToMono([Float32Array.of(0.25, -0.75)]))).toEqual([0.25, -0.75]);
    expect(Array.from(downmixToMono([Float32Array.of(1, 2, 3), Float32Array.of(3, 2, 1)], 2))).toEqual([2, 2]);
  });
});

describe('importReference', () => {
  it('a 1 kHz stereo sine at 44.1 kHz becomes a mono 1 kHz sine at 16 kHz of the right length and level', async () => {
    const bytes = encodeWav([tone(1000, 44100, 88200, 0.5), tone(1000, 44100, 88200, 0.25)], 44100, 'pcm16');
    const clip = await importReference({ bytes, name: 'sine.wav' }, 16000);
    expect(clip).toMatchObject({ sampleRate: 16000, sourceRate: 44100, sourceChannels: 2, sourceFormat: 'wav-pcm16', durationSeconds: 2, notices: [] });
    expect(clip.samples.length).toBe(32000);
    expect(frequency(clip.samples, 16000)).toBeCloseTo(1000, 1);
    expect(Math.abs(db(rms(clip.samples) / (0.375 / Math.SQRT2)))).toBeLessThan(0.01); // (0.5 + 0.25) / 2, in phase
  });

  it('a 12 kHz sine at 48 kHz, above the 8 kHz Nyquist of 16 kHz, is attenuated by more than 80 dB (no aliasing)', async () => {
    const bytes = encodeWav([tone(12000, 48000, 48000, 0.5)], 48000, 'float32');
    const clip = await importReference({ bytes }, 16000);
    expect(clip.samples.length).toBe(16000);
    expect(db(rms(clip.samples) / (0.5 / Math.SQRT2))).toBeLessThan(-80);
  });

  it('six channels at the target rate are their mean, sample for sample (no resampling)', async () => {
    const channels = Array.from({ length: 6 }, (_, c) => tone(200 * (c + 1), 48000, 4800, 0.1 * (c + 1)));
    const bytes = encodeWav(channels, 48000, 'float32');
    const clip = await importReference({ bytes }, 48000);
    expect(clip.sourceChannels).toBe(6);
    expect(clip.samples).toEqual(downmixToMono((await decodeAudio(bytes)).channels));
  });

  it('keeps only the first 10 minutes of a longer clip, with a notice', async () => {
    const rate = 8000;
    const x = new Float32Array((MAX_REFERENCE_SECONDS + 1) * rate).fill(0.25);
    x.fill(-0.25, MAX_REFERENCE_SECONDS * rate); // the 601st second is different: it must not be in the clip
    const clip = await importReference({ bytes: encodeWav([x], rate, 'pcm16'), name: 'field-recording.wav' }, rate);
    expect(clip.samples.length).toBe(MAX_REFERENCE_SECONDS * rate);
    expect(clip.durationSeconds).toBe(600);
    expect(clip.samples.every((v) => v === 0.25)).toBe(true);
    expect(clip.notices).toEqual(['The clip is 10 min 1 s long: only its first 10 minutes are used as the reference.']);
  });

  it('refuses clips shorter than 0.1 s after resampling, and accepts 0.1 s', async () => {
    const short = encodeWav([tone(1000, 44100, 2205, 0.5)], 44100, 'pcm16'); // 50 ms
    const e = await rejection(importReference({ bytes: short, name: 'blip.wav' }, 16000), InvalidRequestError);
    expect(e.field).toBe('reference');
    expect(e.message).toBe('"blip.wav" is only 50 ms long; a reference needs at least 100 ms of sound.');
    expect(e.hint).toMatch(/longer clip/);
    const enough = await importReference({ bytes: encodeWav([tone(1000, 44100, 4410, 0.5)], 44100, 'pcm16') }, 16000);
    expect(enough.samples.length).toBe(1600);
  });

  it('passes the decoder notices on', async () => {
    const bytes = encodeWav([new Float32Array(16000)], 16000, 'pcm16');
    const clip = await importReference({ bytes, name: 'quiet.mp3' }, 16000);
    expect(clip.notices).toEqual(['The file is named .mp3 but is a WAV file; read as WAV.', 'The clip is silent (its loudest sample is below −80 dBFS), so it gives the model nothing to follow.']);
  });

  it('refuses a target rate that is not a sensible whole number of Hz', async () => {
    const bytes = encodeWav([tone(1000, 16000, 16000, 0.5)], 16000, 'pcm16');
    for (const rate of [0, 16000.5, 7999, 400_000, Number.NaN]) {
      expect((await rejection(importReference({ bytes }, rate), InvalidRequestError)).field).toBe('targetRate');
    }
  });
});

describe('importReferenceFile', () => {
  it('FLAC (24-bit, 6 channels, 96 kHz), Ogg Vorbis, MP3 and Opus files all become 16 kHz mono 1 kHz sines', async () => {
    const sine = (rate: number, seconds: number, amp = 0.5): Float32Array => tone(1000, rate, rate * seconds, amp);
    const cases = [
      {
        path: audioFile(
          'six.flac',
          Array.from({ length: 6 }, () => sine(96000, 1)),
          96000,
          SOX,
          'pcm24',
        ),
        format: 'flac',
        rate: 96000,
        channels: 6,
      },
      { path: audioFile('mono.ogg', [sine(22050, 2)], 22050, SOX), format: 'ogg-vorbis', rate: 22050, channels: 1 },
      { path: audioFile('stereo.mp3', [sine(44100, 2), sine(44100, 2)], 44100, LAME), format: 'mp3', rate: 44100, channels: 2 },
      { path: audioFile('stereo.opus', [sine(48000, 2), sine(48000, 2)], 48000, OPUSENC), format: 'ogg-opus', rate: 48000, channels: 2 },
    ];
    for (const c of cases) {
      const clip = await importReferenceFile(c.path, 16000);
      expect(clip, c.path).toMatchObject({ sampleRate: 16000, sourceRate: c.rate, sourceChannels: c.channels, sourceFormat: c.format, notices: [] });
      const seconds = c.rate === 96000 ? 1 : 2;
      expect(clip.samples.length, c.path).toBe(16000 * seconds); // every one of these decodes to its exact length
      expect(frequency(clip.samples, 16000), c.path).toBeCloseTo(1000, 1);
      expect(Math.abs(db(rms(clip.samples) / (0.5 / Math.SQRT2))), c.path).toBeLessThan(0.5);
    }
  });

  it('names the file in its errors: missing, a folder, not a regular file, not audio', async () => {
    const missing = join(dir, 'nope.wav');
    const e1 = await rejection(importReferenceFile(missing, 16000), LoaError);
    expect([e1.code, e1.message]).toEqual(['IO_FAILED', `Cannot import ${missing}: the file does not exist.`]);

    const folder = join(dir, 'a-folder.wav');
    mkdirSync(folder);
    expect((await rejection(importReferenceFile(folder, 16000), LoaError)).message).toBe(`Cannot import ${folder}: it is a folder, not an audio file.`);

    const fifo = join(dir, 'pipe.wav');
    execFileSync('mkfifo', [fifo]); // reading it would block forever: it must be refused, not opened
    expect((await rejection(importReferenceFile(fifo, 16000), LoaError)).message).toBe(`Cannot import ${fifo}: it is not a regular file.`);

    const text = join(dir, 'notes.bin');
    writeFileSync(text, 'not audio at all');
    const e4 = await rejection(importReferenceFile(text, 16000), AudioDecodeError);
    expect(e4.message).toMatch(/^"notes\.bin" is not in a format LOA Studio reads: it looks like text/);
  });

  it('refuses a file over 2 GiB from its size alone, without reading it', async () => {
    const huge = join(dir, 'huge.wav');
    const fd = openSync(huge, 'w');
    closeSync(fd);
    execFileSync('truncate', ['-s', '3G', huge]); // sparse: no disk space, and reading it would take seconds
    const started = Date.now();
    const e = await rejection(importReferenceFile(huge, 16000), AudioDecodeError);
    expect(e.message).toBe('"huge.wav" is 3.0 GiB; audio files over 2.0 GiB are not read.');
    expect(e.hint).toMatch(/at most 10 minutes/);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('reads the file it was given, whatever its name says', async () => {
    const path = audioFile('really-a-flac.wav.src', [tone(1000, 16000, 16000, 0.5)], 16000, { cmd: '/usr/bin/sox', args: (i, o) => [i, '-t', 'flac', o] });
    expect(readFileSync(path).subarray(0, 4).toString('latin1')).toBe('fLaC');
    const clip = await importReferenceFile(path, 16000);
    expect(clip.sourceFormat).toBe('flac');
    expect(clip.notices).toEqual([]); // ".src" promises no format
  });

  it.skipIf(process.getuid?.() === 0)('says so when the file cannot be read (permission denied)', async () => {
    const locked = audioFile('locked.wav', [tone(1000, 16000, 16000, 0.5)], 16000);
    chmodSync(locked, 0o000);
    expect((await rejection(importReferenceFile(locked, 16000), LoaError)).message).toBe(`Cannot import ${locked}: permission denied.`);
  });
});
