import { configDefaults, defineConfig } from 'vitest/config';
import { RENDERER_STATE_SPECS, rendererStateProject } from './vitest.renderer.config.ts';

// Two cores here: at most two test files at once, each in its own process so a native
// ONNX Runtime crash can only take down its own file.
export default defineConfig({
  test: {
    globalSetup: ['./vitest.global-setup.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'node',
          include: ['src/**/*.spec.ts', 'bench/**/*.spec.ts', 'models/**/*.spec.ts', 'fuzz/**/*.spec.ts', 'e2e/**/*.e2e.ts'],
          exclude: [...configDefaults.exclude, RENDERER_STATE_SPECS],
        },
      },
      // The renderer's rune-based state classes, compiled by Svelte (vitest.renderer.config.ts).
      { extends: true, ...rendererStateProject },
    ],
  },
});
