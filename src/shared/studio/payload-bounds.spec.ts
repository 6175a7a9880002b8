/**
 * Issue 12 §8: a deeply nested or huge argument is a validation error naming what is wrong, never
 * a stack overflow reported as an internal (inference) error. (dispatch.spec.ts in src/main/studio
 * checks the same 100 000-deep argument at the dispatcher.)
 */
import { describe, expect, it } from 'vitest';
import { InvalidRequestError } from '../errors.ts';
import { checkPayloadBounds, MAX_PAYLOAD_DEPTH, MAX_PAYLOAD_VALUES } from './payload-bounds.ts';
import { validateCall } from './studio-validate.ts';

/** What arrives over the WebSocket: JSON text, parsed (V8's JSON.parse itself does not recurse). */
const nested = (depth: number, open = '[', close = ']', leaf = '1') => JSON.parse(`${open.repeat(depth)}${leaf}${close.repeat(depth)}`) as unknown;

function rejection(run: () => unknown): InvalidRequestError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidRequestError);
    return error as InvalidRequestError;
  }
  throw new Error('accepted');
}

describe('checkPayloadBounds', () => {
  it('lets ordinary calls through', () => {
    expect(() => checkPayloadBounds([{ takeIds: Array.from({ length: 10_000 }, (_, i) => `t${i}`), options: { normalize: { kind: 'peak', dbfs: -1 } } }])).not.toThrow();
    expect(() => checkPayloadBounds(nested(MAX_PAYLOAD_DEPTH))).not.toThrow();
  });

  it('refuses nesting past the limit, in lists and in objects alike', () => {
    expect(rejection(() => checkPayloadBounds(nested(MAX_PAYLOAD_DEPTH + 1))).message).toMatch(/nested more than 32 levels/);
    expect(rejection(() => checkPayloadBounds(nested(100_000, '{"a":', '}'))).field).toBe('args');
  });

  it('refuses too many values, and stops counting at the limit', () => {
    const huge = new Array(MAX_PAYLOAD_VALUES * 50).fill(0);
    const started = performance.now();
    expect(rejection(() => checkPayloadBounds([huge])).message).toMatch(/more than 200000 values/);
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('refuses more than 16 MB of text', () => {
    expect(rejection(() => checkPayloadBounds(Array.from({ length: 20 }, () => 'x'.repeat(1024 ** 2)))).message).toMatch(/16 MB of text/);
  });
});

describe('a 100 000-deep argument at the door', () => {
  it('validateCall answers with a clear validation error, for the arguments and for the method name', () => {
    const error = rejection(() => validateCall('updateSettings', [{ theme: nested(100_000) }]));
    expect(error).toMatchObject({ code: 'INVALID_REQUEST', field: 'args' });
    expect(error.message).toMatch(/nested more than/);
    expect(rejection(() => validateCall(nested(100_000), [])).field).toBe('method');
  });
});
