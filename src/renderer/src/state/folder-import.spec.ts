import { describe, expect, it } from 'vitest';
import { LoaError } from '../../../shared/errors.ts';
import type { FolderImportReport } from '../../../shared/studio/studio-api.ts';
import { FolderImportState } from './folder-import.svelte.ts';
import { apiStandIn, deferred } from './studio-api.fixture.ts';

describe('FolderImportState', () => {
  it('imports the trimmed path once at a time and shows progress, then the report', async () => {
    const answer = deferred<FolderImportReport>();
    const { api, calls } = apiStandIn({ importFolder: () => answer.promise });
    const importer = new FolderImportState(api);
    importer.path = '   ';
    await importer.run();
    expect(calls).toEqual([]);
    importer.path = '  /home/me/Sounds ';
    const running = importer.run();
    void importer.run();
    importer.setProgress({ done: 3, total: 10, current: 'rain.wav', skipped: 1 });
    expect({ running: importer.running, progress: importer.progress }).toEqual({ running: true, progress: { done: 3, total: 10, current: 'rain.wav', skipped: 1 } });
    const report = { imported: 9, skipped: [{ path: '/home/me/Sounds/notes.txt', reason: 'not audio' }] };
    answer.resolve(report);
    await running;
    expect(calls).toEqual([{ method: 'importFolder', args: ['/home/me/Sounds'] }]);
    expect({ running: importer.running, report: importer.report }).toEqual({ running: false, report });
    importer.dismiss();
    expect({ report: importer.report, progress: importer.progress }).toEqual({ report: null, progress: null });
  });

  it('says why a folder could not be read', async () => {
    const missing = new LoaError('IO_FAILED', 'No folder at /nowhere.', 'Check the path.');
    const importer = new FolderImportState(
      apiStandIn({
        importFolder: async () => {
          throw missing;
        },
      }).api,
    );
    importer.path = '/nowhere';
    await importer.run();
    expect({ error: importer.error, report: importer.report, running: importer.running }).toEqual({ error: { message: missing.message, hint: missing.hint }, report: null, running: false });
  });
});
