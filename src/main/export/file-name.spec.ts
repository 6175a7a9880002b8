import { describe, expect, it } from 'vitest';
import { InvalidRequestError } from '../../shared/errors.ts';
import { DEFAULT_TEMPLATE, UCS_TEMPLATE, fileNameFor, fxName, promptSlug, sanitizeStem, uniqueName } from './file-name.ts';

const take = (prompt: string, seed = 1234, rank = 1) => ({ id: 'take-1', seed, rank, params: { prompt } });
const ucs = { catId: 'GLASBrk', creator: 'JDoe', source: 'LOAStudio' };
const day = new Date(2024, 0, 5, 23, 59); // local time: 5 January 2024
const WINDOWS_FORBIDDEN = /[\\/:*?"<>|\u0000-\u001f\u007f]/;

describe('promptSlug and fxName', () => {
  it('"Glass/Shatter: *BIG* café ✨" → ASCII words', () => {
    expect(promptSlug('Glass/Shatter: *BIG* café ✨')).toBe('glass-shatter-big-cafe');
    expect(fxName('Glass/Shatter: *BIG* café ✨')).toBe('Glass Shatter BIG Cafe');
  });

  it('strips accents, folds ß/æ/ø, drops apostrophes and fullwidth forms', () => {
    expect(promptSlug("Straße, Æsir's smørrebrød — Ｄｏｏｒ")).toBe('strasse-aesirs-smorrebrod-door');
    expect(fxName('dog_barking  far-away')).toBe('Dog Barking Far Away');
  });

  it('falls back to untitled when nothing survives slugging', () => {
    expect(promptSlug('✨🔥 !!! ///')).toBe('untitled');
    expect(promptSlug('')).toBe('untitled');
    expect(fxName('🔥')).toBe('Untitled');
  });

  it('caps a 300-character prompt at whole words: slug ≤ 48, FXName ≤ 60', () => {
    const long = 'thunder rolling over distant hills '.repeat(9).slice(0, 300);
    expect(long.length).toBe(300);
    expect(promptSlug(long)).toBe('thunder-rolling-over-distant-hills-thunder');
    expect(fxName(long)).toBe('Thunder Rolling Over Distant Hills Thunder Rolling Over');
    expect(promptSlug('x'.repeat(300))).toBe('x'.repeat(48));
  });
});

describe('fileNameFor', () => {
  it('fills the default template: {prompt-slug}_{seed}_{take}.wav', () => {
    expect(fileNameFor(DEFAULT_TEMPLATE, take('Glass/Shatter: *BIG* café ✨', 42, 3), ucs, 1, day)).toBe('glass-shatter-big-cafe_42_3.wav');
  });

  it('fills the UCS template with exactly three underscores', () => {
    const name = fileNameFor(UCS_TEMPLATE, take('Glass/Shatter: *BIG* café ✨'), ucs, 1, day);
    expect(name).toBe('GLASBrk_Glass Shatter BIG Cafe_JDoe_LOAStudio.wav');
    expect(name.split('_')).toHaveLength(4);
    // A UCS block typed with '_' or a forbidden character cannot add a block or break the name.
    const messy = fileNameFor(UCS_TEMPLATE, take('door'), { catId: 'DOOR_Wood', creator: 'J/Doe', source: 'My:Lib' }, 1, day);
    expect(messy).toBe('DOOR-Wood_Door_J-Doe_My-Lib.wav');
  });

  it('pads numbers ({take:02}, {index:3}) and fills {date} and {index}', () => {
    expect(fileNameFor('{prompt-slug}_{seed}_{take:02}', take('rain', 7, 2), ucs, 1, day)).toBe('rain_7_02.wav');
    expect(fileNameFor('{date}-{index:3}-{prompt-slug}', take('rain'), ucs, 12, day)).toBe('20240105-012-rain.wav');
  });

  it('is safe on every OS for awkward prompts and templates', () => {
    const prompts = ['Glass/Shatter: *BIG* café ✨', '', '...', 'a'.repeat(300), 'con', 'tab\there "quoted" <x>|y?'];
    const templates = [DEFAULT_TEMPLATE, UCS_TEMPLATE, '{prompt-slug}', '{fx-name}', '. {prompt-slug} .'];
    for (const p of prompts) {
      for (const t of templates) {
        const name = fileNameFor(t, take(p), ucs, 1, day);
        expect(name).toMatch(/\.wav$/);
        expect(name).not.toMatch(WINDOWS_FORBIDDEN);
        expect(name).not.toMatch(/^[ .]/);
        expect(name.slice(0, -4)).not.toMatch(/[ .]$/);
        expect(new TextEncoder().encode(name).length).toBeLessThanOrEqual(184);
      }
    }
  });

  it('never yields a Windows reserved device name ("con")', () => {
    expect(fileNameFor('{prompt-slug}', take('con'), ucs, 1, day)).toBe('con_.wav');
    expect(fileNameFor('{fx-name}', take('CON'), ucs, 1, day)).toBe('CON_.wav');
    expect(fileNameFor(DEFAULT_TEMPLATE, take('con'), ucs, 1, day)).toBe('con_1234_1.wav'); // "con_1234_1" is not reserved
    expect(sanitizeStem('nul.take')).toBe('nul_.take');
    expect(sanitizeStem('LPT1 ')).toBe('LPT1_');
    expect(sanitizeStem('com¹')).toBe('com¹_');
    expect(sanitizeStem('console')).toBe('console');
  });

  it('does not double the extension and keeps a template’s literal text', () => {
    expect(fileNameFor('sfx {prompt-slug}.WAV', take('wind'), ucs, 1, day)).toBe('sfx wind.wav');
  });

  it('caps a long literal template at 180 UTF-8 bytes without splitting a character', () => {
    const name = fileNameFor(`${'é'.repeat(200)}{seed}`, take('x'), ucs, 1, day);
    expect(new TextEncoder().encode(name.slice(0, -4)).length).toBe(180);
    expect(name).toBe(`${'é'.repeat(90)}.wav`);
  });

  it('rejects an unknown placeholder with the field named', () => {
    try {
      fileNameFor('{prompt}_{seed}', take('x'), ucs, 1, day);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(InvalidRequestError);
      expect((e as InvalidRequestError).field).toBe('nameTemplate');
      expect((e as Error).message).toContain('{prompt}');
    }
  });
});

describe('uniqueName', () => {
  it('returns the name when free, else appends -2, -3 … before the extension', () => {
    expect(uniqueName(new Set(), 'rain_7_1.wav')).toBe('rain_7_1.wav');
    expect(uniqueName(new Set(['rain_7_1.wav']), 'rain_7_1.wav')).toBe('rain_7_1-2.wav');
    expect(uniqueName(new Set(['rain_7_1.wav', 'rain_7_1-2.wav']), 'rain_7_1.wav')).toBe('rain_7_1-3.wav');
  });

  it('compares case-insensitively and Unicode-normalised, like the macOS and Windows file systems', () => {
    expect(uniqueName(new Set(['RAIN.WAV']), 'rain.wav')).toBe('rain-2.wav');
    expect(uniqueName(new Set(['cafe\u0301.wav']), 'café.wav')).toBe('café-2.wav');
  });
});
