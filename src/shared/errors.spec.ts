import { describe, expect, it } from 'vitest';
import { AudioDecodeError, asLoaError, DiskFullError, fromErrorEnvelope, InternalError, isDiskFull, toErrorEnvelope } from './errors.ts';

describe('errors that are not ours', () => {
  it('become an internal error that asks for a report, never the model-bundle hint', () => {
    for (const thrown of [new TypeError("Cannot read properties of null (reading 'x')"), new RangeError('Invalid typed array length: 64000000000'), 'a string', 42, null]) {
      const envelope = toErrorEnvelope(thrown);
      expect(envelope).toMatchObject({ code: 'INTERNAL', name: 'InternalError' });
      expect(envelope.message).toMatch(/^Internal error: /);
      expect(envelope.hint).toMatch(/report/i);
      expect(envelope.hint).not.toMatch(/bundle|models verify/);
    }
  });

  it('turns a full disk into DiskFullError, from Node (ENOSPC, EDQUOT) and SQLite (SQLITE_FULL) alike', () => {
    const enospc = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    const sqlite = Object.assign(new Error('database or disk is full'), { name: 'SqliteError', code: 'SQLITE_FULL' });
    for (const e of [enospc, sqlite, Object.assign(new Error('quota'), { code: 'EDQUOT' })]) {
      expect(isDiskFull(e)).toBe(true);
      expect(asLoaError(e)).toBeInstanceOf(DiskFullError);
      expect(toErrorEnvelope(e)).toMatchObject({ code: 'DISK_FULL', name: 'DiskFullError' });
    }
    expect(isDiskFull(new Error('x'))).toBe(false);
  });

  it('passes our own errors through and rebuilds DiskFullError from its envelope', () => {
    const decode = new AudioDecodeError('bad', 'do this');
    expect(asLoaError(decode)).toBe(decode);
    const rebuilt = fromErrorEnvelope(toErrorEnvelope(new DiskFullError('/x/library.sqlite')));
    expect(rebuilt).toBeInstanceOf(DiskFullError);
    expect(rebuilt.message).toBe('The disk is full: could not write /x/library.sqlite.');
    expect(new InternalError('boom').code).toBe('INTERNAL');
  });
});
