/**
 * The renderer's state classes (`*.svelte.ts`) use runes, so their specs need the Svelte compiler.
 * They compile for the client (signals, effects) and resolve `svelte` to its browser entry, yet run
 * in Node: the classes touch no DOM, so no DOM emulation is needed.
 */
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineProject } from 'vitest/config';

/** Specs beside the state classes; the renderer's plain-TypeScript specs (api/, lib/) stay in the node project. */
export const RENDERER_STATE_SPECS = 'src/renderer/src/state/**/*.spec.ts';

export const rendererStateProject = defineProject({
  plugins: [svelte({ configFile: false, dynamicCompileOptions: () => ({ generate: 'client' }) })],
  resolve: { conditions: ['browser'] },
  ssr: { resolve: { conditions: ['browser'], externalConditions: ['browser'] } },
  test: { name: 'renderer', include: [RENDERER_STATE_SPECS], environment: 'node' },
});
