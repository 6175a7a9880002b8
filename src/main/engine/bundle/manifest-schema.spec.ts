// Absurd config values (issue 12, item 7): `models verify` said ok to every one of these, and
// `generate` then failed with raw TypeErrors or tried to allocate tens of GB.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelBundleError } from '../../../shared/errors.ts';
import { copyTinyBundle, editManifest, tempDir, TINY_BUNDLE } from '../testing/tiny-bundle.ts';
import { CONTRACT } from './contract.ts';
import { readManifest, type BundleManifest } from './manifest.ts';
import { manifestProblems } from './manifest-schema.ts';

const tiny = JSON.parse(readFileSync(join(TINY_BUNDLE, 'manifest.json'), 'utf8')) as BundleManifest;

/** The tiny manifest with one change made by `edit` (on a deep copy). */
function edited(edit: (m: Record<string, any>) => void): unknown {
  const copy = structuredClone(tiny) as unknown as Record<string, any>;
  edit(copy);
  return copy;
}

const ABSURD: Array<[string, (m: Record<string, any>) => void, RegExp]> = [
  ['sampleRate 0', (m) => (m.config.sampleRate = 0), /config\.sampleRate must be >=8000 \(it is 0\)/],
  ['sampleRate −16000', (m) => (m.config.sampleRate = -16000), /config\.sampleRate must be >=8000 \(it is -16000\)/],
  ['sampleRate 1e308', (m) => (m.config.sampleRate = 1e308), /config\.sampleRate must be <=/],
  ['sampleRate null', (m) => (m.config.sampleRate = null), /config\.sampleRate is invalid: expected number, received null$/],
  ['sampleRate "16000"', (m) => (m.config.sampleRate = '16000'), /config\.sampleRate is invalid: expected number, received string/],
  ['sampleRate 16000.5', (m) => (m.config.sampleRate = 16000.5), /config\.sampleRate is invalid: expected int/],
  ['hopLength 0', (m) => (m.config.hopLength = 0), /config\.hopLength must be >=1 \(it is 0\)/],
  ['clapAudio null', (m) => (m.config.clapAudio = null), /config\.clapAudio is invalid: expected object, received null/],
  ['clapAudio.fMax above Nyquist', (m) => (m.config.clapAudio.fMax = 30000), /config\.clapAudio\.fMax must not exceed half the sample rate/],
  ['clapAudio.maxSamples 1e8 (every clip padded to 400 MB)', (m) => (m.config.clapAudio.maxSamples = 1e8), /config\.clapAudio\.maxSamples must be <=11520000/],
  [
    'clapAudio.maxSamples that does not fill the CLAP graph',
    (m) => (m.config.clapAudio.maxSamples = 240000),
    /config\.clapAudio\.maxSamples gives 501 frames at hopLength 480; the CLAP audio graph takes 1001/,
  ],
  ['scheduler {}', (m) => (m.config.scheduler = {}), /config\.scheduler\.num_train_timesteps is missing/],
  ['num_train_timesteps 1e9', (m) => (m.config.scheduler.num_train_timesteps = 1e9), /config\.scheduler\.num_train_timesteps must be <=10000 \(it is 1000000000\)/],
  ['an unsupported prediction type', (m) => (m.config.scheduler.prediction_type = 'v_prediction'), /config\.scheduler is invalid: Scheduler config "prediction_type"/],
  ['externalData {}', (m) => (m.components.unet.graphs[0].externalData = {}), /components\.unet\.graphs\[0\]\.externalData is invalid: expected array, received object/],
  ['bytes −1', (m) => (m.components.unet.graphs[0].bytes = -1), /components\.unet\.graphs\[0\]\.bytes must be >=0/],
  ['heads × headDim ≠ llmDim', (m) => (m.config.gpt2HeadDim += 1), /gpt2Heads × gpt2HeadDim \(\d+ × \d+\) must equal llmDim \(\d+\)/],
  ['latentFreq × vaeScaleFactor ≠ melBins', (m) => (m.config.latentFreq += 1), /latentFreq × vaeScaleFactor \(\d+ × \d+\) must equal melBins \(\d+\)/],
  ['no graphs', (m) => (m.components.vocoder.graphs = []), /components\.vocoder\.graphs must be >=1/],
  ['id missing', (m) => delete m.id, /^id is missing$/],
];

describe('manifest schema', () => {
  it('accepts models/tiny as it is', () => {
    expect(manifestProblems(tiny)).toEqual([]);
  });

  for (const [name, edit, message] of ABSURD) {
    it(`refuses ${name}`, () => {
      const problems = manifestProblems(edited(edit));
      expect(
        problems.some((p) => message.test(p)),
        problems.join(' | '),
      ).toBe(true);
    });
  }

  it('requires every key of CONTRACT.configKeys, whatever they are', () => {
    for (const key of CONTRACT.configKeys) {
      expect(manifestProblems(edited((m) => delete m.config[key]))).toContain(`config lacks "${key}"`);
    }
  });

  it('stays open: provenance under source, unknown config keys and extra fields are accepted', () => {
    const open = edited((m) => {
      m.source = { kind: 'checkpoint', repo: 'cvssp/audioldm2', revision: 'abc123', builderVersion: '1.2.0', nested: { any: [1, 2] } };
      m.config.someFutureKey = { anything: true };
      m.components.unet.graphs[0].quantisation = 'none';
      m.builtAt = '2026-12-03';
    });
    expect(manifestProblems(open)).toEqual([]);
  });
});

describe('readManifest refuses absurd values with the file named', () => {
  let scratch: Awaited<ReturnType<typeof tempDir>>;
  beforeAll(async () => {
    scratch = await tempDir('loa-manifest-schema-');
  });
  afterAll(async () => {
    await scratch.remove();
  });

  it('sampleRate 0 and scheduler {} in one manifest: both named, as ModelBundleError', async () => {
    const dir = await copyTinyBundle(scratch.path);
    await editManifest(dir, (m) => {
      (m.config as unknown as Record<string, unknown>).sampleRate = 0;
      (m.config as unknown as Record<string, unknown>).scheduler = {};
    });
    const error = await readManifest(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelBundleError);
    expect((error as ModelBundleError).file).toBe(join(dir, 'manifest.json'));
    expect((error as Error).message).toMatch(/config\.sampleRate must be >=8000 \(it is 0\)/);
    expect((error as Error).message).toMatch(/config\.scheduler\.num_train_timesteps is missing/);
  });
});
