/**
 * Files a newcomer would drop on the reference lane: a real stereo WAV written with the studio's
 * own encoder, and a text file wearing a .wav name. Plus a real drop of bytes onto an element
 * (a DataTransfer carried by dragenter/dragover/drop events, as a file manager's drag delivers it).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { encodeWav } from '../../src/main/audio/wav.ts';

/** A tone with a slow tremolo (so the waveform shows a shape), different in each channel. */
export function writeToneWav(dir: string, name: string, seconds = 2, sampleRate = 44_100): string {
  const frames = Math.round(seconds * sampleRate);
  const left = new Float32Array(frames);
  const right = new Float32Array(frames);
  for (let i = 0; i < frames; i++) {
    const t = i / sampleRate;
    const envelope = 0.35 + 0.25 * Math.sin(2 * Math.PI * 1.5 * t);
    left[i] = envelope * Math.sin(2 * Math.PI * 440 * t);
    right[i] = envelope * Math.sin(2 * Math.PI * 660 * t);
  }
  const path = join(dir, name);
  writeFileSync(path, encodeWav([left, right], sampleRate, 'pcm16'));
  return path;
}

export function writeTextAsWav(dir: string, name: string): string {
  const path = join(dir, name);
  writeFileSync(path, 'These are my session notes, not audio.\n'.repeat(8));
  return path;
}

interface DropPage {
  atob(data: string): string;
  File: new (parts: Uint8Array[], name: string, options: { type: string }) => unknown;
  DataTransfer: new () => { items: { add(file: unknown): void } };
  DragEvent: new (type: string, init: { bubbles: boolean; cancelable: boolean; dataTransfer: unknown }) => unknown;
  document: { querySelector(selector: string): { dispatchEvent(event: unknown): boolean } | null };
}

/** Drops `bytes` as a file named `name` on the element `selector` matches. */
export async function dropFile(page: Page, selector: string, name: string, bytes: Uint8Array, type = 'audio/wav'): Promise<void> {
  await page.evaluate(
    ({ selector, name, base64, type }) => {
      const w = globalThis as unknown as DropPage;
      const binary = w.atob(base64);
      const data = new Uint8Array(binary.length);
      for (let i = 0; i < binary.length; i++) data[i] = binary.charCodeAt(i);
      const transfer = new w.DataTransfer();
      transfer.items.add(new w.File([data], name, { type }));
      const target = w.document.querySelector(selector);
      if (!target) throw new Error(`nothing matches ${selector}`);
      for (const kind of ['dragenter', 'dragover', 'drop']) target.dispatchEvent(new w.DragEvent(kind, { bubbles: true, cancelable: true, dataTransfer: transfer }));
    },
    { selector, name, base64: Buffer.from(bytes).toString('base64'), type },
  );
}
