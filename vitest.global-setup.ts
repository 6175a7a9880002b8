/**
 * Builds the test bundle once per run: models/tiny is a random-weight diffusers checkpoint, and the
 * engine tests run the bundle the model builder makes of it — the same path a real model takes.
 */
import { buildBundle } from './src/main/engine/builder/build-bundle.ts';
import { isBundleCurrent } from './src/main/engine/builder/bundle-cache.ts';
import { TINY_BUNDLE, TINY_CHECKPOINT } from './src/main/engine/testing/tiny-bundle.ts';

export default async function setup(): Promise<void> {
  // Another test run may be using the bundle: rebuild only when the builder or models/tiny changed.
  if (await isBundleCurrent(TINY_CHECKPOINT, TINY_BUNDLE)) return;
  await buildBundle(TINY_CHECKPOINT, TINY_BUNDLE, { id: 'tiny-random', name: 'Tiny random AudioLDM 2 (test checkpoint)', license: 'MIT (random weights; no training data)' });
}
