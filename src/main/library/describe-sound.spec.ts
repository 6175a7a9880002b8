import { describe, expect, it } from 'vitest';
import { InvalidRequestError } from '../../shared/errors.ts';
import { rankSoundWords, wordMatrix } from './describe-sound.ts';

const words = ['rain', 'glass', 'engine', 'dog'];
// Not unit length: wordMatrix normalises each row.
const vectors = [Float32Array.of(2, 0, 0), Float32Array.of(0, 3, 0), Float32Array.of(0, 0, 1), Float32Array.of(1, 1, 0)];

describe('rankSoundWords', () => {
  it('ranks words by cosine with the clip, best first, k of them', () => {
    const ranked = rankSoundWords(Float32Array.of(1, 0.2, 0), words, wordMatrix(vectors), 3);
    expect(ranked.map((w) => w.word)).toEqual(['rain', 'dog', 'glass']);
    expect(ranked[0].score).toBeCloseTo(1 / Math.hypot(1, 0.2), 6);
    expect(ranked[1].score).toBeCloseTo(1.2 / (Math.hypot(1, 0.2) * Math.SQRT2), 6);
  });

  it('refuses a clip from a model with another embedding size, with a typed error', () => {
    expect(() => rankSoundWords(Float32Array.of(1, 0), words, wordMatrix(vectors), 3)).toThrow(InvalidRequestError);
  });

  it('refuses word vectors of different sizes', () => {
    expect(() => wordMatrix([Float32Array.of(1, 0), Float32Array.of(1, 0, 0)])).toThrow(RangeError);
  });
});
