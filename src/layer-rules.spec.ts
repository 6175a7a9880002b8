/**
 * The import-layer rules in eslint.config.js fire: ESLint's own Node API lints in-memory files placed
 * (by path) in each layer, so a rule that stops matching — a glob typo, a moved module — fails here.
 */
import { resolve } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');
const eslint = new ESLint({ cwd: ROOT });

/** The layer-rule findings for `code` saved at `path`: `rule@line`. */
async function layerFindings(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: resolve(ROOT, path) });
  return result.messages.filter((m) => m.ruleId === 'no-restricted-imports' || m.ruleId === 'no-restricted-syntax' || m.fatal).map((m) => `${m.ruleId ?? 'parse error'}@${m.line}`);
}

describe('the import-layer rules', () => {
  it('refuse an import of main, preload or renderer from src/shared, and allow shared ones', async () => {
    const code = [
      "import { dispatchCall } from '../../main/studio/dispatch.ts';",
      "import type { StudioBridge } from '../../preload/index.ts';",
      "import { errorText } from '../../renderer/src/lib/error-text.ts';",
      "import { LoaError } from '../errors.ts';",
      'export const used = [dispatchCall, errorText, LoaError] as unknown as StudioBridge;',
    ].join('\n');
    expect(await layerFindings('src/shared/studio/layer-probe.ts', code)).toEqual(['no-restricted-imports@1', 'no-restricted-imports@2', 'no-restricted-imports@3']);
  });

  it('refuse an import of main from the renderer, and allow shared', async () => {
    const code = [
      "import { StudioService } from '../../../main/studio/studio-service.ts';",
      "import { LoaError } from '../../../shared/errors.ts';",
      'export const used = [StudioService, LoaError];',
    ].join('\n');
    expect(await layerFindings('src/renderer/src/lib/layer-probe.ts', code)).toEqual(['no-restricted-imports@1']);
  });

  it('let only the ONNX module load onnxruntime-node, by import or by require', async () => {
    const code = [
      "import * as ort from 'onnxruntime-node';",
      "import { createRequire } from 'node:module';",
      "export const bin = createRequire(import.meta.url).resolve('onnxruntime-node');",
      'export { ort };',
    ].join('\n');
    expect(await layerFindings('src/main/engine/pipeline/layer-probe.ts', code)).toEqual(['no-restricted-imports@1', 'no-restricted-syntax@3']);
    expect(await layerFindings('src/main/engine/onnx/onnx-runtime.ts', code)).toEqual([]);
  });

  it('let only the library SQLite driver load better-sqlite3', async () => {
    const code = [
      "import { createRequire } from 'node:module';",
      "export const Database = createRequire(import.meta.url)('better-sqlite3');",
      "export const later = () => import('better-sqlite3');",
    ].join('\n');
    expect(await layerFindings('src/main/studio/layer-probe.ts', code)).toEqual(['no-restricted-syntax@2', 'no-restricted-syntax@3']);
    expect(await layerFindings('src/main/library/sqlite-driver.ts', code)).toEqual([]);
  });

  it('let only the Electron glue import electron', async () => {
    const code = "import { app } from 'electron';\nexport const name = app.getName();";
    expect(await layerFindings('src/main/studio/layer-probe.ts', code)).toEqual(['no-restricted-imports@1']);
    expect(await layerFindings('src/shared/layer-probe.ts', code)).toEqual(['no-restricted-imports@1']);
    expect(await layerFindings('src/main/electron/layer-probe.ts', code)).toEqual([]);
    expect(await layerFindings('src/main/index.ts', code)).toEqual([]);
    expect(await layerFindings('src/preload/index.ts', code)).toEqual([]);
  });
});
