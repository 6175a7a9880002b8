/**
 * Stored takes and references as the renderer receives them: with the URL its transport serves the
 * audio at, and peaks in their wire form. One place, so a take reads the same from every method.
 */
import type { LibraryPage, ReferenceInfo, TakeInfo } from '../../shared/studio/studio-api.ts';
import type { LibraryTake, SimilarTake } from '../library/library-types.ts';
import { stored } from './library-store.ts';
import { peaksForWire, reducePeaks, ROW_PEAK_PAIRS } from './peaks.ts';
import type { StoredReference } from './reference-store.ts';
import type { StoredTake } from './take-store.ts';

/** The URL a take, an export or a reference is served at (custom protocol in Electron, token URL in browser mode). */
export type MediaUrl = (kind: 'take' | 'export' | 'reference', id: string) => string;

export class WireViews {
  constructor(readonly mediaUrl: MediaUrl) {}

  take(take: StoredTake): TakeInfo {
    return { ...take, peaks: peaksForWire(take.peaks), audioUrl: this.mediaUrl('take', take.id) };
  }

  /** A library row: row-sized peaks (the detail view redraws from the audio itself). */
  libraryRow(take: LibraryTake): TakeInfo {
    const row = stored(take);
    return this.take({ ...row, peaks: reducePeaks(row.peaks, ROW_PEAK_PAIRS) });
  }

  reference(reference: StoredReference): ReferenceInfo {
    return { ...reference, audioUrl: this.mediaUrl('reference', reference.id) };
  }

  /** Takes ranked by sound as a library page, each with its similarity; `total` when the ranking was cut to a page. */
  rankedPage(ranked: SimilarTake[], total = ranked.length): LibraryPage {
    return { items: ranked.map((r) => this.libraryRow(r.take)), total, similarity: ranked.map((r) => r.similarity) };
  }
}
