/**
 * Install from the Hub when things go badly for real: the installing process SIGKILLed
 * mid-download (a real child process running the CLI), and a disk that fills up (a real small
 * tmpfs, mounted when the tests run as root; skipped, and said so, where mount is not allowed).
 */
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statfsSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DiskFullError } from '../../shared/errors.ts';
import { REPO_ROOT } from '../cli/testing/run-cli.ts';
import { ModelBundle } from '../engine/bundle/model-bundle.ts';
import { FIXTURE_CHECKPOINT } from '../engine/builder/testing/golden.ts';
import { repoFolderName } from './hf-cache.ts';
import { ModelInstaller } from './model-installer.ts';
import { carriesBytes, HubStandIn, type StandInOptions } from './testing/hub-stand-in.ts';

const REPO = 'cvssp/audioldm2';
const COMMIT = createHash('sha1').update('crash fixture commit').digest('hex');
const UNET = 'unet/diffusion_pytorch_model.safetensors';

let root: string;
let hub: HubStandIn | undefined;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'loa-hub-crash-'));
});
afterEach(async () => {
  await hub?.close();
  hub = undefined;
  rmSync(root, { recursive: true, force: true });
});

async function serve(options: StandInOptions = {}): Promise<HubStandIn> {
  hub = await HubStandIn.start([{ repo: REPO, dir: FIXTURE_CHECKPOINT, commit: COMMIT }], options);
  return hub;
}

const installer = (cacheDir: string, modelsDir: string) =>
  new ModelInstaller({ modelsDir, cacheDirs: [cacheDir], hubUrl: hub!.url, retries: 2, retryDelayMs: 10, idleTimeoutMs: 5000, spaceMarginBytes: 256 * 1024 });

async function expectLoads(dir: string): Promise<void> {
  const bundle = await ModelBundle.load(dir, { device: 'cpu', eager: [] });
  try {
    await bundle.loadAll();
  } finally {
    await bundle.release();
  }
}

const incompletes = (blobs: string) => (existsSync(blobs) ? readdirSync(blobs).filter((b) => b.endsWith('.incomplete')) : []);

describe('a crash mid-download', () => {
  it('resumes the partial blob with a Range request after the CLI process is SIGKILLed', async () => {
    await serve({ bytesPerSecond: 1_500_000 });
    const cacheDir = join(root, 'hf');
    const modelsDir = join(root, 'models');
    const blobs = join(cacheDir, repoFolderName(REPO), 'blobs');
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main/cli/loa.ts', 'models', 'install', REPO, '--hub-url', hub!.url, '--cache-dir', cacheDir, '--dir', modelsDir], {
      cwd: REPO_ROOT,
      stdio: 'ignore',
      env: { ...process.env, HF_TOKEN: '' },
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    // Kill once a weight file is well under way (the stand-in sends 1.5 MB/s).
    const deadline = Date.now() + 60_000;
    let victim: string | undefined;
    while (!victim && Date.now() < deadline) {
      victim = incompletes(blobs).find((b) => (statSync(join(blobs, b), { throwIfNoEntry: false })?.size ?? 0) > 400_000);
      if (!victim) await new Promise((r) => setTimeout(r, 25));
    }
    expect(victim, 'the child never got 400 kB into a weight file').toBeDefined();
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    const partial = statSync(join(blobs, victim!)).size;
    const sha = victim!.replace('.incomplete', '');
    expect(existsSync(join(modelsDir, 'cvssp--audioldm2'))).toBe(false);

    hub!.options.bytesPerSecond = undefined;
    hub!.requests.length = 0;
    const events: string[] = [];
    const model = await installer(cacheDir, modelsDir).install({ repo: REPO }, (e) => e.type === 'plan' && events.push(...e.files.filter((f) => f.hash === sha).map((f) => f.state))).result;
    expect(events).toEqual(['partial']);
    const resumed = hub!.requests.filter((r) => r.kind === 'cdn' && r.url.endsWith(sha) && carriesBytes(r));
    expect(resumed).toHaveLength(1);
    expect(resumed[0].range).toMatch(new RegExp(`^bytes=${partial}-\\d+$`));
    expect(incompletes(blobs)).toEqual([]);
    await expectLoads(model.dir);
  }, 120_000);
});

/** A real tmpfs of `size`, or undefined where this process may not mount one. */
function mountTmpfs(dir: string, size: string): boolean {
  mkdirSync(dir, { recursive: true });
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const tmpfsRoot = mkdtempSync(join(tmpdir(), 'loa-hub-tmpfs-'));
const small = join(tmpfsRoot, 'small');
const medium = join(tmpfsRoot, 'medium');
let mounted = false;
beforeAll(() => {
  mounted = mountTmpfs(small, '8m') && mountTmpfs(medium, '24m');
  if (!mounted) console.warn('install-crash.spec: cannot mount tmpfs here (not root?): the disk-full tests are skipped');
});
afterAll(() => {
  for (const dir of [small, medium]) {
    try {
      execFileSync('umount', [dir], { stdio: 'ignore' });
    } catch {
      // not mounted
    }
  }
  rmSync(tmpfsRoot, { recursive: true, force: true });
});

describe('a full disk (real tmpfs)', () => {
  it('refuses before downloading the weights when the space needed is not free, naming both numbers', async (ctx) => {
    if (!mounted) ctx.skip();
    await serve();
    const error = await installer(join(small, 'hf'), join(small, 'models'))
      .install({ repo: REPO })
      .result.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DiskFullError);
    expect((error as Error).message).toMatch(
      new RegExp(`^Installing cvssp/audioldm2 needs [\\d.]+ MB \\((\\d+) bytes\\) free on the disk of ${small.replace(/[/.]/g, '\\$&')}/hf; only [\\d.]+ (MB|kB) \\((\\d+) bytes\\) is free\\.$`),
    );
    const [, need, free] = /\((\d+) bytes\).*\((\d+) bytes\)/.exec((error as Error).message)!.map(Number);
    expect(need).toBeGreaterThan(14_000_000);
    expect(free).toBeLessThanOrEqual(8 * 1024 * 1024);
    expect(hub!.requests.some((r) => r.file?.endsWith('.safetensors'))).toBe(false);
  });

  it('stops with DiskFullError when the disk fills during the download, keeps the bytes, and resumes once space is freed', async (ctx) => {
    if (!mounted) ctx.skip();
    const filler = join(medium, 'filler');
    let filled = false;
    await serve({
      onRequest: (r) => {
        // Another program fills the disk just as the UNet starts to arrive.
        if (r.kind === 'cdn' && r.file === UNET && carriesBytes(r) && !filled) {
          filled = true;
          const { bavail, bsize } = statfsSync(medium);
          writeFileSync(filler, Buffer.alloc(Math.max(0, bavail * bsize - 96 * 1024)));
        }
      },
    });
    const cacheDir = join(medium, 'hf');
    const modelsDir = join(medium, 'models');
    const error = await installer(cacheDir, modelsDir)
      .install({ repo: REPO })
      .result.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DiskFullError);
    expect((error as Error).message).toMatch(/The disk filled up while downloading unet\/diffusion_pytorch_model\.safetensors .*free some space and install again to resume/);
    expect(existsSync(join(modelsDir, 'cvssp--audioldm2'))).toBe(false);
    const blobs = join(cacheDir, repoFolderName(REPO), 'blobs');
    const sha = hub!.file(REPO, UNET).sha256!;
    const partial = existsSync(join(blobs, `${sha}.incomplete`)) ? statSync(join(blobs, `${sha}.incomplete`)).size : 0;

    const fetchedBefore = new Set(hub!.requests.filter((r) => carriesBytes(r) && r.sent > 0 && r.file !== UNET).map((r) => r.file));
    expect(fetchedBefore.size).toBeGreaterThan(5);
    rmSync(filler);
    hub!.requests.length = 0;
    const model = await installer(cacheDir, modelsDir).install({ repo: REPO }).result;
    const resumed = hub!.requests.filter((r) => r.kind === 'cdn' && r.file === UNET && carriesBytes(r));
    expect(resumed).toHaveLength(1);
    if (partial > 0) expect(resumed[0].range).toBe(`bytes=${partial}-${hub!.file(REPO, UNET).bytes.length - 1}`);
    await expectLoads(model.dir);
    // Files finished before the disk filled are not fetched again.
    expect(hub!.requests.filter((r) => carriesBytes(r) && r.sent > 0 && fetchedBefore.has(r.file))).toEqual([]);
  });
});
