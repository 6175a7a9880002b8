import { describe, expect, it } from 'vitest';
import { InvalidRequestError } from '../errors.ts';
import type { ExportOptions } from './studio-api.ts';
import { validateCall } from './studio-validate.ts';

const options: ExportOptions = {
  format: 'pcm24',
  sampleRate: 48000,
  normalize: { kind: 'peak', dbfs: -1 },
  fadeInMs: 0,
  fadeOutMs: 5,
  nameTemplate: '{prompt-slug}_{seed}_{take}',
};
const TAKE = 'a1b2c3';

/** The InvalidRequestError a call throws (fails the test if it doesn't throw one). */
function rejection(method: unknown, args: unknown): InvalidRequestError {
  try {
    validateCall(method, args);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidRequestError);
    return error as InvalidRequestError;
  }
  throw new Error(`validateCall(${String(method)}) accepted ${JSON.stringify(args)}`);
}

describe('validateCall: good calls pass through, typed', () => {
  it('accepts every method with well-formed arguments', () => {
    expect(validateCall('getModelStatus', [])).toEqual({ method: 'getModelStatus', args: [] });
    expect(validateCall('importModel', ['/models/audioldm2'])).toEqual({ method: 'importModel', args: ['/models/audioldm2'] });
    expect(validateCall('downloadModel', ['https://example.org/b/manifest.json']).args).toEqual(['https://example.org/b/manifest.json']);
    expect(validateCall('cancel', ['job-1']).args).toEqual(['job-1']);
    expect(validateCall('getTake', [TAKE]).args).toEqual([TAKE]);
    expect(validateCall('updateTake', [TAKE, { rating: 5 }]).args).toEqual([TAKE, { rating: 5 }]);
    expect(validateCall('updateTake', [TAKE, { favourite: false }]).args).toEqual([TAKE, { favourite: false }]);
    expect(validateCall('exportTakes', [{ takeIds: [TAKE, 'b'], options }]).args).toEqual([{ takeIds: [TAKE, 'b'], options }]);
    expect(validateCall('exportTakes', [{ takeIds: [TAKE], region: { start: 0.5, end: 1 }, options }]).args[0]).toMatchObject({ region: { start: 0.5, end: 1 } });
    expect(validateCall('updateSettings', [{ theme: 'light', device: 'cpu', ucs: { catId: 'DOORWood', creator: 'JD', source: 'LOA' } }]).args[0]).toEqual({
      theme: 'light',
      device: 'cpu',
      ucs: { catId: 'DOORWood', creator: 'JD', source: 'LOA' },
    });
  });

  it("keeps only the generate fields the caller set, so defaults and the random seed stay the service's job", () => {
    expect(validateCall('generate', [{ prompt: 'rain on a tin roof' }]).args).toEqual([{ prompt: 'rain on a tin roof' }]);
    expect(validateCall('generate', [{ prompt: 'rain', seconds: '2.5', takes: 3, seed: 0 }]).args).toEqual([{ prompt: 'rain', seconds: 2.5, takes: 3, seed: 0 }]);
  });

  it('treats a null or missing optional region (JSON drops undefined) as absent', () => {
    expect(validateCall('prepareDrag', [TAKE]).args).toEqual([TAKE]);
    expect(validateCall('prepareDrag', [TAKE, null]).args).toEqual([TAKE]);
    expect(validateCall('prepareDrag', [TAKE, { start: 0, end: 600 }]).args).toEqual([TAKE, { start: 0, end: 600 }]);
    expect(validateCall('exportTakes', [{ takeIds: [TAKE, 'b'], region: null, options }]).args[0]).not.toHaveProperty('region');
  });

  it('accepts zero-padded and UCS templates', () => {
    const ucs = { ...options, nameTemplate: '{cat-id}_{fx-name}_{creator}_{source}' };
    expect(validateCall('exportTakes', [{ takeIds: [TAKE], options: ucs }]).method).toBe('exportTakes');
    expect(validateCall('exportTakes', [{ takeIds: [TAKE], options: { ...options, nameTemplate: 'sfx {prompt-slug} ({take:02})' } }]).method).toBe('exportTakes');
    expect(validateCall('exportTakes', [{ takeIds: [TAKE], options: { ...options, nameTemplate: '{date}-{index:03}' } }]).method).toBe('exportTakes');
  });
});

describe('validateCall: bad calls are refused with the field named', () => {
  it('refuses unknown methods, including prototype names', () => {
    for (const method of ['deleteEverything', 'constructor', '__proto__', 'toString', 'onEvent', '', 42, null]) {
      expect(rejection(method, []).field).toBe('method');
    }
  });

  it('refuses wrong arity and non-list arguments', () => {
    expect(rejection('getModelStatus', [1]).field).toBe('args');
    expect(rejection('updateTake', [TAKE]).field).toBe('args');
    expect(rejection('getTake', [TAKE, 1]).field).toBe('args');
    expect(rejection('prepareDrag', []).field).toBe('args');
    expect(rejection('prepareDrag', [TAKE, null, null]).field).toBe('args');
    expect(rejection('cancel', 'job-1').field).toBe('args');
    expect(rejection('cancel', { 0: 'job-1', length: 1 }).field).toBe('args');
  });

  const cases: Array<[string, string, unknown[], string]> = [
    ['generate: empty prompt', 'generate', [{ prompt: '  ' }], 'prompt'],
    ['generate: not an object', 'generate', ['rain'], 'request'],
    ['generate: unknown key', 'generate', [{ prompt: 'x', model: '/etc' }], 'model'],
    ['generate: steps out of range', 'generate', [{ prompt: 'x', steps: 5000 }], 'steps'],
    ['generate: seconds NaN', 'generate', [{ prompt: 'x', seconds: 'abc' }], 'seconds'],
    ['generate: negative seed', 'generate', [{ prompt: 'x', seed: -1 }], 'seed'],
    ['generate: 17 takes', 'generate', [{ prompt: 'x', takes: 17 }], 'takes'],
    ['generate: bad scheduler', 'generate', [{ prompt: 'x', scheduler: 'euler' }], 'scheduler'],
    ['cancel: traversal as id', 'cancel', ['../x'], 'jobId'],
    ['cancel: number id', 'cancel', [7], 'jobId'],
    ['getTake: id too long', 'getTake', ['a'.repeat(65)], 'takeId'],
    ['getTake: id with a slash', 'getTake', ['a/b'], 'takeId'],
    ['updateTake: rating 6', 'updateTake', [TAKE, { rating: 6 }], 'rating'],
    ['updateTake: rating 2.5', 'updateTake', [TAKE, { rating: 2.5 }], 'rating'],
    ['updateTake: rating as text', 'updateTake', [TAKE, { rating: '3' }], 'rating'],
    ['updateTake: favourite as a truthy string', 'updateTake', [TAKE, { favourite: 'yes' }], 'favourite'],
    ['importModel: NUL in path', 'importModel', ['/models/x\u0000/etc'], 'dir'],
    ['importModel: path too long', 'importModel', ['/'.repeat(4097)], 'dir'],
    ['importModel: empty path', 'importModel', [''], 'dir'],
    ['importModel: not text', 'importModel', [{ path: '/x' }], 'dir'],
    ['downloadModel: file URL', 'downloadModel', ['file:///etc/passwd'], 'manifestUrl'],
    ['downloadModel: javascript URL', 'downloadModel', ['javascript:alert(1)'], 'manifestUrl'],
    ['downloadModel: not a URL', 'downloadModel', ['models/tiny'], 'manifestUrl'],
    ['prepareDrag: start after end', 'prepareDrag', [TAKE, { start: 2, end: 1 }], 'region'],
    ['prepareDrag: empty region', 'prepareDrag', [TAKE, { start: 1, end: 1 }], 'region'],
    ['prepareDrag: negative start', 'prepareDrag', [TAKE, { start: -1, end: 1 }], 'region.start'],
    ['prepareDrag: beyond 600 s', 'prepareDrag', [TAKE, { start: 0, end: 601 }], 'region.end'],
    ['prepareDrag: Infinity', 'prepareDrag', [TAKE, { start: 0, end: Infinity }], 'region.end'],
    ['prepareDrag: region as array', 'prepareDrag', [TAKE, [0, 1]], 'region'],
    ['prepareDrag: extra region key', 'prepareDrag', [TAKE, { start: 0, end: 1, loop: true }], 'region.loop'],
    ['exportTakes: no takes', 'exportTakes', [{ takeIds: [], options }], 'takeIds'],
    ['exportTakes: takeIds not a list', 'exportTakes', [{ takeIds: TAKE, options }], 'takeIds'],
    ['exportTakes: bad id in list', 'exportTakes', [{ takeIds: [TAKE, '..'], options }], 'takeIds[1]'],
    ['exportTakes: duplicate take', 'exportTakes', [{ takeIds: [TAKE, TAKE], options }], 'takeIds'],
    ['exportTakes: region with two takes', 'exportTakes', [{ takeIds: [TAKE, 'b'], region: { start: 0, end: 1 }, options }], 'region'],
    ['exportTakes: no options', 'exportTakes', [{ takeIds: [TAKE] }], 'options'],
    ['exportTakes: mp3', 'exportTakes', [{ takeIds: [TAKE], options: { ...options, format: 'mp3' } }], 'options.format'],
    ['exportTakes: 22.05 kHz', 'exportTakes', [{ takeIds: [TAKE], options: { ...options, sampleRate: 22050 } }], 'options.sampleRate'],
    ['exportTakes: fade too long', 'exportTakes', [{ takeIds: [TAKE], options: { ...options, fadeOutMs: 10_001 } }], 'options.fadeOutMs'],
    ['exportTakes: negative fade', 'exportTakes', [{ takeIds: [TAKE], options: { ...options, fadeInMs: -5 } }], 'options.fadeInMs'],
    ['exportTakes: peak above 0 dBFS', 'exportTakes', [{ takeIds: [TAKE], options: { ...options, normalize: { kind: 'peak', dbfs: 1 } } }], 'options.normalize.dbfs'],
    ['exportTakes: peak below -60', 'exportTakes', [{ takeIds: [TAKE], options: { ...options, normalize: { kind: 'peak', dbfs: -61 } } }], 'options.normalize.dbfs'],
    ['exportTakes: lufs below -70', 'exportTakes', [{ takeIds: [TAKE], options: { ...options, normalize: { kind: 'loudness', lufs: -80 } } }], 'options.normalize.lufs'],
    ['exportTakes: lufs as text', 'exportTakes', [{ takeIds: [TAKE], options: { ...options, normalize: { kind: 'loudness', lufs: '-14' } } }], 'options.normalize.lufs'],
    ['exportTakes: unknown normalize kind', 'exportTakes', [{ takeIds: [TAKE], options: { ...options, normalize: { kind: 'rms' } } }], 'options.normalize.kind'],
    ['exportTakes: peak with lufs', 'exportTakes', [{ takeIds: [TAKE], options: { ...options, normalize: { kind: 'peak', dbfs: -1, lufs: -14 } } }], 'options.normalize.lufs'],
    ['exportTakes: unknown option', 'exportTakes', [{ takeIds: [TAKE], options: { ...options, dither: true } }], 'options.dither'],
    ['exportTakes: trimSilence as text', 'exportTakes', [{ takeIds: [TAKE], options: { ...options, trimSilence: 'yes' } }], 'options.trimSilence'],
    ['template: unknown placeholder', 'exportTakes', [{ takeIds: [TAKE], options: { ...options, nameTemplate: '{prompt}_{seed}' } }], 'options.nameTemplate'],
    ['template: path separator', 'exportTakes', [{ takeIds: [TAKE], options: { ...options, nameTemplate: '../{seed}' } }], 'options.nameTemplate'],
    ['template: backslash', 'exportTakes', [{ takeIds: [TAKE], options: { ...options, nameTemplate: '..\\{seed}' } }], 'options.nameTemplate'],
    ['template: drive colon', 'exportTakes', [{ takeIds: [TAKE], options: { ...options, nameTemplate: 'C:{seed}' } }], 'options.nameTemplate'],
    ['template: unmatched brace', 'exportTakes', [{ takeIds: [TAKE], options: { ...options, nameTemplate: '{seed}_{take' } }], 'options.nameTemplate'],
    ['template: nested braces', 'exportTakes', [{ takeIds: [TAKE], options: { ...options, nameTemplate: '{{seed}}' } }], 'options.nameTemplate'],
    ['template: no placeholder', 'exportTakes', [{ takeIds: [TAKE], options: { ...options, nameTemplate: 'output' } }], 'options.nameTemplate'],
    ['template: bad pad spec', 'exportTakes', [{ takeIds: [TAKE], options: { ...options, nameTemplate: '{take:abc}' } }], 'options.nameTemplate'],
    ['template: 201 chars', 'exportTakes', [{ takeIds: [TAKE], options: { ...options, nameTemplate: `{seed}${'x'.repeat(195)}` } }], 'options.nameTemplate'],
    ['template: control character', 'exportTakes', [{ takeIds: [TAKE], options: { ...options, nameTemplate: '{seed}\n' } }], 'options.nameTemplate'],
    ['settings: unknown key', 'updateSettings', [{ modelDir: '/x' }], 'settings.modelDir'],
    ['settings: prototype key', 'updateSettings', [JSON.parse('{"__proto__": {"polluted": true}}')], 'settings.__proto__'],
    ['settings: not an object', 'updateSettings', [null], 'settings'],
    ['settings: theme', 'updateSettings', [{ theme: 'blue' }], 'theme'],
    ['settings: device', 'updateSettings', [{ device: 'tpu' }], 'device'],
    ['settings: libraryDir with NUL', 'updateSettings', [{ libraryDir: '/a\u0000b' }], 'libraryDir'],
    ['settings: exportsDir number', 'updateSettings', [{ exportsDir: 5 }], 'exportsDir'],
    ['settings: 21 recent prompts', 'updateSettings', [{ recentPrompts: Array.from({ length: 21 }, (_, i) => `p${i}`) }], 'recentPrompts'],
    ['settings: recent prompt not text', 'updateSettings', [{ recentPrompts: ['a', 2] }], 'recentPrompts[1]'],
    ['settings: partial exportDefaults', 'updateSettings', [{ exportDefaults: { format: 'pcm16' } }], 'exportDefaults.sampleRate'],
    ['settings: ucs with underscore', 'updateSettings', [{ ucs: { catId: 'DOOR_Wood', creator: '', source: '' } }], 'ucs.catId'],
    ['settings: ucs with slash', 'updateSettings', [{ ucs: { catId: '', creator: 'a/b', source: '' } }], 'ucs.creator'],
    ['settings: ucs missing block', 'updateSettings', [{ ucs: { catId: '' } }], 'ucs.creator'],
    ['transform: no reference', 'transform', [{ op: 'loop', prompt: 'x' }], 'referenceId'],
    ['transform: reference id with a slash', 'transform', [{ referenceId: '../a', op: 'loop', prompt: 'x' }], 'referenceId'],
    ['transform: unknown op', 'transform', [{ referenceId: 'r1', op: 'reverse', prompt: 'x' }], 'op'],
    ['transform: strength 2', 'transform', [{ referenceId: 'r1', op: 'vary', prompt: 'x', strengths: [2] }], 'strength'],
    ['transform: loop with dpmpp', 'transform', [{ referenceId: 'r1', op: 'loop', prompt: 'x', scheduler: 'dpmpp' }], 'scheduler'],
    ['transform: continue with from', 'transform', [{ referenceId: 'r1', op: 'continue', prompt: 'x', from: 1 }], 'from'],
    ['reference: unknown kind', 'importReference', [{ kind: 'url', url: 'http://x' }], 'source.kind'],
    ['reference: empty path', 'importReference', [{ kind: 'file', path: '' }], 'source.path'],
    ['reference: take with extra key', 'importReference', [{ kind: 'take', takeId: TAKE, path: '/etc' }], 'source.path'],
    ['reference: upload id with dots', 'importReference', [{ kind: 'upload', uploadId: '..', name: 'a.wav' }], 'source.uploadId'],
    ['reference: backwards region', 'importReference', [{ kind: 'take', takeId: TAKE, region: { start: 2, end: 1 } }], 'source.region'],
    ['describe: reference id with a slash', 'describeReference', ['../r1'], 'referenceId'],
    ['describe: region as text', 'describeReference', ['r1', '0-1'], 'region'],
    ['describe: region with an extra key', 'describeReference', ['r1', { start: 0, end: 1, words: 50 }], 'region.words'],
    ['describe take: id with a slash', 'describeTake', ['a/b'], 'takeId'],
    ['takes like reference: limit 0', 'takesLikeReference', ['r1', 0], 'limit'],
    ['takes like reference: limit as text', 'takesLikeReference', ['r1', '20'], 'limit'],
    ['takes like reference: bad id', 'takesLikeReference', ['..', 20], 'referenceId'],
  ];
  it.each(cases)('%s', (_name, method, args, field) => {
    const error = rejection(method, args);
    expect(error.field).toBe(field);
    expect(error.code).toBe('INVALID_REQUEST');
    expect(error.message.length).toBeGreaterThan(10);
  });

  it('reads export options written before trimSilence existed as trimming off, and keeps it when on', () => {
    const [old] = validateCall('exportTakes', [{ takeIds: [TAKE], options }]).args as unknown as [{ options: Record<string, unknown> }];
    expect(old.options).not.toHaveProperty('trimSilence');
    const [on] = validateCall('exportTakes', [{ takeIds: [TAKE], options: { ...options, trimSilence: true } }]).args as unknown as [{ options: Record<string, unknown> }];
    expect(on.options.trimSilence).toBe(true);
    const [off] = validateCall('updateSettings', [{ exportDefaults: { ...options, trimSilence: false } }]).args as unknown as [{ exportDefaults: Record<string, unknown> }];
    expect(off.exportDefaults).not.toHaveProperty('trimSilence');
  });

  it('keeps only the transform fields the caller set, with the strength list for a grid', () => {
    const call = validateCall('transform', [{ referenceId: 'r1', op: 'vary', prompt: 'x', strengths: [0.25, 0.5], takes: 4 }]);
    expect(call.args).toEqual([{ referenceId: 'r1', op: 'vary', prompt: 'x', strengths: [0.25, 0.5], takes: 4 }]);
    expect(validateCall('importReference', [{ kind: 'take', takeId: TAKE, region: null }]).args).toEqual([{ kind: 'take', takeId: TAKE }]);
    expect(validateCall('describeReference', ['r1']).args).toEqual(['r1']);
    expect(validateCall('describeReference', ['r1', { start: 0.5, end: 1 }]).args).toEqual(['r1', { start: 0.5, end: 1 }]);
  });

  it('keeps echoed values short in messages', () => {
    const error = rejection('cancel', ['x'.repeat(10_000)]);
    expect(error.message.length).toBeLessThan(200);
  });
});

describe('validateCall: the render farm', () => {
  it('takes a redis:// or rediss:// URL (password included) or null, and generate requests for the farm', () => {
    expect(validateCall('connectFarm', ['redis://:p%40ss@gpu-box:6379/2']).args).toEqual(['redis://:p%40ss@gpu-box:6379/2']);
    expect(validateCall('connectFarm', ['rediss://loa:secret@farm.example.org']).args).toEqual(['rediss://loa:secret@farm.example.org']);
    expect(validateCall('connectFarm', [null]).args).toEqual([null]);
    expect(validateCall('generateOnFarm', [{ prompt: 'rain', steps: 2 }]).args).toEqual([{ prompt: 'rain', steps: 2 }]);
    expect(validateCall('farmOverview', []).args).toEqual([]);
  });

  it('refuses other schemes, spaces, over-long URLs and bad generate settings, naming the field', () => {
    expect(rejection('connectFarm', ['http://gpu-box:6379']).field).toBe('url');
    expect(rejection('connectFarm', ['redis://gpu box:6379']).field).toBe('url');
    expect(rejection('connectFarm', [`redis://${'a'.repeat(2001)}`]).field).toBe('url');
    expect(rejection('connectFarm', [42]).field).toBe('url');
    expect(rejection('connectFarm', []).field).toBe('args');
    expect(rejection('generateOnFarm', [{ prompt: 'rain', steps: 0 }]).field).toBe('steps');
  });
});
