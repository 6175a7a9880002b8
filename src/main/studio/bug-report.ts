/**
 * What the studio says when something fails that is none of our typed errors (a TypeError, a broken
 * assumption: a bug in LOA Studio). Never "inference failed" or a model-bundle hint, which would send
 * the user to check files that are fine: an InternalError that asks for a report, names the log file,
 * and the stack written to that log (and stderr), where a bug report can take it from.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { asLoaError, InternalError, type LoaError } from '../../shared/errors.ts';

export class BugReporter {
  /** InternalErrors this reporter made: reporting one again (a job failure that is also thrown) logs nothing twice. */
  private readonly made = new WeakSet<LoaError>();

  constructor(readonly logFile: string) {}

  /** Typed errors pass through; anything else (or an INTERNAL one from the engine) is logged and comes back as a reportable InternalError. */
  report(error: unknown, during: string): LoaError {
    const typed = asLoaError(error); // a full disk raised by fs or SQLite becomes DiskFullError here
    if (typed.code !== 'INTERNAL' || this.made.has(typed)) return typed;
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    this.log(`${new Date().toISOString()} ${during} failed unexpectedly: ${detail}\n`);
    const message = typed.message.replace(/^Internal error: /, '');
    const reported = new InternalError(
      message,
      `This is a bug in LOA Studio, not a problem with your files or model. Please report it with this message, what you were doing, and the log at ${this.logFile}. Trying again may work.`,
    );
    this.made.add(reported);
    return reported;
  }

  private log(entry: string): void {
    process.stderr.write(entry);
    try {
      mkdirSync(dirname(this.logFile), { recursive: true });
      appendFileSync(this.logFile, entry);
    } catch {
      // The error itself still reaches the user; only the log line is lost.
    }
  }
}
