/**
 * Three builds (engineering.md §5.1):
 * - main: the app entry, the engine worker and the reference-import worker, all in out/main/ with their shared chunks flat
 *   beside them (no chunks/ folder), so `engineWorkerEntry()`, which looks next to the module that
 *   holds the launcher code, finds engine-worker.js wherever the bundler puts that code.
 *   Native addons stay external and load from node_modules (asar-unpacked by electron-builder).
 * - preload: sandboxed, so it can only require 'electron': one self-contained CommonJS file.
 * - renderer: Svelte 5, root src/renderer, output out/renderer (browser mode serves the same files).
 */
import { resolve } from 'node:path';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig, type UserConfig } from 'electron-vite';

const root = import.meta.dirname;

/** Loaded with require() from node_modules at run time, never bundled (.node binaries + dylibs). */
export const NATIVE_EXTERNALS = ['onnxruntime-node', 'better-sqlite3'];

export const RENDERER_OUT_DIR = resolve(root, 'out/renderer');

/** Shared with `npm run studio:web`, which builds the renderer alone when out/renderer is missing. */
export const rendererConfig = {
  root: resolve(root, 'src/renderer'),
  // Relative asset URLs: the page loads from loa-app://renderer/ and from http://host:port/ alike.
  base: './',
  plugins: [svelte()],
  build: {
    outDir: RENDERER_OUT_DIR,
    emptyOutDir: true,
    rolldownOptions: { input: resolve(root, 'src/renderer/index.html') },
  },
} satisfies UserConfig['renderer'];

export default defineConfig({
  main: {
    build: {
      outDir: resolve(root, 'out/main'),
      rolldownOptions: {
        input: {
          index: resolve(root, 'src/main/index.ts'),
          'engine-worker': resolve(root, 'src/main/engine/host/engine-worker.ts'),
          'reference-import-worker': resolve(root, 'src/main/audio/reference-import-worker.ts'),
        },
        external: NATIVE_EXTERNALS,
        output: { entryFileNames: '[name].js', chunkFileNames: '[name]-[hash].js' },
      },
    },
  },
  preload: {
    build: {
      outDir: resolve(root, 'out/preload'),
      externalizeDeps: false,
      rolldownOptions: {
        input: { index: resolve(root, 'src/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: rendererConfig,
});
