/**
 * A failed farm job's reason crosses Redis as BullMQ's `failedReason` string: the typed error's
 * envelope as JSON, so the submitter rebuilds the same error (code, message, hint) a local job
 * would have thrown. Anything else there (a reason BullMQ wrote itself) becomes a plain farm error.
 */
import { fromErrorEnvelope, LoaError, toErrorEnvelope, type ErrorEnvelope } from '../../shared/errors.ts';

const PREFIX = 'loa-error ';

export function encodeFailure(error: unknown): string {
  return `${PREFIX}${JSON.stringify(toErrorEnvelope(error))}`;
}

export function decodeFailure(reason: string | undefined): LoaError {
  if (reason?.startsWith(PREFIX)) {
    try {
      const envelope = JSON.parse(reason.slice(PREFIX.length)) as ErrorEnvelope;
      if (typeof envelope.code === 'string' && typeof envelope.message === 'string') return fromErrorEnvelope({ ...envelope, hint: String(envelope.hint ?? '') });
    } catch {
      // fall through: shown as the farm wrote it
    }
  }
  return new FarmError(`The farm job failed: ${reason ?? 'no reason given'}.`, "See the worker's log for details.");
}

/** The farm itself is the trouble: Redis unreachable, a job gone, a worker's reason unreadable. */
export class FarmError extends LoaError {
  constructor(message: string, hint = 'Check that Redis is running and the farm URL is right (npm run loa -- worker --redis <url>).') {
    super('IO_FAILED', message, hint);
  }
}
