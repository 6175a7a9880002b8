import { fork } from 'node:child_process';
import { siblingEntry } from '../../worker-entry.ts';
import { engineProcessEnv } from './engine-process-env.ts';
import type { EngineEvent, EngineRequest } from '../../../shared/engine/engine-protocol.ts';

/** A running engine process, whatever started it (Node `fork` here, Electron `utilityProcess` in the app). */
export interface EngineChild {
  readonly pid: number | undefined;
  send(request: EngineRequest): void;
  onEvent(handler: (event: EngineEvent) => void): void;
  onExit(handler: (code: number | null, signal: string | null) => void): void;
  /** SIGKILL: a hung native run ignores anything gentler. */
  kill(): void;
}

export type LaunchEngine = () => EngineChild;

/** The worker entry beside this file: TypeScript under tsx/vitest, JavaScript once built. */
export function engineWorkerEntry(): { path: string; execArgv: string[] } {
  return siblingEntry(import.meta.url, 'engine-worker');
}

/** Starts the engine as a Node child process (CLI, browser mode, tests). */
export function nodeEngineLauncher(): LaunchEngine {
  return () => {
    const entry = engineWorkerEntry();
    const child = fork(entry.path, [], {
      execArgv: entry.execArgv,
      env: engineProcessEnv(process.env),
      serialization: 'advanced', // Float32Array crosses as a typed array, not JSON
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    return {
      get pid() {
        return child.pid;
      },
      send: (request) => {
        if (child.connected) child.send(request);
      },
      onEvent: (handler) => child.on('message', (message) => handler(message as EngineEvent)),
      onExit: (handler) => child.on('exit', (code, signal) => handler(code, signal)),
      kill: () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      },
    };
  };
}
