/**
 * The studio's pushed events (StudioApi.onEvent): every concern service publishes here, and each
 * transport subscribes once to carry them to its windows or sockets.
 */
import type { StudioEvent } from '../../shared/studio/studio-api.ts';

export type StudioListener = (event: StudioEvent) => void;

export class StudioEvents {
  private readonly listeners = new Set<StudioListener>();

  on(listener: StudioListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** A failing listener (a transport bug) must not stop a job from settling or other listeners from hearing it. */
  emit(event: StudioEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        process.emitWarning(`A Studio event listener failed on a '${event.type}' event: ${(error as Error).stack ?? String(error)}`);
      }
    }
  }

  clear(): void {
    this.listeners.clear();
  }
}
