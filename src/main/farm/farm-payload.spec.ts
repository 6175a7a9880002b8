import { describe, expect, it } from 'vitest';
import { InvalidRequestError } from '../../shared/errors.ts';
import { encodeWav } from '../audio/wav.ts';
import { checkFarmPayload, farmReference, MAX_REFERENCE_WAV_BYTES, samplesSha256 } from './farm-payload.ts';

const params = { prompt: 'rain on a tin roof', negativePrompt: '', seconds: 0.5, steps: 2, scheduler: 'ddim', guidance: 3, seed: 7, takes: 1 };

function refused(payload: unknown): InvalidRequestError {
  try {
    checkFarmPayload(payload);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidRequestError);
    return error as InvalidRequestError;
  }
  throw new Error('the payload was accepted');
}

describe('farm job payloads', () => {
  it('accepts a generate job and returns the engine task with every setting', () => {
    const checked = checkFarmPayload({ v: 1, kind: 'generate', params, model: { repo: 'cvssp/audioldm2', revision: 'main' } });
    expect(checked.task).toEqual({ kind: 'generate', params });
    expect(checked.model).toEqual({ repo: 'cvssp/audioldm2', revision: 'main' });
  });

  it('refuses settings the Studio API refuses, naming the field', () => {
    expect(refused({ v: 1, kind: 'generate', params: { ...params, steps: 'many' } }).field).toBe('steps');
    expect(refused({ v: 1, kind: 'generate', params: { ...params, seconds: 3600 } }).field).toBe('seconds');
    expect(refused({ v: 1, kind: 'generate', params: { ...params, script: 'rm -rf /' } }).field).toBe('script');
  });

  it('refuses a job without its seed (a retry must make the same takes)', () => {
    const { seed: _seed, ...noSeed } = params;
    expect(refused({ v: 1, kind: 'generate', params: noSeed }).field).toBe('params.seed');
  });

  it('refuses unknown fields, versions and kinds', () => {
    expect(refused({ v: 1, kind: 'generate', params, path: '/etc/passwd' }).message).toMatch(/path|Unrecognized/i);
    expect(refused({ v: 2, kind: 'generate', params }).field).toBe('payload.v');
    expect(refused({ v: 1, kind: 'embed', params }).field).toBe('payload.kind');
    expect(refused('{"v":1}').field).toBe('payload');
    expect(refused({ v: 1, kind: 'generate', params, model: { bundleHash: 'abc' } }).field).toBe('payload.model.bundleHash');
    expect(refused({ v: 1, kind: 'generate', params, model: {} }).field).toBe('payload.model');
  });

  it('carries a reference as WAV bytes checked against their SHA-256', () => {
    const samples = new Float32Array(16_000).map((_, i) => Math.sin(i / 10) * 0.5);
    const reference = farmReference('kick.wav', samples, 16_000);
    const transform = { op: 'vary', prompt: 'a kick', strength: 0.5, seed: 3, steps: 2, takes: 1 };
    const checked = checkFarmPayload({ v: 1, kind: 'transform', params: transform, reference });
    expect(checked.task.kind).toBe('transform');
    const task = checked.task as Extract<typeof checked.task, { kind: 'transform' }>;
    expect(Buffer.from(task.reference.buffer).equals(Buffer.from(samples.buffer))).toBe(true);
    expect(checked.reference).toEqual({ name: 'kick.wav', sha256: samplesSha256(samples), sampleRate: 16_000, seconds: 1 });

    const damaged = { ...reference, sha256: samplesSha256(samples.map((x) => x * 0.5)) };
    expect(refused({ v: 1, kind: 'transform', params: transform, reference: damaged }).field).toBe('payload.reference.sha256');
    expect(refused({ v: 1, kind: 'transform', params: transform, reference: { ...reference, name: '/home/me/kick.wav' } }).field).toBe('payload.reference.name');
    const stereo = Buffer.from(encodeWav([samples, samples], 16_000, 'float32')).toString('base64');
    expect(refused({ v: 1, kind: 'transform', params: transform, reference: { ...reference, wav: stereo } }).field).toBe('payload.reference.wav');
    expect(refused({ v: 1, kind: 'transform', params: transform }).field).toBe('payload.reference');
  });

  it('refuses a reference over the size limit before decoding it', () => {
    const wav = 'A'.repeat(Math.ceil(MAX_REFERENCE_WAV_BYTES / 3) * 4 + 4);
    const error = refused({ v: 1, kind: 'transform', params: { op: 'vary', prompt: 'x', strength: 0.5, seed: 1 }, reference: { name: 'big.wav', sha256: '0'.repeat(64), wav } });
    expect(error.field).toBe('payload.reference.wav');
    expect(error.message).toContain(String(MAX_REFERENCE_WAV_BYTES));
  });
});
