/** The Studio API's install-from-the-Hub methods (issue 11): good calls typed, bad payloads refused with the field named. */
import { describe, expect, it } from 'vitest';
import { InvalidRequestError } from '../errors.ts';
import { validateCall } from './studio-validate.ts';

function rejection(method: string, args: unknown[]): InvalidRequestError {
  try {
    validateCall(method, args);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidRequestError);
    return error as InvalidRequestError;
  }
  throw new Error(`validateCall(${method}) accepted ${JSON.stringify(args)}`);
}

const INSTALL_ID = '0b8f5c1e-9d3a-4c55-8e0f-3b2a1c9d7e61';

describe('validateCall: install from the Hub', () => {
  it('accepts every new method with well-formed arguments', () => {
    expect(validateCall('modelCatalogue', [])).toEqual({ method: 'modelCatalogue', args: [] });
    expect(validateCall('findCachedModels', []).args).toEqual([]);
    expect(validateCall('listModels', []).args).toEqual([]);
    expect(validateCall('hubTokenState', []).args).toEqual([]);
    expect(validateCall('installModel', [{ repo: 'cvssp/audioldm2', acceptLicense: true }]).args).toEqual([{ repo: 'cvssp/audioldm2', acceptLicense: true }]);
    expect(validateCall('installModel', [{ repo: ' my-org/audioldm2.ft_1 ', revision: 'v1.0', acceptLicense: true, preferCache: false }]).args).toEqual([
      { repo: 'my-org/audioldm2.ft_1', revision: 'v1.0', acceptLicense: true, preferCache: false },
    ]);
    expect(validateCall('installModel', [{ repo: 'cvssp/audioldm2', revision: null, preferCache: null, acceptLicense: true }]).args).toEqual([{ repo: 'cvssp/audioldm2', acceptLicense: true }]);
    expect(validateCall('cancelInstall', [INSTALL_ID]).args).toEqual([INSTALL_ID]);
    expect(validateCall('switchModel', ['cvssp--audioldm2']).args).toEqual(['cvssp--audioldm2']);
    expect(validateCall('planRemoveModel', ['tiny-random']).args).toEqual(['tiny-random']);
    expect(validateCall('removeModel', ['cvssp--audioldm2', { includeCache: true }]).args).toEqual(['cvssp--audioldm2', { includeCache: true }]);
    expect(validateCall('setHubToken', ['hf_AbC123']).args).toEqual(['hf_AbC123']);
    expect(validateCall('setHubToken', [null]).args).toEqual([null]);
  });

  it('refuses an install without the licence accepted', () => {
    expect(rejection('installModel', [{ repo: 'cvssp/audioldm2' }]).field).toBe('acceptLicense');
    expect(rejection('installModel', [{ repo: 'cvssp/audioldm2', acceptLicense: false }]).field).toBe('acceptLicense');
    expect(rejection('installModel', [{ repo: 'cvssp/audioldm2', acceptLicense: 'yes' }]).field).toBe('acceptLicense');
    expect(rejection('installModel', [{ repo: 'cvssp/audioldm2', acceptLicense: 1 }]).message).toMatch(/licence/);
  });

  it('refuses bad repo ids, revisions and extra fields — and never takes a path', () => {
    for (const repo of ['audioldm2', '../etc/passwd', '/abs/path', 'a/b/c', 'org/..', 'org/na me', '', 42, null, 'x'.repeat(300), 'org/-x']) {
      expect(rejection('installModel', [{ repo, acceptLicense: true }]).field).toBe('repo');
    }
    for (const revision of ['../main', 'a b', '', 'x'.repeat(201), 7]) {
      expect(rejection('installModel', [{ repo: 'cvssp/audioldm2', revision, acceptLicense: true }]).field).toBe('revision');
    }
    expect(rejection('installModel', [{ repo: 'cvssp/audioldm2', acceptLicense: true, preferCache: 'no' }]).field).toBe('preferCache');
    // A page cannot pick where the model or the download goes.
    expect(rejection('installModel', [{ repo: 'cvssp/audioldm2', acceptLicense: true, dir: '/tmp/x' }]).field).toBe('request.dir');
    expect(rejection('installModel', [{ repo: 'cvssp/audioldm2', acceptLicense: true, cacheDir: '/tmp/x' }]).field).toBe('request.cacheDir');
    expect(rejection('installModel', [{ repo: 'cvssp/audioldm2', acceptLicense: true, accessToken: 'hf_x' }]).field).toBe('request.accessToken');
    expect(rejection('installModel', ['cvssp/audioldm2']).field).toBe('request');
    expect(rejection('installModel', []).field).toBe('args');
    expect(rejection('installModel', [{ repo: 'cvssp/audioldm2', acceptLicense: true }, {}]).field).toBe('args');
  });

  it('refuses model ids that are paths or not ids', () => {
    for (const method of ['switchModel', 'planRemoveModel'] as const) {
      for (const id of ['../config', '/home/u/models/x', 'a/b', '..', '.hidden', '', 'x'.repeat(201), 3, null]) {
        expect(rejection(method, [id]).field).toBe('id');
      }
      expect(rejection(method, []).field).toBe('args');
    }
    expect(rejection('removeModel', ['../x', { includeCache: false }]).field).toBe('id');
    expect(rejection('removeModel', ['cvssp--audioldm2']).field).toBe('args');
    expect(rejection('removeModel', ['cvssp--audioldm2', {}]).field).toBe('options.includeCache');
    expect(rejection('removeModel', ['cvssp--audioldm2', { includeCache: 'yes' }]).field).toBe('options.includeCache');
    expect(rejection('removeModel', ['cvssp--audioldm2', { includeCache: true, force: true }]).field).toBe('options.force');
    expect(rejection('removeModel', ['cvssp--audioldm2', null]).field).toBe('options');
  });

  it('refuses malformed install ids and tokens', () => {
    for (const id of ['', 'a b', '../x', 'x'.repeat(65), 5, null]) expect(rejection('cancelInstall', [id]).field).toBe('installId');
    for (const token of ['', 'hf with space', 'hf_\n', 'x'.repeat(513), 12, { token: 'hf_x' }, 'hf_é']) expect(rejection('setHubToken', [token]).field).toBe('token');
    expect(rejection('setHubToken', []).field).toBe('args');
    expect(rejection('hubTokenState', ['hf_x']).field).toBe('args');
    expect(rejection('modelCatalogue', [1]).field).toBe('args');
  });
});
