import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { engineProcessEnv } from './engine-process-env.ts';
import { nodeEngineLauncher } from './node-engine-launcher.ts';

describe('engineProcessEnv', () => {
  it('asks glibc for huge pages on Linux, keeping the rest of the environment', () => {
    expect(engineProcessEnv({ PATH: '/usr/bin' }, 'linux')).toEqual({ PATH: '/usr/bin', GLIBC_TUNABLES: 'glibc.malloc.hugetlb=1' });
  });

  it("appends to the user's own tunables and never overrides their huge-page choice", () => {
    expect(engineProcessEnv({ GLIBC_TUNABLES: 'glibc.malloc.arena_max=2' }, 'linux').GLIBC_TUNABLES).toBe('glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1');
    expect(engineProcessEnv({ GLIBC_TUNABLES: 'glibc.malloc.hugetlb=0' }, 'linux').GLIBC_TUNABLES).toBe('glibc.malloc.hugetlb=0');
    expect(engineProcessEnv({ GLIBC_TUNABLES: 'glibc.malloc.arena_max=2:glibc.malloc.hugetlb=2' }, 'linux').GLIBC_TUNABLES).toBe('glibc.malloc.arena_max=2:glibc.malloc.hugetlb=2');
  });

  it('leaves other platforms alone', () => {
    const env = { PATH: 'C:\\Windows' };
    expect(engineProcessEnv(env, 'win32')).toBe(env);
    expect(engineProcessEnv(env, 'darwin')).toBe(env);
  });

  it.runIf(process.platform === 'linux')('the engine child process starts with it', async () => {
    const child = nodeEngineLauncher()();
    try {
      const environ = (await readFile(`/proc/${child.pid}/environ`, 'utf8')).split('\0');
      expect(environ).toContain('GLIBC_TUNABLES=glibc.malloc.hugetlb=1');
    } finally {
      child.kill();
    }
  });
});
