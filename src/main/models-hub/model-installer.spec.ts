/**
 * Install from the Hub against a local stand-in (no internet): the fixture checkpoint served with
 * the Hub's URL layout and API answers, through the real @huggingface/hub client.
 */
import { createHash, randomBytes } from 'node:crypto';
import { cpSync, existsSync, lstatSync, mkdtempSync, readFileSync, readlinkSync, readdirSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CancelledError, LoaError } from '../../shared/errors.ts';
import type { InstallEvent } from '../../shared/models/hub-install.ts';
import { ModelBundle } from '../engine/bundle/model-bundle.ts';
import { CheckpointError } from '../engine/builder/checkpoint/checkpoint-error.ts';
import { FIXTURE_CHECKPOINT } from '../engine/builder/testing/golden.ts';
import { repoFolderName } from './hf-cache.ts';
import { ModelInstaller, type ModelInstallerOptions } from './model-installer.ts';
import { writeHfSnapshot } from './testing/hf-cache-writer.ts';
import { carriesBytes, HubStandIn, type StandInOptions, type StandInRepo } from './testing/hub-stand-in.ts';

const REPO = 'cvssp/audioldm2';
const COMMIT = createHash('sha1').update('tiny fixture commit').digest('hex');
const UNET = 'unet/diffusion_pytorch_model.safetensors';

let root: string;
let hub: HubStandIn | undefined;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'loa-hub-'));
});
afterEach(async () => {
  await hub?.close();
  hub = undefined;
  rmSync(root, { recursive: true, force: true });
});

const fixtureRepo = (extra: Partial<StandInRepo> = {}): StandInRepo => ({
  repo: REPO,
  dir: FIXTURE_CHECKPOINT,
  commit: COMMIT,
  // The published repos hold a .bin beside every safetensors: it must never be fetched.
  extraFiles: { 'unet/diffusion_pytorch_model.bin': randomBytes(4096) },
  ...extra,
});

async function serve(repos: StandInRepo[] = [fixtureRepo()], options: StandInOptions = {}): Promise<HubStandIn> {
  hub = await HubStandIn.start(repos, options);
  return hub;
}

function installer(options: Partial<ModelInstallerOptions> = {}): ModelInstaller {
  return new ModelInstaller({
    modelsDir: join(root, 'models'),
    cacheDirs: [join(root, 'hf')],
    hubUrl: hub?.url,
    retries: 3,
    retryDelayMs: 10,
    idleTimeoutMs: 2000,
    spaceMarginBytes: 1 << 20,
    ...options,
  });
}

async function installWithEvents(service: ModelInstaller, repo = REPO, extra: { revision?: string; accessToken?: string; preferCache?: boolean } = {}) {
  const events: InstallEvent[] = [];
  const model = await service.install({ repo, ...extra }, (e) => events.push(e)).result;
  return { model, events };
}

async function expectLoads(dir: string): Promise<void> {
  const bundle = await ModelBundle.load(dir, { device: 'cpu', eager: [] });
  try {
    await bundle.loadAll();
  } finally {
    await bundle.release();
  }
}

const fixtureBytes = (path: string) => statSync(join(FIXTURE_CHECKPOINT, path)).size;
const repoDir = () => join(root, 'hf', repoFolderName(REPO));

describe('fresh install', () => {
  it('downloads only the needed files into the Hugging Face cache layout, checks them, and builds a model that loads', async () => {
    await serve();
    const { model, events } = await installWithEvents(installer());

    expect(model.dir).toBe(join(root, 'models', 'cvssp--audioldm2'));
    expect(model.license).toMatch(/^CC-BY-NC-SA-4\.0 .*non-commercial, attribution, share-alike/);
    expect(model.repo).toBe(REPO);
    expect(model.revision).toBe(COMMIT);
    await expectLoads(model.dir);

    // Cache layout: refs/main, relative symlinks into blobs named by sha256 (LFS) or git sha1.
    expect(readFileSync(join(repoDir(), 'refs', 'main'), 'utf8')).toBe(COMMIT);
    const snapshot = join(repoDir(), 'snapshots', COMMIT);
    const unetLink = join(snapshot, UNET);
    expect(lstatSync(unetLink).isSymbolicLink()).toBe(true);
    expect(readlinkSync(unetLink)).toBe(`../../../blobs/${hub!.file(REPO, UNET).sha256}`);
    expect(readlinkSync(join(snapshot, 'model_index.json'))).toBe(`../../blobs/${hub!.file(REPO, 'model_index.json').gitSha1}`);
    expect(readdirSync(join(repoDir(), 'blobs')).filter((b) => b.endsWith('.incomplete'))).toEqual([]);
    // The bundle shares the cache's weights (hard links), it does not copy them.
    expect(statSync(join(repoDir(), 'blobs', hub!.file(REPO, UNET).sha256!)).nlink).toBe(2);
    expect(model.sharedBytes).toBeGreaterThanOrEqual(fixtureBytes(UNET));

    // Only safetensors, configs and tokenizer.json/tokenizer_config.json: no .bin, no vocab/merges/spiece.
    const fetched = new Set(hub!.requests.filter((r) => r.file).map((r) => r.file));
    expect([...fetched].some((f) => /\.bin$|merges|vocab|spiece|special_tokens/.test(f!))).toBe(false);
    expect(fetched.has(UNET)).toBe(true);
    const plan = events.find((e) => e.type === 'plan')!;
    expect(plan.type === 'plan' && plan.files.length).toBe(21);
    const needed = plan.type === 'plan' ? plan.files.reduce((n, f) => n + fixtureBytes(f.path), 0) : 0;
    expect(plan.type === 'plan' && plan.totalBytes).toBe(needed);
    expect(plan.type === 'plan' && plan.files.find((f) => f.path === UNET)?.check).toBe('sha256');
    expect(plan.type === 'plan' && plan.files.find((f) => f.path === 'unet/config.json')?.check).toBe('git-sha1');

    // Progress: per file and overall, ending at the total; build stages after the download.
    const downloads = events.filter((e) => e.type === 'download');
    const last = downloads.at(-1)!;
    expect(last.type === 'download' && last.bytes).toBe(needed);
    expect(downloads.some((e) => e.type === 'download' && e.file === UNET && e.fileBytes === e.fileTotal)).toBe(true);
    expect(events.filter((e) => e.type === 'verify').length).toBe(21);
    expect(events.findIndex((e) => e.type === 'build')).toBeGreaterThan(events.findIndex((e) => e.type === 'download'));
    expect(events.at(-1)?.type).toBe('done');

    // A second install reuses everything: no file bytes move.
    hub!.requests.length = 0;
    await installWithEvents(installer(), REPO, { preferCache: false });
    expect(hub!.downloads().filter(carriesBytes)).toEqual([]);
  });
});

describe('damage and failures', () => {
  it('re-fetches a file whose bytes do not match the Hub sha256 (LFS) or git blob sha1 (small files)', async () => {
    await serve([fixtureRepo()], {
      fault: (r, n) => {
        if (r.kind === 'cdn' && r.file === UNET && carriesBytes(r) && n <= 2) return { corrupt: true };
        if (r.kind === 'resolve' && r.file === 'unet/config.json' && carriesBytes(r) && n <= 2) return { corrupt: true };
        return undefined;
      },
    });
    const { model, events } = await installWithEvents(installer());
    const retry = events.find((e) => e.type === 'retry' && e.file === UNET);
    expect(retry?.type === 'retry' && retry.reason).toMatch(/did not match the Hub's sha256/);
    const small = events.find((e) => e.type === 'retry' && e.file === 'unet/config.json');
    expect(small?.type === 'retry' && small.reason).toMatch(/did not match the Hub's git-sha1/);
    expect(readFileSync(join(repoDir(), 'snapshots', COMMIT, 'unet', 'config.json'))).toEqual(readFileSync(join(FIXTURE_CHECKPOINT, 'unet', 'config.json')));
    const blob = join(repoDir(), 'blobs', hub!.file(REPO, UNET).sha256!);
    expect(createHash('sha256').update(readFileSync(blob)).digest('hex')).toBe(hub!.file(REPO, UNET).sha256);
    await expectLoads(model.dir);
  });

  it('retries server errors, resumes a dropped connection with a Range request, and gives up on a stall only after retrying', async () => {
    const unetSize = fixtureBytes(UNET);
    await serve([fixtureRepo()], {
      fault: (r, n) => {
        if (r.kind === 'tree' && n === 1) return { status: 500 };
        if (r.kind === 'resolve' && r.file === 'vae/config.json' && n <= 2) return { status: 503 };
        if (r.kind === 'cdn' && r.file === UNET && carriesBytes(r) && n === 2) return { dropAfter: 3_000_000 };
        if (r.kind === 'cdn' && r.file === 'vae/diffusion_pytorch_model.safetensors' && carriesBytes(r) && n === 2) return { stall: true };
        return undefined;
      },
    });
    const { model, events } = await installWithEvents(installer({ idleTimeoutMs: 500 }));
    const retries = events.filter((e) => e.type === 'retry');
    expect(retries.some((e) => e.type === 'retry' && e.file === 'vae/config.json' && /503/.test(e.reason))).toBe(true);
    expect(retries.some((e) => e.type === 'retry' && e.file === 'vae/diffusion_pytorch_model.safetensors' && /no data/.test(e.reason))).toBe(true);
    const unetData = hub!.requests.filter((r) => r.kind === 'cdn' && r.file === UNET && carriesBytes(r));
    expect(unetData).toHaveLength(2);
    const start = Number(/^bytes=(\d+)-(\d+)$/.exec(unetData[1].range ?? '')?.[1]);
    expect(start).toBeGreaterThan(0);
    expect(start).toBeLessThanOrEqual(3_000_000);
    expect(unetData[1].range).toBe(`bytes=${start}-${unetSize - 1}`);
    await expectLoads(model.dir);
  });

  it('fails with the reason after the retries are spent, keeping the bytes for the next install', async () => {
    await serve([fixtureRepo()], { fault: (r, n) => (r.kind === 'cdn' && r.file === UNET && carriesBytes(r) ? (n === 2 ? { dropAfter: 1_000_000 } : { status: 502 }) : undefined) });
    const error = await installWithEvents(installer({ retries: 2 })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LoaError);
    expect((error as LoaError).message).toMatch(/Could not download unet\/diffusion_pytorch_model\.safetensors from cvssp\/audioldm2: .*502/);
    expect(existsSync(join(root, 'models', 'cvssp--audioldm2'))).toBe(false);
    expect(existsSync(join(repoDir(), 'snapshots', COMMIT, UNET))).toBe(false);
    expect(statSync(join(repoDir(), 'blobs', `${hub!.file(REPO, UNET).sha256}.incomplete`)).size).toBeGreaterThan(0);
  });

  it('names an unknown repo, a missing revision and a refused token plainly', async () => {
    await serve([fixtureRepo()], { requireToken: 'hf_secret' });
    const noToken = await installWithEvents(installer()).catch((e: unknown) => e);
    expect((noToken as LoaError).message).toMatch(/refused .*HTTP 401.*private or gated/);
    expect((noToken as LoaError).hint).toMatch(/HF_TOKEN/);
    const { model } = await installWithEvents(installer({ accessToken: 'hf_secret' }));
    expect(model.repo).toBe(REPO);
    expect(hub!.requests.every((r) => r.authorization === undefined || r.authorization === 'Bearer hf_secret')).toBe(true);

    await hub!.close();
    await serve();
    const badRev = await installWithEvents(installer(), REPO, { revision: 'v9', preferCache: false }).catch((e: unknown) => e);
    expect((badRev as LoaError).message).toMatch(/no the commit of cvssp\/audioldm2@v9 \(HTTP 404: Invalid rev id: v9\)|Invalid rev id: v9/);
    const unknown = await installWithEvents(installer(), 'someone/nothing').catch((e: unknown) => e);
    expect((unknown as LoaError).message).toMatch(/HTTP 401/);
    const notAnId = await installWithEvents(installer(), 'not a repo').catch((e: unknown) => e);
    expect((notAnId as LoaError).code).toBe('INVALID_REQUEST');
  });
});

describe('cancel', () => {
  it('stops the download, leaves no snapshot entry or model, and the next install resumes the bytes', async () => {
    await serve([fixtureRepo()], { bytesPerSecond: 4_000_000 });
    const service = installer();
    const events: InstallEvent[] = [];
    const handle = service.install({ repo: REPO }, (e) => {
      events.push(e);
      if (e.type === 'download' && e.file === UNET && e.fileBytes > 1_000_000) service.cancel(handle.id);
    });
    await expect(handle.result).rejects.toBeInstanceOf(CancelledError);
    expect(existsSync(join(root, 'models', 'cvssp--audioldm2'))).toBe(false);
    expect(existsSync(join(repoDir(), 'snapshots', COMMIT, UNET))).toBe(false);
    expect(existsSync(join(repoDir(), 'blobs', hub!.file(REPO, UNET).sha256!))).toBe(false);
    const partial = statSync(join(repoDir(), 'blobs', `${hub!.file(REPO, UNET).sha256}.incomplete`)).size;
    expect(partial).toBeGreaterThan(1_000_000);

    hub!.requests.length = 0;
    const { model, events: again } = await installWithEvents(installer());
    const plan = again.find((e) => e.type === 'plan');
    expect(plan?.type === 'plan' && plan.files.find((f) => f.path === UNET)?.state).toBe('partial');
    const resumed = hub!.requests.filter((r) => r.kind === 'cdn' && r.file === UNET && carriesBytes(r));
    expect(resumed.map((r) => r.range)).toEqual([`bytes=${partial}-${fixtureBytes(UNET) - 1}`]);
    await expectLoads(model.dir);
  });
});

describe('two installs of one repo', () => {
  it('lets one process write a partial blob at a time, and takes over the lock of a process that is gone', async () => {
    await serve([fixtureRepo()], { bytesPerSecond: 3_000_000 });
    const first = installer();
    let second: Promise<unknown> | undefined;
    const handle = first.install({ repo: REPO }, (e) => {
      if (!second && e.type === 'download' && e.file === UNET && e.fileBytes > 500_000)
        second = installer()
          .install({ repo: REPO })
          .result.catch((error: unknown) => error);
    });
    await handle.result;
    const error = await second;
    expect((error as LoaError).message).toMatch(new RegExp(`^Another LOA Studio process \\(pid ${process.pid}\\) is downloading unet/diffusion_pytorch_model\\.safetensors`));
    const locks = join(root, 'hf', '.locks', repoFolderName(REPO));
    expect(readdirSync(locks)).toEqual([]);

    // A crashed process's lock (its pid no longer runs) does not block the next install.
    rmSync(join(repoDir(), 'blobs', hub!.file(REPO, UNET).sha256!));
    writeFileSync(join(locks, `${hub!.file(REPO, UNET).sha256}.loa.lock`), '4194303');
    hub!.options.bytesPerSecond = undefined;
    const { model } = await installWithEvents(installer(), REPO, { preferCache: false });
    await expectLoads(model.dir);
  });
});

describe('reuse of the Hugging Face cache', () => {
  it('finds a complete snapshot that Python tools wrote and builds from it without a single request', async () => {
    const hf = join(root, 'hf');
    writeHfSnapshot(hf, REPO, COMMIT, FIXTURE_CHECKPOINT);
    await serve();
    const service = installer();
    const cached = await service.findCached();
    expect(cached).toHaveLength(1);
    expect(cached[0]).toMatchObject({ repo: REPO, commit: COMMIT, refs: ['main'], complete: true, missing: [] });
    expect(cached[0].catalogue?.license.id).toBe('CC-BY-NC-SA-4.0');

    const { model, events } = await installWithEvents(service);
    expect(hub!.requests).toEqual([]);
    expect(events[0]).toMatchObject({ type: 'resolve', fromCache: true, commit: COMMIT });
    expect(model.checkpoint).toBe(join(hf, repoFolderName(REPO), 'snapshots', COMMIT));
    await expectLoads(model.dir);
  });

  it('completes an incomplete snapshot: only the missing file is downloaded', async () => {
    const hf = join(root, 'hf');
    const snapshot = writeHfSnapshot(hf, REPO, COMMIT, FIXTURE_CHECKPOINT);
    const vocoder = 'vocoder/model.safetensors';
    const blob = join(
      snapshot,
      '..',
      '..',
      'blobs',
      createHash('sha256')
        .update(readFileSync(join(FIXTURE_CHECKPOINT, vocoder)))
        .digest('hex'),
    );
    unlinkSync(join(snapshot, vocoder));
    rmSync(blob);
    await serve();
    const service = installer();
    expect((await service.findCached())[0]).toMatchObject({ complete: false, missing: [vocoder] });

    const { model } = await installWithEvents(service);
    expect(
      hub!
        .downloads()
        .filter(carriesBytes)
        .map((r) => r.file),
    ).toEqual([vocoder]);
    expect(lstatSync(join(snapshot, vocoder)).isSymbolicLink()).toBe(true);
    await expectLoads(model.dir);
  });
});

describe('unsupported checkpoints', () => {
  it("refuses a fine-tune whose model_index names VitsModel with the builder's reason, before any weight is fetched", async () => {
    const dir = join(root, 'vits-checkpoint');
    cpSync(FIXTURE_CHECKPOINT, dir, { recursive: true });
    const index = JSON.parse(readFileSync(join(dir, 'model_index.json'), 'utf8'));
    index.text_encoder_2 = ['transformers', 'VitsModel'];
    index.tokenizer_2 = ['transformers', 'VitsTokenizer'];
    rmSync(join(dir, 'model_index.json'), { force: true });
    writeFileSync(join(dir, 'model_index.json'), JSON.stringify(index, null, 2));
    await serve([{ repo: 'someone/audioldm2-ljspeech', dir, commit: COMMIT }]);
    const error = await installWithEvents(installer(), 'someone/audioldm2-ljspeech').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CheckpointError);
    expect((error as Error).message).toMatch(/model_index\.json: "tokenizer_2" is VitsTokenizer; the builder supports T5Tokenizer, T5TokenizerFast/);
    expect(hub!.requests.some((r) => r.file?.endsWith('.safetensors'))).toBe(false);
    expect(existsSync(join(root, 'models', 'someone--audioldm2-ljspeech'))).toBe(false);
  });

  it('refuses a repo that is not a diffusers checkpoint', async () => {
    const dir = join(root, 'not-diffusers');
    cpSync(join(FIXTURE_CHECKPOINT, 'vocoder'), dir, { recursive: true });
    await serve([{ repo: 'someone/vocoder', dir, commit: COMMIT }]);
    const error = await installWithEvents(installer(), 'someone/vocoder').catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/model_index\.json: it is not in the repo: this is not a diffusers AudioLDM 2 checkpoint/);
  });
});

describe('list and remove', () => {
  it('lists installed and cached models with sizes and licences; remove keeps the cache unless asked', async () => {
    await serve();
    const service = installer();
    await installWithEvents(service);
    const { installed, cached } = await service.list();
    expect(installed.map((m) => m.id)).toEqual(['cvssp--audioldm2']);
    expect(installed[0].bytes).toBeGreaterThan(0);
    expect(cached.map((c) => [c.repo, c.complete])).toEqual([[REPO, true]]);

    const plan = await service.planRemove('cvssp--audioldm2');
    expect(plan.cacheSnapshot?.snapshotDir).toBe(join(repoDir(), 'snapshots', COMMIT));
    expect(plan.cacheSnapshot?.bytes).toBeGreaterThan(fixtureBytes(UNET));
    await service.remove('cvssp--audioldm2');
    expect(existsSync(join(root, 'models', 'cvssp--audioldm2'))).toBe(false);
    expect(existsSync(join(repoDir(), 'snapshots', COMMIT, UNET))).toBe(true);

    await service.remove(REPO, { includeCache: true });
    expect(existsSync(repoDir())).toBe(false);
  });
});
