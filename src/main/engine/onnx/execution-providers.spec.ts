import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { splitNotice } from '../../../shared/engine/notice-text.ts';
import { ProviderUnavailableError } from '../../../shared/errors.ts';
import { candidateProviders, chooseProvider, type ProviderName } from './execution-providers.ts';
import { availableProviders } from './onnx-runtime.ts';
import { ProviderMemory } from './provider-memory.ts';

describe('candidateProviders', () => {
  const linux = new Set(['cpu', 'webgpu', 'cuda', 'tensorrt']);
  const windows = new Set(['cpu', 'dml', 'webgpu']);
  const mac = new Set(['cpu', 'coreml', 'webgpu']);

  it('auto tries GPU APIs the binding has, best first, and always ends with CPU', () => {
    expect(candidateProviders('auto', linux)).toEqual(['cuda', 'webgpu', 'cpu']);
    expect(candidateProviders('auto', windows)).toEqual(['dml', 'webgpu', 'cpu']);
    expect(candidateProviders('auto', mac)).toEqual(['coreml', 'webgpu', 'cpu']);
    expect(candidateProviders('auto', new Set())).toEqual(['cpu']);
  });

  it('tries the remembered provider first', () => {
    expect(candidateProviders('auto', linux, 'cpu')).toEqual(['cpu', 'cuda', 'webgpu']);
    expect(candidateProviders('auto', linux, 'dml')).toEqual(['cuda', 'webgpu', 'cpu']);
  });

  it('a forced device is tried alone, and one the binding lacks is refused with a hint', () => {
    expect(candidateProviders('cuda', linux)).toEqual(['cuda']);
    expect(() => candidateProviders('dml', linux)).toThrow(ProviderUnavailableError);
    expect(() => candidateProviders('dml', linux)).toThrow(/DirectML is not available/);
  });
});

describe('chooseProvider', () => {
  it('falls back one provider at a time and says why in a notice', async () => {
    const tried: ProviderName[] = [];
    const choice = await chooseProvider(['cuda', 'webgpu', 'cpu'], async (p) => {
      tried.push(p);
      if (p === 'cuda') throw new Error('Failed to load shared library libonnxruntime_providers_cuda.so\nmore');
      if (p === 'webgpu') throw new Error('Failed to get a WebGPU adapter');
    });
    expect(tried).toEqual(['cuda', 'webgpu', 'cpu']);
    expect(choice.provider).toBe('cpu');
    expect(choice.notices).toHaveLength(2);
    // A plain first line; ORT's own words and the setup hint only in the detail below it.
    const [cuda, webgpu] = choice.notices.map(splitNotice);
    expect(cuda.summary).toBe('No usable GPU driver found for CUDA; running on the CPU.');
    expect(cuda.detail).toMatch(/^CUDA could not start \(Failed to load shared library libonnxruntime_providers_cuda\.so\); using CPU instead\. Install CUDA 12/);
    expect(webgpu.summary).toBe('No usable GPU driver found for WebGPU; running on the CPU.');
    expect(webgpu.detail).toMatch(/WebGPU could not start \(Failed to get a WebGPU adapter\)/);
  });

  it('gives no notice when the first choice works', async () => {
    const choice = await chooseProvider(['cpu'], async () => {});
    expect(choice).toEqual({ provider: 'cpu', attempts: [{ provider: 'cpu' }], notices: [] });
  });

  it('throws ProviderUnavailableError listing every failure when nothing starts', async () => {
    await expect(
      chooseProvider(['webgpu'], async () => {
        throw new Error('no adapter');
      }),
    ).rejects.toThrow(/No execution provider could start \(WebGPU: no adapter\)/);
  });
});

describe('ProviderMemory', () => {
  it('remembers the winner per key across instances', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'loa-ep-'));
    try {
      const file = join(dir, 'ep.json');
      expect(await new ProviderMemory(file, 'linux-x64-ort1').recall()).toBeUndefined();
      await new ProviderMemory(file, 'linux-x64-ort1').remember('webgpu');
      await new ProviderMemory(file, 'other').remember('cpu');
      expect(await new ProviderMemory(file, 'linux-x64-ort1').recall()).toBe('webgpu');
      expect(await new ProviderMemory(file, 'other').recall()).toBe('cpu');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('the real onnxruntime-node binding', () => {
  it('bundles CPU on every platform', () => {
    expect(availableProviders().has('cpu')).toBe(true);
  });
});
