import { describe, expect, it } from 'vitest';
import { takeIdInFileName } from '../../shared/library/take-file-name.ts';
import { generationFile } from './take-paths.ts';

describe('generationFile', () => {
  const at = new Date(2026, 11, 3, 12, 0, 0);
  const id = 'a'.repeat(32);

  it('names a take by prompt, seed and id', () => {
    expect(generationFile(at, 'Glass shattering', 7, id)).toBe(`Generations/2026-12-03/glass-shattering_7_${id}.wav`);
  });

  it('names each take of a variation grid by its own strength and seed too (issue 13), and the id still reads back', () => {
    const cells = [0.25, 0.5, 0.75].flatMap((strength) => [7, 8].map((seed) => generationFile(at, 'a low hum', seed, id, strength)));
    expect(cells).toContain(`Generations/2026-12-03/a-low-hum_s0.25_7_${id}.wav`);
    expect(cells).toContain(`Generations/2026-12-03/a-low-hum_s0.75_8_${id}.wav`);
    expect(new Set(cells).size).toBe(6);
    for (const cell of cells) expect(takeIdInFileName(cell.split('/').pop()!)).toBe(id);
  });
});
