/**
 * References: clips the user brought or sent from a take, kept as the engine sees them (mono
 * 32-bit float at the model rate) under the library's `References/` folder (see LibraryStore).
 */
import { createHash } from 'node:crypto';
import type { ReferenceInfo } from '../../shared/studio/studio-api.ts';

export type StoredReference = Omit<ReferenceInfo, 'audioUrl'>;

export interface NewReference {
  name: string;
  origin: ReferenceInfo['origin'];
  samples: Float32Array;
  sampleRate: number;
  notices: string[];
}

export function samplesSha256(samples: Float32Array): string {
  return createHash('sha256')
    .update(new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength))
    .digest('hex');
}
