import { ModelBundleError } from '../../../../shared/errors.ts';

/**
 * A checkpoint the builder cannot use: names the file (and tensor or config key) and why. It is a
 * ModelBundleError so every transport already carries it with its file.
 */
export class CheckpointError extends ModelBundleError {
  constructor(file: string, problem: string, hint = 'Re-download the checkpoint (or pick a complete diffusers AudioLDM 2 folder), then build again.') {
    super(file, `${file}: ${problem}.`, hint);
    this.name = 'CheckpointError';
  }
}
