/** The render farm: the connection (Settings → Render farm), where Generate runs, and the farm's queue and workers. */
import type { FarmOverview, FarmState, StudioApi } from '../../../shared/studio/studio-api.ts';
import { errorText, type ErrorText } from '../lib/error-text.ts';

export type RunOn = 'local' | 'farm';

export class FarmStudioState {
  farm = $state<FarmState>({ state: 'disconnected', url: null, error: null });
  overview = $state.raw<FarmOverview | null>(null);
  /** Why the last connect or refresh failed, for the settings section and the panel. */
  problem = $state<ErrorText | null>(null);
  busy = $state(false);
  /** Where Generate runs; the farm only while connected. */
  runOn = $state<RunOn>('local');
  connected = $derived(this.farm.state === 'connected');
  onFarm = $derived(this.connected && this.runOn === 'farm');

  constructor(private readonly api: StudioApi) {}

  load = async (): Promise<void> => {
    this.set(await this.api.farmState());
  };

  /** Pushed by main: connected, disconnected, or a connect that failed. */
  set = (farm: FarmState): void => {
    this.farm = farm;
    this.problem = farm.error ? errorText(farm.error) : null;
    if (farm.state !== 'connected') {
      this.runOn = 'local';
      this.overview = null;
    }
  };

  connect = async (url: string | null): Promise<boolean> => {
    this.busy = true;
    this.problem = null;
    try {
      this.set(await this.api.connectFarm(url));
      this.runOn = 'farm';
      void this.refresh();
      return true;
    } catch (error) {
      this.problem = errorText(error);
      return false;
    } finally {
      this.busy = false;
    }
  };

  disconnect = async (): Promise<void> => {
    this.busy = true;
    try {
      this.set(await this.api.disconnectFarm());
    } catch (error) {
      this.problem = errorText(error);
    } finally {
      this.busy = false;
    }
  };

  /** The farm's queue and workers (the Farm panel polls this while it is visible). */
  refresh = async (): Promise<void> => {
    if (!this.connected) return;
    try {
      this.overview = await this.api.farmOverview();
    } catch (error) {
      this.problem = errorText(error);
    }
  };
}
