import { defineConfig } from 'vitest/config';

// Two cores here: at most two test files at once, each in its own process so a native
// ONNX Runtime crash can only take down its own file.
export default defineConfig({
  test: {
    include: ['src/**/*.spec.ts', 'bench/**/*.spec.ts', 'models/**/*.spec.ts', 'fuzz/**/*.spec.ts', 'e2e/**/*.e2e.ts'],
    globalSetup: ['./vitest.global-setup.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
