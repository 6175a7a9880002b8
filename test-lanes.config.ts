/**
 * The two test lanes (`npm run test:unit`, `npm run test:e2e`; `npm test` runs both, unit first).
 *
 * unit: everything not listed below: pure logic, real files, real SQLite, real ONNX Runtime on small
 * graphs; no Chromium, no engine process, no built model bundle; under a minute on 2 cores.
 * e2e: the specs listed here: the e2e suite (Chromium), the engine process, anything that runs the
 * tiny model bundle the global setup builds (models/tiny → models/.generated/tiny-bundle), the
 * builder's graph-by-graph parity runs, the fuzzers, a real Redis, and the few specs that take
 * more than a few seconds. A new spec lands in unit unless it is listed here.
 * test-lanes.spec.ts checks every spec file is in exactly one lane.
 */

/** Every spec file, whichever lane runs it. */
export const SPEC_FILES = ['src/**/*.spec.ts', 'bench/**/*.spec.ts', 'models/**/*.spec.ts', 'fuzz/**/*.spec.ts', 'e2e/**/*.e2e.ts'];

export const E2E_LANE = [
  // Chromium against the real Node services, and the Electron app
  'e2e/**/*.e2e.ts',
  // the fuzzers' seeded runs (a few seconds each)
  'fuzz/**/*.spec.ts',
  // the model builder: each component graph built and run against the golden fixtures
  'src/main/engine/builder/**/*.spec.ts',
  // the engine: the tiny bundle loaded and run, in-process and in the engine process
  'src/main/engine/bundle/manifest-schema.spec.ts',
  'src/main/engine/bundle/bundle-files.spec.ts',
  'src/main/engine/bundle/model-bundle.spec.ts',
  'src/main/engine/host/engine-host.spec.ts',
  'src/main/engine/onnx/onnx-runtime.spec.ts',
  'src/main/engine/pipeline/audio-to-audio.spec.ts',
  'src/main/engine/pipeline/audioldm2-pipeline.spec.ts',
  // the CLI, the studio and the web server on the tiny bundle
  'src/main/cli/audio-to-audio-commands.spec.ts',
  'src/main/cli/library-command.spec.ts',
  'src/main/cli/loa.spec.ts',
  'src/main/cli/models-command.spec.ts',
  'src/main/cli/models-hub-commands.spec.ts',
  'src/main/cli/prompt-list.spec.ts',
  'src/main/cli/regenerate-command.spec.ts',
  'src/main/studio/bundle-download.spec.ts',
  'src/main/studio/crash-safety.spec.ts',
  'src/main/studio/folder-import.spec.ts',
  'src/main/studio/library-rebuild.spec.ts',
  'src/main/studio/model-manager.spec.ts',
  'src/main/studio/studio-models-hub.spec.ts',
  'src/main/studio/studio-references.spec.ts',
  'src/main/studio/studio-service.spec.ts',
  'src/main/web/studio-web-server.spec.ts',
  'src/main/farm/farm.spec.ts',
  'src/main/farm/farm-connection.spec.ts',
  'src/main/studio/farm-service.spec.ts',
  // reference import and export through the engine's audio path, and child-process crash runs
  'src/main/audio/reference-import-thread.spec.ts',
  'src/main/audio/reference-import.spec.ts',
  'src/main/audio/reference-resample.spec.ts',
  'src/main/export/export-metadata.spec.ts',
  'src/main/export/render-export.spec.ts',
  'src/main/library/library-crash.spec.ts',
  'src/main/library/library-db.spec.ts',
  'src/main/library/wav-metadata.spec.ts',
  'src/main/models-hub/install-crash.spec.ts',
  'src/main/models-hub/model-installer.spec.ts',
  // builds and packs the app; builds the renderer and serves it
  'src/main/electron/packaging.spec.ts',
  'src/main/web/studio-web.spec.ts',
  // many encoder and decoder child processes (sox, lame, opusenc) and full-length CLAP features
  'src/main/audio/decode-audio.spec.ts',
  'src/main/engine/pipeline/clap-features.spec.ts',
];
