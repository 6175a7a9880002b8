/**
 * Typed errors that cross every boundary (engine process, IPC, browser bridge, CLI).
 * Each carries a stable `code` and a `hint`: what the user should do next.
 */
export type LoaErrorCode =
  | 'INVALID_REQUEST'
  | 'BUNDLE_INVALID'
  | 'PROVIDER_UNAVAILABLE'
  | 'OUT_OF_MEMORY'
  | 'INFERENCE_FAILED'
  | 'CANCELLED'
  | 'ENGINE_CRASHED'
  | 'ENGINE_HUNG'
  | 'AUDIO_DECODE'
  | 'DISK_FULL'
  | 'IO_FAILED'
  | 'INTERNAL';

export class LoaError extends Error {
  readonly code: LoaErrorCode;
  readonly hint: string;
  constructor(code: LoaErrorCode, message: string, hint: string) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.hint = hint;
  }
}

export class InvalidRequestError extends LoaError {
  readonly field: string;
  constructor(field: string, message: string, hint = 'Correct the value and try again.') {
    super('INVALID_REQUEST', message, hint);
    this.field = field;
  }
}

export class ModelBundleError extends LoaError {
  readonly file: string;
  constructor(file: string, message: string, hint = 'Re-export or re-download the model bundle, then run `npm run loa -- models verify <dir>`.') {
    super('BUNDLE_INVALID', message, hint);
    this.file = file;
  }
}

export class ProviderUnavailableError extends LoaError {
  constructor(message: string, hint = 'Choose device "auto" or "cpu".') {
    super('PROVIDER_UNAVAILABLE', message, hint);
  }
}

export class OutOfMemoryError extends LoaError {
  constructor(message: string) {
    super('OUT_OF_MEMORY', message, 'Generate fewer takes or a shorter clip, use an fp16 bundle on a GPU, or switch the device to CPU.');
  }
}

export class InferenceError extends LoaError {
  constructor(message: string, hint = 'Check that the model bundle passes `npm run loa -- models verify <dir>`; if it does, report this error.') {
    super('INFERENCE_FAILED', message, hint);
  }
}

export class CancelledError extends LoaError {
  constructor(message = 'Generation cancelled.') {
    super('CANCELLED', message, 'Nothing to do: start a new generation when ready.');
  }
}

export class EngineCrashedError extends LoaError {
  constructor(message: string) {
    super('ENGINE_CRASHED', message, 'The engine was restarted; try again. If it keeps crashing, use fewer takes or a shorter clip, or switch the device to CPU.');
  }
}

export class EngineHungError extends LoaError {
  constructor(message: string) {
    super('ENGINE_HUNG', message, 'The engine was stopped and restarted; try again, perhaps with fewer steps or on another device.');
  }
}

export class AudioDecodeError extends LoaError {
  constructor(message: string, hint = 'Use a WAV, FLAC, MP3 or OGG file that other players can open.') {
    super('AUDIO_DECODE', message, hint);
  }
}

export class DiskFullError extends LoaError {
  /** `path`: what could not be written, when known; `message` replaces the sentence (a rebuilt envelope). */
  constructor(path: string | null, message?: string) {
    super(
      'DISK_FULL',
      message ?? (path ? `The disk is full: could not write ${path}.` : 'The disk is full.'),
      'Free some disk space or choose another output folder, then try again. Nothing was lost.',
    );
  }
}

/**
 * A failure that is none of the above: a bug in LOA Studio, not the user's file or model. It says
 * so and asks for a report, instead of sending the user to check a model bundle that is fine.
 */
export class InternalError extends LoaError {
  /** `hint`: what to report and where its log is, when the reporter knows (src/main/studio/bug-report.ts). */
  constructor(message: string, hint = 'This is a bug in LOA Studio, not a problem with your files or model. Please report it with this message and what you were doing; trying again may work.') {
    super('INTERNAL', `Internal error: ${message}`, hint);
  }
}

/** Error codes of the operating system and of SQLite that mean the disk (or the user's quota) is full. */
const DISK_FULL_CODES = new Set(['ENOSPC', 'EDQUOT', 'SQLITE_FULL']);

/** Whether `error` is the disk running full, however it was raised (Node fs, SQLite, a native addon). */
export function isDiskFull(error: unknown): boolean {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' && DISK_FULL_CODES.has(code);
}

/**
 * Any thrown value as one of our typed errors: ours pass through, a full disk becomes DiskFullError,
 * everything else is an InternalError (a bug to report).
 */
export function asLoaError(error: unknown): LoaError {
  if (error instanceof LoaError) return error;
  if (isDiskFull(error)) return new DiskFullError(null);
  return new InternalError(error instanceof Error ? error.message : String(error));
}

/** The plain-data form of an error, safe to structured-clone or JSON-encode across a transport. */
export interface ErrorEnvelope {
  name: string;
  code: LoaErrorCode;
  message: string;
  hint: string;
  field?: string;
  file?: string;
}

export function toErrorEnvelope(error: unknown): ErrorEnvelope {
  if (error instanceof LoaError) {
    const envelope: ErrorEnvelope = { name: error.name, code: error.code, message: error.message, hint: error.hint };
    if (error instanceof InvalidRequestError) envelope.field = error.field;
    if (error instanceof ModelBundleError) envelope.file = error.file;
    return envelope;
  }
  return toErrorEnvelope(asLoaError(error));
}

/** Rebuilds the typed error on the receiving side of a transport. */
export function fromErrorEnvelope(envelope: ErrorEnvelope): LoaError {
  let error: LoaError;
  switch (envelope.code) {
    case 'INVALID_REQUEST':
      error = new InvalidRequestError(envelope.field ?? 'request', envelope.message, envelope.hint);
      break;
    case 'BUNDLE_INVALID':
      error = new ModelBundleError(envelope.file ?? '', envelope.message, envelope.hint);
      break;
    case 'PROVIDER_UNAVAILABLE':
      error = new ProviderUnavailableError(envelope.message, envelope.hint);
      break;
    case 'OUT_OF_MEMORY':
      error = new OutOfMemoryError(envelope.message);
      break;
    case 'CANCELLED':
      error = new CancelledError(envelope.message);
      break;
    case 'ENGINE_CRASHED':
      error = new EngineCrashedError(envelope.message);
      break;
    case 'ENGINE_HUNG':
      error = new EngineHungError(envelope.message);
      break;
    case 'AUDIO_DECODE':
      error = new AudioDecodeError(envelope.message, envelope.hint);
      break;
    case 'DISK_FULL':
      error = new DiskFullError(null, envelope.message);
      break;
    default:
      error = new LoaError(envelope.code, envelope.message, envelope.hint);
  }
  return error;
}

/** One line for a terminal or a toast: what happened, then what to do. */
export function describeError(error: unknown): string {
  const envelope = toErrorEnvelope(error);
  return `${envelope.message} ${envelope.hint}`;
}
