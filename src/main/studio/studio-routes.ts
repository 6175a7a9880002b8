/**
 * Which concern answers each Studio API method. The table is typed against StudioApi: a method
 * without a route, or a route that takes other arguments, does not compile. Adding a method is a line
 * here and a method on the service that owns its resource (docs/recipes/add-an-api-method.md).
 */
import type { StudioApi, StudioMethod } from '../../shared/studio/studio-api.ts';
import type { ExportService } from './export-service.ts';
import type { FarmService } from './farm-service.ts';
import type { JobsService } from './jobs-service.ts';
import type { LibraryService } from './library-service.ts';
import type { ModelsService } from './models-service.ts';
import type { ReferencesService } from './references-service.ts';
import type { SettingsService } from './settings-service.ts';

export interface StudioServices {
  models: ModelsService;
  jobs: JobsService;
  references: ReferencesService;
  library: LibraryService;
  exports: ExportService;
  settings: SettingsService;
  farm: FarmService;
}

export type StudioRoutes = { [M in StudioMethod]: StudioApi[M] };

export function studioRoutes({ models, jobs, references, library, exports, settings, farm }: StudioServices): StudioRoutes {
  return {
    getModelStatus: () => models.getModelStatus(),
    importModel: (dir) => models.importModel(dir),
    downloadModel: (url) => models.downloadModel(url),
    modelCatalogue: () => models.modelCatalogue(),
    findCachedModels: () => models.findCachedModels(),
    installModel: (request) => models.installModel(request),
    cancelInstall: (installId) => models.cancelInstall(installId),
    listModels: () => models.listModels(),
    switchModel: (id) => models.switchModel(id),
    planRemoveModel: (id) => models.planRemoveModel(id),
    removeModel: (id, options) => models.removeModel(id, options),
    hubTokenState: () => models.hubTokenState(),
    setHubToken: (token) => models.setHubToken(token),

    generate: (request) => jobs.generate(request),
    transform: (request) => jobs.transform(request),
    regenerateRecipe: (recipe) => jobs.regenerateRecipe(recipe),
    cancel: (jobId) => jobs.cancel(jobId),
    listJobs: () => jobs.listJobs(),

    importReference: (source) => references.importReference(source),
    listReferences: () => references.listReferences(),
    describeReference: (referenceId, region) => references.describeReference(referenceId, region),
    takesLikeReference: (referenceId, limit) => references.takesLikeReference(referenceId, limit),

    listTakes: () => library.listTakes(),
    getTake: (takeId) => library.getTake(takeId),
    updateTake: (takeId, patch) => library.updateTake(takeId, patch),
    searchLibrary: (query) => library.searchLibrary(query),
    similarTakes: (takeId, limit) => library.similarTakes(takeId, limit),
    describeTake: (takeId) => library.describeTake(takeId),
    trashTakes: (takeIds) => library.trashTakes(takeIds),
    restoreTakes: (takeIds) => library.restoreTakes(takeIds),
    lineageTree: (takeId) => library.lineageTree(takeId),
    importFolder: (path) => library.importFolder(path),
    readRecipe: (source) => library.readRecipe(source),
    rebuildLibrary: () => library.rebuildLibrary(),

    exportTakes: (request) => exports.exportTakes(request),
    prepareDrag: (takeId, region) => exports.prepareDrag(takeId, region),

    getSettings: () => settings.getSettings(),
    updateSettings: (patch) => settings.updateSettings(patch),

    farmState: () => farm.farmState(),
    connectFarm: (url) => farm.connectFarm(url),
    disconnectFarm: () => farm.disconnectFarm(),
    farmOverview: () => farm.farmOverview(),
    generateOnFarm: (request) => farm.generateOnFarm(request),
  };
}
