/**
 * Cue markers in a WAV file: a `cue ` chunk with one point per marker and a `LIST`/`adtl` chunk
 * naming each (`labl`), as in the Microsoft RIFF MCI spec (1991). DAWs and editors (Reaper, Sound
 * Forge, WaveLab, Audition) show them as markers, so a continued take's seam is where the new
 * audio starts in the session too.
 */
import type { WavChunk } from './wav.ts';
import { listChunk, listWavChunks, readListChunk } from './wav.ts';

export interface CueMarker {
  /** Sample frame the marker sits on. */
  frame: number;
  label: string;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** `cue ` and `LIST`/`adtl` for `markers` (none for an empty list). Cue point ids count from 1. */
export function cueChunks(markers: readonly CueMarker[]): WavChunk[] {
  if (markers.length === 0) return [];
  for (const m of markers) {
    if (!Number.isInteger(m.frame) || m.frame < 0 || m.frame > 0xffffffff) throw new RangeError(`cue: marker frame must be a whole number ≥ 0, got ${m.frame}`);
  }
  const cue = new Uint8Array(4 + 24 * markers.length);
  const cv = new DataView(cue.buffer);
  cv.setUint32(0, markers.length, true);
  markers.forEach((m, i) => {
    const at = 4 + 24 * i;
    cv.setUint32(at, i + 1, true); // dwName: the cue point id the labl names
    cv.setUint32(at + 4, m.frame, true); // dwPosition (no playlist: the sample offset)
    cue.set(encoder.encode('data'), at + 8); // fccChunk
    // dwChunkStart and dwBlockStart stay 0 (uncompressed data chunk)
    cv.setUint32(at + 20, m.frame, true); // dwSampleOffset
  });

  const labels = markers.map((m, i) => {
    const text = encoder.encode(`${m.label}\0`);
    const body = new Uint8Array(4 + text.length);
    new DataView(body.buffer).setUint32(0, i + 1, true);
    body.set(text, 4);
    return { id: 'labl', body };
  });
  return [{ id: 'cue ', body: cue }, listChunk('adtl', labels)];
}

/** The cue markers of a WAV file with their `labl` names ('' where none), in cue order. */
export function readCueMarkers(bytes: Uint8Array): CueMarker[] {
  const chunks = listWavChunks(bytes);
  const cue = chunks.find((c) => c.id === 'cue ');
  if (!cue || cue.body.length < 4) return [];
  const cv = new DataView(cue.body.buffer, cue.body.byteOffset, cue.body.byteLength);
  const points: Array<{ name: number; frame: number }> = [];
  for (let i = 0; i < cv.getUint32(0, true) && 4 + 24 * (i + 1) <= cue.body.length; i++) {
    points.push({ name: cv.getUint32(4 + 24 * i, true), frame: cv.getUint32(4 + 24 * i + 20, true) });
  }
  const names = new Map<number, string>();
  for (const part of readListChunk(bytes, 'adtl') ?? []) {
    if (part.id !== 'labl' || part.body.length < 4) continue;
    const text = part.body.subarray(4);
    const end = text.indexOf(0);
    names.set(new DataView(part.body.buffer, part.body.byteOffset, 4).getUint32(0, true), decoder.decode(end < 0 ? text : text.subarray(0, end)));
  }
  return points.map((pt) => ({ frame: pt.frame, label: names.get(pt.name) ?? '' }));
}

/** Seam markers in seconds as cue markers on a take of `frames` frames at `sampleRate`: rounded, kept inside the take. */
export function markersAtFrames(markers: readonly { at: number; label: string }[], sampleRate: number, frames: number): CueMarker[] {
  return markers.map((m) => ({ frame: Math.min(frames, Math.max(0, Math.round(m.at * sampleRate))), label: m.label }));
}
