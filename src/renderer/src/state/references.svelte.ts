/**
 * The reference lane's clips: the list (newest first), the one in the lane, the region selected
 * on its waveform, and an import in progress or the reason the last one failed.
 */
import type { ReferenceInfo, SoundWord } from '../../../shared/studio/studio-api.ts';
import type { StudioClient } from '../api/studio-client.ts';
import { errorText, type ErrorText } from '../lib/error-text.ts';
import type { Region } from './takes.svelte.ts';

/** The lane's player id: reference ids and take ids must never meet in the playback owner. */
export function referencePlayerId(referenceId: string): string {
  return `ref:${referenceId}`;
}

export class ReferencesState {
  /** Raw: each reference carries ~4000 peaks. */
  references = $state.raw<ReferenceInfo[]>([]);
  currentId = $state<string | null>(null);
  region = $state<Region | null>(null);
  /** The name of the file or take being imported, for "Importing …". */
  importing = $state<string | null>(null);
  error = $state<ErrorText | null>(null);
  /** Describe's words for the reference (or its region) as it stands; null before, or after a change. */
  words = $state.raw<SoundWord[] | null>(null);
  describing = $state(false);

  current = $derived(this.references.find((r) => r.id === this.currentId) ?? null);

  constructor(private readonly api: StudioClient) {}

  load = async (): Promise<void> => {
    this.references = await this.api.listReferences();
    if (this.currentId === null || !this.current) this.currentId = this.references[0]?.id ?? null;
  };

  upsert = (reference: ReferenceInfo): void => {
    const others = this.references.filter((r) => r.id !== reference.id);
    this.references = [reference, ...others].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  };

  byId = (id: string | undefined): ReferenceInfo | null => (id ? (this.references.find((r) => r.id === id) ?? null) : null);

  select = (id: string): void => {
    if (id === this.currentId) return;
    this.currentId = id;
    this.region = null;
    this.error = null;
    this.words = null;
  };

  setRegion = (region: Region | null): void => {
    this.region = region;
    this.words = null;
  };

  /** Asks CLAP which words fit the reference (its selected region if any); errors go to the caller. */
  describe = async (): Promise<void> => {
    const id = this.currentId;
    if (id === null || this.describing) return;
    const region = this.region;
    this.describing = true;
    try {
      const words = await this.api.describeReference(id, region ? { start: region.start, end: region.end } : undefined);
      // Still the same sound? Otherwise these words describe something no longer shown.
      if (this.currentId === id && this.region === region) this.words = words;
    } finally {
      this.describing = false;
    }
  };

  /** The selection on the lane's waveform, for the playback owner. */
  regionForPlayer = (playerId: string): Region | null => (this.currentId !== null && playerId === referencePlayerId(this.currentId) ? this.region : null);

  importFile = (file: File): Promise<ReferenceInfo | null> => this.run(file.name, () => this.api.referenceFromFile(file));

  importTake = (takeId: string, region: Region | null, label: string): Promise<ReferenceInfo | null> =>
    this.run(label, () => this.api.importReference({ kind: 'take', takeId, ...(region ? { region: { start: region.start, end: region.end } } : {}) }));

  dismissError = (): void => {
    this.error = null;
  };

  private run = async (label: string, work: () => Promise<ReferenceInfo>): Promise<ReferenceInfo | null> => {
    this.importing = label;
    this.error = null;
    try {
      const reference = await work();
      this.upsert(reference);
      this.currentId = reference.id;
      this.region = null;
      this.words = null;
      return reference;
    } catch (error) {
      this.error = errorText(error);
      return null;
    } finally {
      this.importing = null;
    }
  };
}
