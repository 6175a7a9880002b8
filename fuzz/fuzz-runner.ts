/**
 * What every fuzzer in fuzz/ shares: the run loop (case budget by count and time, a one-case
 * replay, uncaught exceptions and unhandled rejections caught as findings, a quiet console, the
 * final log line) and the command line (`--seed`, `--seconds`, `--cases`, `--case`, optionally
 * `--save`; findings printed with the line that replays them; exit code 1 when there are any).
 * What a case is and what counts as a finding stays in each fuzzer.
 */
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

export interface FuzzOptions {
  seed: number;
  /** Stop after this many cases… */
  cases?: number;
  /** …or after this long, whichever comes first. */
  timeMs?: number;
  /** Run only this case (a replay). */
  only?: number;
  log?: (line: string) => void;
}

/** Every finding names the seed and case that replay it. */
export interface FuzzFinding {
  seed: number;
  index: number;
}

export interface FuzzReport<F extends FuzzFinding> {
  seed: number;
  cases: number;
  findings: F[];
}

/** What one case showed: its problems (none when all is well), and how to write each as a finding. */
export interface FuzzCaseOutcome<F extends FuzzFinding> {
  /** Named in the log line of each finding: `finding: seed 1 case 2 (label): problem`. */
  label: string;
  problems: string[];
  finding(problem: string): F;
}

export interface FuzzCaseContext {
  /** Uncaught exceptions and unhandled rejections since the last call, as problems (with `catchCrashes`). */
  crashes(): string[];
}

export interface FuzzLoop<F extends FuzzFinding, R> {
  /** Begins the final log line: `<title>: 40 cases from seed 7, 0 finding(s)`. */
  title: string;
  /** Record uncaught exceptions and unhandled rejections (for `context.crashes()`) while the run lasts. */
  catchCrashes?: boolean;
  /** Silence console.log/warn/error while the run lasts (libraries that print every damaged input). */
  quietConsole?: boolean;
  /** Let other work run (setImmediate) after every this many cases: a synchronous fuzzer stays interruptible. */
  yieldEvery?: number;
  /** What the cases need (a server, a folder), made before the clock starts… */
  open(): Promise<R> | R;
  /** …and released when the run ends, however it ends. */
  close?(resource: R): Promise<void> | void;
  runCase(index: number, resource: R, context: FuzzCaseContext): Promise<FuzzCaseOutcome<F>> | FuzzCaseOutcome<F>;
  /** Findings about the run as a whole, after the last case (not logged). */
  finish?(resource: R): Promise<F[]> | F[];
}

const describeError = (error: unknown) => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));

/** Runs cases `only` (alone) or 0, 1, 2, … until the case count or the time is spent. */
export async function fuzzLoop<F extends FuzzFinding, R>(options: FuzzOptions, loop: FuzzLoop<F, R>): Promise<FuzzReport<F>> {
  const { seed } = options;
  const log = options.log ?? (() => {});
  const findings: F[] = [];
  const crashes: string[] = [];
  const onCrash = (error: unknown) => crashes.push(describeError(error));
  if (loop.catchCrashes) {
    process.on('uncaughtException', onCrash);
    process.on('unhandledRejection', onCrash);
  }
  const context: FuzzCaseContext = { crashes: () => crashes.splice(0).map((crash) => `process: ${crash}`) };
  const consoleMethods = { error: console.error, warn: console.warn, log: console.log };
  let cases = 0;
  try {
    const resource = await loop.open();
    try {
      const deadline = performance.now() + (options.timeMs ?? Infinity);
      const maxCases = options.cases ?? Infinity;
      if (loop.quietConsole) console.error = console.warn = console.log = () => {};
      for (let index = options.only ?? 0; cases < maxCases && performance.now() < deadline; index++) {
        const outcome = await loop.runCase(index, resource, context);
        for (const problem of outcome.problems) {
          findings.push(outcome.finding(problem));
          log(`finding: seed ${seed} case ${index} (${outcome.label}): ${problem}`);
        }
        cases++;
        if (options.only !== undefined) break;
        if (loop.yieldEvery && cases % loop.yieldEvery === 0) await new Promise((settle) => setImmediate(settle));
      }
      if (loop.finish) findings.push(...(await loop.finish(resource)));
    } finally {
      if (loop.quietConsole) Object.assign(console, consoleMethods);
      await loop.close?.(resource);
    }
  } finally {
    if (loop.catchCrashes) {
      process.off('uncaughtException', onCrash);
      process.off('unhandledRejection', onCrash);
    }
  }
  log(`${loop.title}: ${cases} cases from seed ${seed}, ${findings.length} finding(s)`);
  return { seed, cases, findings };
}

/** Whether the module at `moduleUrl` (its import.meta.url) is the one node/tsx was started with. */
export function isEntryModule(moduleUrl: string): boolean {
  return Boolean(process.argv[1]) && moduleUrl === pathToFileURL(resolve(process.argv[1])).href;
}

export interface FuzzCliOptions<F extends FuzzFinding, K extends keyof F> {
  /**
   * Accept `--save <dir>`: each finding's `field` (its input) is written there as `file(finding)`.
   * That field is left out of the finding printed on stdout either way.
   */
  save?: { field: K; file: (finding: F) => string };
}

/**
 * The command line of fuzzer `name` (run as `npm run fuzz:<name>`): one run from `--seed` (a new
 * one from the clock without it) for `--seconds` (60) or `--cases`, or case `--case` alone; each
 * finding printed as JSON with the command that replays it. Exit code 1 with findings, 2 when the
 * fuzzer itself fails.
 */
export function runFuzzCli<F extends FuzzFinding, K extends keyof F = never>(name: string, fuzz: (options: FuzzOptions) => Promise<FuzzReport<F>>, options: FuzzCliOptions<F, K> = {}): void {
  const { save } = options;
  const main = async () => {
    const { values } = parseArgs({
      options: {
        seed: { type: 'string' },
        seconds: { type: 'string' },
        cases: { type: 'string' },
        case: { type: 'string' },
        ...(save ? { save: { type: 'string' as const } } : {}),
      },
      strict: true,
    });
    const saveDir = (values as { save?: string }).save;
    const seed = values.seed === undefined ? Date.now() % 1_000_000 : Number(values.seed);
    const report = await fuzz({
      seed,
      timeMs: Number(values.seconds ?? 60) * 1000,
      cases: values.cases === undefined ? undefined : Number(values.cases),
      only: values.case === undefined ? undefined : Number(values.case),
      log: (line) => process.stderr.write(`${line}\n`),
    });
    for (const finding of report.findings) {
      const shown: Partial<F> = { ...finding };
      if (save) {
        delete shown[save.field];
        if (saveDir) writeFileSync(join(saveDir, save.file(finding)), finding[save.field] as string | Uint8Array);
      }
      process.stdout.write(`${JSON.stringify(shown)}\nreplay: npm run fuzz:${name} -- --seed ${finding.seed} --case ${finding.index}\n`);
    }
    process.exitCode = report.findings.length > 0 ? 1 : 0;
  };
  main().catch((error: unknown) => {
    process.stderr.write(`${name} fuzzer failed: ${String(error)}\n`);
    process.exit(2);
  });
}
