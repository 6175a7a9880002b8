/**
 * The only difference between an Electron utility process and a Node child process is how they
 * talk to their parent (`process.parentPort` vs `process.send`); this hides it.
 */
import type { EngineEvent, EngineRequest } from '../../../shared/engine/engine-protocol.ts';

export interface WorkerTransport {
  send(event: EngineEvent): void;
  onMessage(handler: (request: EngineRequest) => void): void;
}

interface ParentPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (e: { data: unknown }) => void): void;
}

export function workerTransport(): WorkerTransport {
  const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;
  if (parentPort) {
    return {
      send: (event) => parentPort.postMessage(event),
      onMessage: (handler) => parentPort.on('message', (e) => handler(e.data as EngineRequest)),
    };
  }
  if (!process.send) throw new Error('The engine worker must be started by the engine host (no IPC channel).');
  return {
    send: (event) => process.send!(event),
    onMessage: (handler) => {
      process.on('message', (message) => handler(message as EngineRequest));
      // The host died: nothing will ever ask for our results.
      process.on('disconnect', () => process.exit(0));
    },
  };
}
