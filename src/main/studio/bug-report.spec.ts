import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CancelledError, DiskFullError, InternalError, toErrorEnvelope } from '../../shared/errors.ts';
import { tempDir } from '../engine/testing/tiny-bundle.ts';
import { BugReporter } from './bug-report.ts';

describe('BugReporter', () => {
  let scratch: Awaited<ReturnType<typeof tempDir>>;
  let reporter: BugReporter;
  beforeAll(async () => {
    scratch = await tempDir('loa-bug-report-');
    reporter = new BugReporter(join(scratch.path, 'logs', 'studio.log'));
  });
  afterAll(() => scratch.remove());

  it('passes our typed errors through untouched, and a full disk as DiskFullError, logging neither', async () => {
    const cancelled = new CancelledError();
    expect(reporter.report(cancelled, 'cancel')).toBe(cancelled);
    expect(reporter.report(Object.assign(new Error('write failed'), { code: 'ENOSPC' }), 'export')).toBeInstanceOf(DiskFullError);
    await expect(readFile(reporter.logFile, 'utf8')).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('turns a bug into an InternalError that names the log, and logs its stack once however often it is reported', async () => {
    const bug = new TypeError("Cannot read properties of undefined (reading 'id')");
    const reported = reporter.report(bug, 'Studio API getTake');
    expect(toErrorEnvelope(reported)).toEqual({
      name: 'InternalError',
      code: 'INTERNAL',
      message: "Internal error: Cannot read properties of undefined (reading 'id')",
      hint: `This is a bug in LOA Studio, not a problem with your files or model. Please report it with this message, what you were doing, and the log at ${reporter.logFile}. Trying again may work.`,
    });
    expect(reporter.report(reported, 'again')).toBe(reported);
    const log = await readFile(reporter.logFile, 'utf8');
    expect(log.match(/failed unexpectedly/g)).toHaveLength(1);
    expect(log).toContain("Studio API getTake failed unexpectedly: TypeError: Cannot read properties of undefined (reading 'id')");
  });

  it('re-hints an internal error that came from the engine process (its own hint cannot know the log)', () => {
    const fromEngine = new InternalError('tensor shape mismatch');
    const reported = reporter.report(fromEngine, 'Job 1');
    expect(reported.message).toBe('Internal error: tensor shape mismatch');
    expect(reported.hint).toContain(reporter.logFile);
  });
});
