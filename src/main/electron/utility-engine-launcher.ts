/**
 * The engine in an Electron utility process (docs/electron.md §1): a native ONNX Runtime crash or a
 * hung run takes down only this child, never the window. Same `EngineChild` contract as the Node
 * `fork` launcher, so `EngineHost` (watchdog, restart, cancel) works unchanged.
 */
import { utilityProcess } from 'electron';
import type { EngineEvent, EngineRequest } from '../../shared/engine/engine-protocol.ts';
import { engineProcessEnv } from '../engine/host/engine-process-env.ts';
import { engineWorkerEntry, type EngineChild, type LaunchEngine } from '../engine/host/node-engine-launcher.ts';

export const ENGINE_SERVICE_NAME = 'LOA Engine';

export function utilityEngineLauncher(): LaunchEngine {
  return () => {
    // Built layout: out/main/index.js and out/main/engine-worker.js side by side (electron.vite.config.ts).
    const child = utilityProcess.fork(engineWorkerEntry().path, [], {
      serviceName: ENGINE_SERVICE_NAME,
      stdio: 'inherit',
      env: engineProcessEnv(process.env),
    });
    let spawned = false;
    let exited = false;
    const pending: EngineRequest[] = [];
    child.once('spawn', () => {
      spawned = true;
      for (const request of pending.splice(0)) child.postMessage(request);
    });
    child.once('exit', () => {
      exited = true;
    });
    return {
      get pid() {
        return child.pid;
      },
      send: (request) => {
        if (exited) return;
        // The host sends `load` right after launching; hold it until the process exists.
        if (spawned) child.postMessage(request);
        else pending.push(request);
      },
      onEvent: (handler) => child.on('message', (message: unknown) => handler(message as EngineEvent)),
      // Utility processes report only an exit code; a kill shows up as a non-zero code.
      onExit: (handler) => child.on('exit', (code: number) => handler(code, null)),
      kill: () => {
        if (exited) return;
        const pid = child.pid;
        // UtilityProcess.kill() can block the main process on macOS until the child is gone
        // (electron#45053), and a hung native run ignores SIGTERM anyway: send SIGKILL ourselves.
        if (pid !== undefined && process.platform !== 'win32') {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // Already gone between the check and the kill.
          }
        } else {
          child.kill();
        }
      },
    } satisfies EngineChild;
  };
}
