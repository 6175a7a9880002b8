/**
 * The packaging rules, checked without running electron-builder (it needs the Electron binary):
 * native addons unpacked from asar, other platforms' ONNX Runtime stripped, no weights shipped,
 * and the build layout that lets the app find its engine worker and preload.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import viteConfig, { NATIVE_EXTERNALS, rendererConfig } from '../../../electron.vite.config.ts';

const root = resolve(import.meta.dirname, '../../..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const build = pkg.build;
const afterPack = createRequire(import.meta.url)(join(root, 'build/after-pack.cjs')) as {
  afterPack: (context: unknown) => Promise<void>;
  pruneOnnxBindings: (binDir: string, platform: string, arch: string) => string[];
  findModelWeights: (paths: string[]) => string[];
};

describe('electron-builder config (package.json "build")', () => {
  it('builds the three desktop targets', () => {
    expect(build.appId).toMatch(/^[a-z0-9.-]+$/);
    expect(build.linux.target).toEqual(['AppImage', 'deb']);
    expect(build.win.target).toEqual(['nsis']);
    expect(build.mac.target).toEqual([{ target: 'dmg', arch: ['arm64'] }]);
    expect(build.extraMetadata.main).toBe('out/main/index.js');
  });

  it('unpacks the whole onnxruntime-node and better-sqlite3 packages, not just their .node files', () => {
    expect(build.asarUnpack).toEqual(expect.arrayContaining(['**/node_modules/onnxruntime-node/**', '**/node_modules/better-sqlite3/**']));
  });

  it("leaves stripping other platforms' ONNX Runtime binaries to the afterPack hook", () => {
    // A `files` list inside linux/win/mac made electron-builder 26 pack the whole repository (its
    // negation-only platform matcher gets an implicit "**/*"); seen in a real `--dir` build.
    for (const os of ['linux', 'win', 'mac']) expect(build[os].files).toBeUndefined();
    expect(build.afterPack).toBe('./build/after-pack.cjs');
  });

  it("passes electron-builder's own schema check", async () => {
    const require = createRequire(join(root, 'package.json'));
    const { validateConfiguration } = require('app-builder-lib/out/util/config/config') as { validateConfiguration: (c: unknown, l: unknown) => Promise<void> };
    const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };
    await expect(validateConfiguration(structuredClone(build), new DebugLogger(false))).resolves.toBeUndefined();
  });

  it('ships the built app and never the models folder', () => {
    expect(build.files).toEqual(expect.arrayContaining(['out/**/*', '!models/**']));
    expect(JSON.stringify(build.extraResources)).not.toMatch(/models/);
    expect(build.extraResources).toEqual([{ from: 'resources/drag-icon.png', to: 'drag-icon.png' }]);
  });

  it('turns off the fuses that let others run code as the app', () => {
    expect(build.electronFuses).toMatchObject({ runAsNode: false, enableNodeOptionsEnvironmentVariable: false, enableNodeCliInspectArguments: false, onlyLoadAppFromAsar: true });
  });

  it('has the scripts the README promises', () => {
    for (const script of ['start', 'build', 'studio:web', 'dist:linux', 'dist:win', 'dist:mac']) expect(pkg.scripts[script]).toBeTruthy();
    expect(pkg.scripts['studio:web']).toBe('tsx src/main/web/studio-web.ts');
  });
});

describe('electron-vite config', () => {
  const main = viteConfig.main!.build!;
  const preload = viteConfig.preload!.build!;

  it('builds the engine and reference-import workers beside the main entry, with flat chunks', () => {
    const options = main.rolldownOptions as { input: Record<string, string>; external: string[]; output: Record<string, string> };
    expect(Object.keys(options.input)).toEqual(['index', 'engine-worker', 'reference-import-worker']);
    expect(options.input['engine-worker']).toBe(join(root, 'src/main/engine/host/engine-worker.ts'));
    expect(options.input['reference-import-worker']).toBe(join(root, 'src/main/audio/reference-import-worker.ts'));
    expect(options.output.chunkFileNames).not.toContain('/');
    expect(options.external).toEqual(expect.arrayContaining(NATIVE_EXTERNALS));
  });

  it('bundles the sandboxed preload into one CommonJS file', () => {
    expect(preload.externalizeDeps).toBe(false);
    expect((preload.rolldownOptions as { output: { format: string } }).output.format).toBe('cjs');
  });

  it('builds the renderer from src/renderer with relative asset URLs', () => {
    expect(rendererConfig.root).toBe(join(root, 'src/renderer'));
    expect(rendererConfig.base).toBe('./');
  });
});

describe('after-pack hook', () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** A fake packed app with ONNX Runtime's real bin/ layout (every platform/arch), files empty. */
  function fakeApp(): { resources: string; bin: string } {
    dir = mkdtempSync(join(tmpdir(), 'loa-after-pack-'));
    const resources = join(dir, 'resources');
    const bin = join(resources, 'app.asar.unpacked/node_modules/onnxruntime-node/bin/napi-v6');
    const realBin = join(root, 'node_modules/onnxruntime-node/bin/napi-v6');
    for (const os of readdirSync(realBin)) {
      for (const arch of readdirSync(join(realBin, os))) {
        mkdirSync(join(bin, os, arch), { recursive: true });
        for (const file of readdirSync(join(realBin, os, arch))) writeFileSync(join(bin, os, arch, file), '');
      }
    }
    return { resources, bin };
  }
  const context = (resources: string, platform: string, arch: number) => ({
    electronPlatformName: platform,
    arch,
    appOutDir: dir,
    packager: { getResourcesDir: () => resources },
  });

  it('keeps only the target binding and asserts it exists', async () => {
    const { resources, bin } = fakeApp();
    await afterPack.afterPack(context(resources, 'linux', 1)); // Arch.x64
    expect(existsSync(join(bin, 'linux/x64/onnxruntime_binding.node'))).toBe(true);
    for (const gone of ['linux/arm64', 'win32', 'darwin']) expect(existsSync(join(bin, gone))).toBe(false);
  });

  it('fails the build for a target ONNX Runtime does not ship (Intel macOS)', async () => {
    const { resources } = fakeApp();
    await expect(afterPack.afterPack(context(resources, 'darwin', 1))).rejects.toThrow(/no binding for darwin\/x64/);
  });

  it('fails the build when model weights were packed', async () => {
    const { resources } = fakeApp();
    mkdirSync(join(resources, 'app.asar.unpacked/models/tiny'), { recursive: true });
    writeFileSync(join(resources, 'app.asar.unpacked/models/tiny/unet.onnx'), 'x');
    await expect(afterPack.afterPack(context(resources, 'linux', 1))).rejects.toThrow(/Model weights must not be packaged/);
  });

  it('recognises weights by extension and by the models/ folder', () => {
    expect(afterPack.findModelWeights(['/out/main/index.js', '/models/tiny/manifest.json', 'x/unet.onnx_data', 'a.safetensors', '/node_modules/onnxruntime-node/dist/index.js'])).toEqual([
      '/models/tiny/manifest.json',
      'x/unet.onnx_data',
      'a.safetensors',
    ]);
  });
});
