/**
 * Exports: takes (or a region of one) rendered into the Exports folder with the chosen format,
 * loudness and fades, named by template, and recorded in the library; the file a drag-out carries.
 */
import { InvalidRequestError } from '../../shared/errors.ts';
import type { ExportOptions, ExportRequest, ExportResult, TakeInfo } from '../../shared/studio/studio-api.ts';
import { DRAG_FADE_MS } from '../export/render-export.ts';
import { writeExport, type Exporter, type Region } from './export-writer.ts';
import type { OpenLibrary } from './open-library.ts';
import type { SettingsService } from './settings-service.ts';
import type { StudioEvents } from './studio-events.ts';
import type { WireViews } from './wire-views.ts';

export class ExportService {
  constructor(
    private readonly library: OpenLibrary,
    private readonly settings: SettingsService,
    private readonly events: StudioEvents,
    private readonly views: WireViews,
    private readonly exporter: Exporter,
  ) {}

  async exportTakes(request: ExportRequest): Promise<ExportResult[]> {
    if (request.region && request.takeIds.length !== 1) throw new InvalidRequestError('region', 'A region can only be exported from one take at a time.');
    const takes = await Promise.all(request.takeIds.map((id) => this.take(id))); // all known before anything is written
    const results: ExportResult[] = [];
    this.events.emit({ type: 'export', done: 0, total: takes.length });
    for (const [index, take] of takes.entries()) {
      results.push(await this.exportOne(take, request.options, index, request.region));
      this.events.emit({ type: 'export', done: index + 1, total: takes.length });
    }
    return results;
  }

  async prepareDrag(takeId: string, region?: Region): Promise<ExportResult> {
    const options = this.settings.current.exportDefaults;
    // A dragged region gets at least a short fade at each end, so the cut never clicks.
    const fades = region ? { fadeInMs: Math.max(options.fadeInMs, DRAG_FADE_MS), fadeOutMs: Math.max(options.fadeOutMs, DRAG_FADE_MS) } : {};
    return this.exportOne(await this.take(takeId), { ...options, ...fades }, 0, region);
  }

  private async take(takeId: string): Promise<TakeInfo> {
    return this.views.take(await this.library.store.take(takeId));
  }

  private async exportOne(take: TakeInfo, options: ExportOptions, index: number, region?: Region): Promise<ExportResult> {
    const { exportsDir, ucs } = this.settings.current;
    const store = this.library.store;
    const written = await writeExport(this.exporter, { take, source: store.file(take.id), exportsDir, options, ucs, index, region });
    store.addExport(take.id, written.path, options); // the library shows where a take went
    return { takeId: take.id, ...written, url: this.views.mediaUrl('export', written.fileName) };
  }
}
