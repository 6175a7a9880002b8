import { configDefaults, defineConfig } from 'vitest/config';
import { RENDERER_STATE_SPECS, rendererStateProject } from './vitest.renderer.config.ts';
import { E2E_LANE, SPEC_FILES } from './test-lanes.config.ts';

// Two cores here: at most two test files at once, each in its own process so a native
// ONNX Runtime crash can only take down its own file.
// Lanes (test-lanes.config.ts): `--project unit --project renderer` is `npm run test:unit`,
// `--project e2e` is `npm run test:e2e`; only the e2e lane builds the tiny model bundle.
export default defineConfig({
  test: {
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: SPEC_FILES,
          exclude: [...configDefaults.exclude, RENDERER_STATE_SPECS, ...E2E_LANE],
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: E2E_LANE,
          exclude: [...configDefaults.exclude, RENDERER_STATE_SPECS],
          globalSetup: ['./vitest.global-setup.ts'],
        },
      },
      // The renderer's rune-based state classes, compiled by Svelte (vitest.renderer.config.ts).
      { extends: true, ...rendererStateProject },
    ],
  },
});
