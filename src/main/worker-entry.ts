/**
 * Where a worker's entry file is, from the module that starts it: the TypeScript source beside it
 * under tsx/vitest (run with tsx's loader), or the built JavaScript beside it once electron-vite
 * has bundled main (every entry lands flat in out/main/, see electron.vite.config.ts).
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export function siblingEntry(moduleUrl: string, name: string): { path: string; execArgv: string[] } {
  const here = fileURLToPath(moduleUrl);
  if (here.endsWith('.ts')) {
    const tsxLoader = pathToFileURL(createRequire(moduleUrl).resolve('tsx')).href;
    return { path: join(dirname(here), `${name}.ts`), execArgv: ['--import', tsxLoader] };
  }
  return { path: join(dirname(here), `${name}.js`), execArgv: [] };
}
