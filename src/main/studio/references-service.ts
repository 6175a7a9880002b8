/**
 * References: clips to continue, vary, inpaint or loop, made from a file, a browser upload or a take
 * (a region of it), decoded off the main thread and resampled to the model's rate; described in words
 * and matched against the library by sound.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { InvalidRequestError } from '../../shared/errors.ts';
import type { LibraryPage, ReferenceInfo, ReferenceSourceRequest, SoundWord } from '../../shared/studio/studio-api.ts';
import { importReferenceOffThread } from '../audio/reference-import-thread.ts';
import { decodeWav, encodeWav } from '../audio/wav.ts';
import type { Region } from './export-writer.ts';
import type { ModelsService } from './models-service.ts';
import type { OpenLibrary } from './open-library.ts';
import type { NewReference } from './reference-store.ts';
import type { SoundWordMatrix } from './sound-word-matrix.ts';
import type { StudioEvents } from './studio-events.ts';
import type { UploadStore } from './upload-store.ts';
import type { WireViews } from './wire-views.ts';

/** A region in seconds as [from, to) sample frames (outward to whole frames, inside the clip); null when no frame is left. */
export function regionSpan(length: number, sampleRate: number, region: Region): [number, number] | null {
  const from = Math.max(0, Math.floor(region.start * sampleRate));
  const to = Math.min(length, Math.ceil(region.end * sampleRate));
  return to - from < 1 ? null : [from, to];
}

export class ReferencesService {
  constructor(
    private readonly library: OpenLibrary,
    private readonly models: ModelsService,
    private readonly words: SoundWordMatrix,
    private readonly events: StudioEvents,
    private readonly views: WireViews,
    /** Browser mode: where POSTed uploads wait to be imported. */
    private readonly uploads: UploadStore | undefined,
  ) {}

  async importReference(source: ReferenceSourceRequest): Promise<ReferenceInfo> {
    return this.library.whileWriting('import', async () => {
      const clip = await this.clip(source, await this.models.engine.sampleRate());
      const info = this.views.reference(await this.library.store.addReference(clip));
      this.events.emit({ type: 'reference', reference: info });
      return info;
    });
  }

  /** The clip a source names, mono at the model's rate. */
  private async clip(source: ReferenceSourceRequest, rate: number): Promise<NewReference> {
    if (source.kind === 'file') {
      const clip = await importReferenceOffThread({ path: source.path, targetRate: rate });
      return { name: basename(source.path), origin: { kind: 'file', path: source.path }, samples: clip.samples, sampleRate: rate, notices: clip.notices };
    }
    if (source.kind === 'upload') {
      if (!this.uploads) throw new InvalidRequestError('source', 'Uploads are only taken in browser mode.', 'Drop the file on the reference lane.');
      const clip = await importReferenceOffThread({ bytes: await this.uploads.take(source.uploadId), name: source.name, targetRate: rate });
      return { name: source.name, origin: { kind: 'file', path: null }, samples: clip.samples, sampleRate: rate, notices: clip.notices };
    }
    const store = this.library.store;
    const take = await store.take(source.takeId);
    let samples = decodeWav(new Uint8Array(await readFile(store.file(take.id)))).channels[0];
    const region = source.region ?? null;
    if (region) {
      const span = regionSpan(samples.length, take.sampleRate, region);
      if (!span) throw new InvalidRequestError('region', 'The selected region is empty.', 'Select a longer region.');
      samples = samples.slice(...span);
    }
    const clip = take.sampleRate === rate ? { samples, notices: [] } : await importReferenceOffThread({ bytes: encodeWav([samples], take.sampleRate, 'float32'), targetRate: rate });
    const name = `take ${take.rank} of “${take.params.prompt.slice(0, 40)}”${region ? ` ${region.start.toFixed(2)}–${region.end.toFixed(2)} s` : ''}`;
    return { name, origin: { kind: 'take', takeId: take.id, region }, samples: clip.samples, sampleRate: rate, notices: clip.notices };
  }

  async listReferences(): Promise<ReferenceInfo[]> {
    return this.library.store.listReferences().map((r) => this.views.reference(r));
  }

  async describeReference(referenceId: string, region?: Region): Promise<SoundWord[]> {
    return this.words.describe(await this.embedding(referenceId, region));
  }

  async takesLikeReference(referenceId: string, limit: number): Promise<LibraryPage> {
    return this.views.rankedPage(this.library.store.rankByEmbedding(await this.embedding(referenceId), limit));
  }

  /** The CLAP audio embedding of a reference (or a region of it), made by the engine on demand. */
  private async embedding(referenceId: string, region?: Region): Promise<Float32Array> {
    const store = this.library.store;
    const reference = store.reference(referenceId);
    let samples = await store.referenceSamples(referenceId);
    if (region) {
      const span = regionSpan(samples.length, reference.sampleRate, region);
      if (!span)
        throw new InvalidRequestError('region', `The region ${region.start}–${region.end} s is outside the reference (${reference.durationS.toFixed(2)} s).`, 'Select a region inside the clip.');
      samples = samples.subarray(...span);
    }
    return this.models.embedClip(samples);
  }
}
