/**
 * The library folder a test's server writes: find a take's WAV by its id (files are named
 * `Generations/YYYY-MM-DD/<slug>_<seed>_<id>.wav`) and read a WAV's sample bytes (its `data`
 * chunk), so two takes can be compared sample for sample whatever their metadata chunks say.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

function walk(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path, out);
    else out.push(path);
  }
  return out;
}

export function findTakeWav(libraryDir: string, takeId: string): string {
  const match = walk(join(libraryDir, 'Generations')).find((path) => path.endsWith(`_${takeId}.wav`));
  if (!match) throw new Error(`No WAV for take ${takeId} under ${libraryDir}/Generations`);
  return match;
}

/** The bytes of the first `data` chunk (the samples), and the chunk ids in file order. */
export function wavSamples(bytes: Uint8Array): { data: Buffer; chunks: string[] } {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buffer.toString('ascii', 0, 4) !== 'RIFF' || buffer.toString('ascii', 8, 12) !== 'WAVE') throw new Error('not a RIFF/WAVE file');
  const chunks: string[] = [];
  let data: Buffer | null = null;
  for (let offset = 12; offset + 8 <= buffer.length;) {
    const id = buffer.toString('ascii', offset, offset + 4);
    const size = buffer.readUInt32LE(offset + 4);
    chunks.push(id);
    if (id === 'data' && !data) data = buffer.subarray(offset + 8, offset + 8 + size);
    offset += 8 + size + (size % 2);
  }
  if (!data) throw new Error(`no data chunk (chunks: ${chunks.join(', ')})`);
  return { data, chunks };
}

export function readTakeSamples(libraryDir: string, takeId: string): { path: string; data: Buffer; chunks: string[] } {
  const path = findTakeWav(libraryDir, takeId);
  return { path, ...wavSamples(readFileSync(path)) };
}
