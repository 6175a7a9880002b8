/**
 * Models: the one in use (ModelManager and its engine process), installs from the Hugging Face Hub
 * into `<configDir>/models`, removal, and the Hub access token. Other concerns borrow the engine
 * through `engine` (jobs) and the two embed helpers (search and describe by sound).
 */
import { basename, resolve } from 'node:path';
import { CancelledError, InvalidRequestError, toErrorEnvelope } from '../../shared/errors.ts';
import type { CachedCheckpoint, CatalogueEntry, InstallEvent, RemovePlan } from '../../shared/models/hub-install.ts';
import type { HubInstallRequest, HubTokenState, InstalledModels, InstallProgress, ModelStatus } from '../../shared/studio/studio-api.ts';
import type { ModelInstaller } from '../models-hub/model-installer.ts';
import type { BugReporter } from './bug-report.ts';
import type { HubTokenStore } from './hub-token.ts';
import type { ModelManager } from './model-manager.ts';
import type { StudioEvents } from './studio-events.ts';

export class ModelsService {
  /** Installs under way: id → repo. */
  private readonly installs = new Map<string, string>();

  constructor(
    readonly engine: ModelManager,
    private readonly installer: ModelInstaller,
    private readonly hubToken: HubTokenStore,
    private readonly events: StudioEvents,
    private readonly bugs: BugReporter,
  ) {}

  async getModelStatus(): Promise<ModelStatus> {
    return this.engine.status;
  }

  importModel(dir: string): Promise<ModelStatus> {
    return this.engine.importModel(dir);
  }

  downloadModel(manifestUrl: string): Promise<ModelStatus> {
    return this.engine.downloadModel(manifestUrl);
  }

  async modelCatalogue(): Promise<CatalogueEntry[]> {
    return this.installer.catalogue();
  }

  findCachedModels(): Promise<CachedCheckpoint[]> {
    return this.installer.findCached();
  }

  async installModel(request: HubInstallRequest): Promise<ModelStatus> {
    // Checked at the transport too; the service refuses on its own as well (the CLI-free callers: tests, Electron glue).
    if (request.acceptLicense !== true) {
      throw new InvalidRequestError('acceptLicense', "The model's licence has not been accepted.", 'Read the licence on the card and tick "I accept the licence" before installing.');
    }
    const accessToken = await this.hubToken.get();
    let installId = '';
    let last: InstallEvent | null = null;
    const push = (state: InstallProgress['state'], error: unknown = null) =>
      this.events.emit({ type: 'install', install: { installId, repo: request.repo, state, event: last, error: error === null ? null : toErrorEnvelope(error) } });
    const started = this.installer.install(
      { repo: request.repo, ...(request.revision ? { revision: request.revision } : {}), ...(request.preferCache === false ? { preferCache: false } : {}), ...(accessToken ? { accessToken } : {}) },
      (event) => {
        last = event;
        push('running');
      },
    );
    installId = started.id;
    this.installs.set(installId, request.repo);
    push('running');
    try {
      const model = await started.result;
      const status = await this.engine.importModel(model.dir);
      push('done');
      return status;
    } catch (error) {
      const reported = this.bugs.report(error, `Installing ${request.repo}`);
      push(reported instanceof CancelledError ? 'cancelled' : 'failed', reported);
      throw reported;
    } finally {
      this.installs.delete(installId);
    }
  }

  async cancelInstall(installId: string): Promise<void> {
    if (!this.installs.has(installId)) throw new InvalidRequestError('installId', 'No install with that id is running.', 'It may have finished already; the models list shows what is installed.');
    this.installer.cancel(installId);
  }

  async listModels(): Promise<InstalledModels> {
    const { installed, cached } = await this.installer.list();
    return { installed, cached, activeDir: this.engine.status.bundleDir };
  }

  async switchModel(id: string): Promise<ModelStatus> {
    return this.engine.importModel((await this.installed(id)).dir);
  }

  async planRemoveModel(id: string): Promise<RemovePlan> {
    return this.installer.planRemove((await this.installed(id)).id);
  }

  async removeModel(id: string, options: { includeCache: boolean }): Promise<RemovePlan> {
    const plan = await this.installer.planRemove((await this.installed(id)).id);
    const active = this.engine.status.bundleDir;
    if (plan.modelDir && active && resolve(plan.modelDir) === resolve(active) && this.engine.status.state !== 'error') {
      throw new InvalidRequestError('id', `${plan.id} is the model in use.`, 'Switch to another model first, then remove this one.');
    }
    return this.installer.remove(plan.id, { includeCache: options.includeCache });
  }

  /** Only models in the models folder are switched to or removed from the studio (a cache snapshot alone is the CLI's business). */
  private async installed(id: string) {
    const { installed } = await this.installer.list();
    const model = installed.find((m) => m.id === id || basename(m.dir) === id);
    if (!model) throw new InvalidRequestError('id', `No installed model is called "${id}".`, 'Settings → Models lists the installed models.');
    return model;
  }

  async hubTokenState(): Promise<HubTokenState> {
    return { set: (await this.hubToken.get()) !== undefined, storage: this.hubToken.storage };
  }

  async setHubToken(token: string | null): Promise<HubTokenState> {
    await this.hubToken.set(token === null || token.trim() === '' ? null : token.trim());
    return this.hubTokenState();
  }

  /** CLAP text embeddings from the engine (search and describe by sound). */
  async embedTexts(texts: string[]): Promise<Float32Array[]> {
    const output = await this.engine.run({ kind: 'embed', texts, clips: [] }, {}).result;
    return output.embeddings!.texts;
  }

  /** The CLAP audio embedding of one clip at the model's rate. */
  async embedClip(samples: Float32Array): Promise<Float32Array> {
    const output = await this.engine.run({ kind: 'embed', texts: [], clips: [samples] }, {}).result;
    return output.embeddings!.clips[0];
  }

  dispose(): Promise<void> {
    return this.engine.dispose();
  }
}
