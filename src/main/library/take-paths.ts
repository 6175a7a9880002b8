/**
 * Where a new take's WAV goes, decided before it is written (the name carries the take's id):
 * `Generations/YYYY-MM-DD/<prompt-slug>_<seed>_<id>.wav`, the same layout JsonTakeStore used, so
 * libraries made before the database keep their paths.
 */
import { randomUUID } from 'node:crypto';
import { promptSlug } from '../export/file-name.ts';
import { GENERATIONS_DIR } from './library-files.ts';

export function newTakeId(): string {
  return randomUUID().replaceAll('-', '');
}

/** The user's calendar day, not UTC: a take made at 23:30 belongs to today's folder. */
export function localDate(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/**
 * Library-relative, '/'-separated. The slug matches exported file names, so a take and its exports
 * sort together. A variation grid's take carries its own strength too (`<slug>_s0.25_<seed>_<id>`),
 * so the cells of a grid are told apart by name.
 */
export function generationFile(createdAt: Date, prompt: string, seed: number, id: string, strength?: number): string {
  const cell = strength === undefined ? '' : `_s${strength}`;
  return `${GENERATIONS_DIR}/${localDate(createdAt)}/${promptSlug(prompt)}${cell}_${seed}_${id}.wav`;
}
